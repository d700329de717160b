"""
从零实现的 softmax 回归：用 PyTorch 优化器训练
==============================================

对应《softmax 回归的从零开始实现》一节。页面上用手写的 ``sgd`` 作为 ``updater`` 训练
:class:`dlbook.SoftmaxRegressionScratch`；这里训练同一个模型，但把更新换成
``torch.optim.SGD``——这是一轮训练支持的另一种方式：对小批量的平均损失反向传播，再
``optimizer.step()``。两者在数学上等价（手写版对损失之和求梯度再除以批量大小）。

设置：Fashion-MNIST（真实数据），批量 256，手写的交叉熵 :func:`dlbook.cross_entropy`，
``torch.optim.SGD``，学习率 0.1，10 轮，权重 :math:`\\mathcal{N}(0, 0.01^2)`，数据打乱的种子 0、初始化的种子 1000。
书中的参考：D2L 第 3.6 节（softmax 回归的从零开始实现）的训练曲线，测试精度约 0.83。
"""

# %%
# 数据、模型与优化器
# ------------------

import torch

import dlbook
from dlbook.models import SoftmaxRegressionScratch
from dlbook.ops import cross_entropy

train_iter, test_iter = dlbook.load_fashion_mnist(256, seed=0)
net = SoftmaxRegressionScratch(generator=torch.Generator().manual_seed(1000))
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

# %%
# 训练 10 轮
# ----------
# 图中实线是训练损失，虚线是训练精度，点划线是每轮结束时的测试精度。

history = dlbook.train_classifier(
    net, train_iter, test_iter, 10, loss=cross_entropy, optimizer=trainer, seed=0, verbose=False
)

# %%
# 逐轮结果
# --------

for r in history.epochs:
    print(
        f"epoch {r.epoch:2d}: loss {r.train_loss:.4f}, train acc {r.train_acc:.4f}, "
        f"test acc {r.test_acc:.4f}"
    )

# %%
# 结果
# ----
# 最后一行与书中的结果（测试精度约 0.83）对照。

print(history.summary())
