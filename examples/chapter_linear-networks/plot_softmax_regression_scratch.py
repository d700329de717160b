"""
从零实现的 softmax 回归：用 PyTorch 优化器训练
==============================================

对应《softmax 回归的从零开始实现》一节。页面上用手写的 ``sgd`` 作为 ``updater`` 训练
:class:`dlbook.SoftmaxRegressionScratch`；这里用登记表中同一个实验的设置训练同一个模型，只把更新换成
``torch.optim.SGD``：对小批量的平均损失反向传播，再 ``optimizer.step()``。两者在数学上等价
（手写版对损失之和求梯度再除以批量大小），所以结果应与页面上的非常接近。
"""

# %%
# 数据、模型与优化器
# ------------------
# 除了优化器，设置都取自登记表中的 ``softmax-regression-scratch``。

import torch

import dlbook
from dlbook.experiments import format_settings, get_experiment
from dlbook.models import SoftmaxRegressionScratch
from dlbook.ops import cross_entropy
from dlbook.utils.seeding import init_generator

settings = get_experiment("softmax-regression-scratch").full
print("设置：", format_settings(settings), "（优化器换成 torch.optim.SGD）")
train_iter, test_iter = dlbook.load_fashion_mnist(settings["batch_size"], seed=0)
net = SoftmaxRegressionScratch(generator=init_generator(0))
trainer = torch.optim.SGD(net.parameters(), lr=settings["lr"])

# %%
# 训练
# ----
# 图中实线是训练损失，虚线是训练精度，点划线是每轮结束时的测试精度。

history = dlbook.train_classifier(
    net,
    train_iter,
    test_iter,
    settings["num_epochs"],
    loss=cross_entropy,
    optimizer=trainer,
    seed=0,
    verbose=False,
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

print(history.summary())
