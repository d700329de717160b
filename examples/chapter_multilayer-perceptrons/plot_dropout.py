"""
暂退法：从零实现与简洁实现
==========================

对应《暂退法（Dropout）》一节。两个隐藏层（256、256）的多层感知机，第一个隐藏层之后以概率 0.2 丢弃，
第二个之后以概率 0.5 丢弃：

* 从零实现 :class:`dlbook.DropoutMLPScratch`：``nn.Linear`` 按 PyTorch 的默认方式初始化，
  丢弃用手写的 :func:`dlbook.dropout_layer`，掩码由模型自己的随机数生成器产生；
* 简洁实现 :func:`dlbook.dropout_mlp`：``nn.Dropout`` 层，权重 :math:`\\mathcal{N}(0, 0.01^2)`。

设置：Fashion-MNIST（真实数据），批量 256，``nn.CrossEntropyLoss``，``torch.optim.SGD``，
学习率 0.5，各训练 10 轮，数据打乱的种子 0、初始化的种子 1000。书中的参考：D2L 第 4.6 节（暂退法）的两张训练曲线，
测试精度约 0.84–0.86。
"""

# %%
# 数据
# ----

import torch

import dlbook
from dlbook.models import DropoutMLPScratch, dropout_mlp

train_iter, test_iter = dlbook.load_fashion_mnist(256, seed=0)
lr, num_epochs = 0.5, 10

# %%
# 从零实现
# --------

net = DropoutMLPScratch(
    784, 256, 256, 10, dropout1=0.2, dropout2=0.5, generator=torch.Generator().manual_seed(1000)
)
trainer = torch.optim.SGD(net.parameters(), lr=lr)
scratch = dlbook.train_classifier(
    net, train_iter, test_iter, num_epochs, optimizer=trainer, seed=0, verbose=False
)
print("从零实现：", scratch.summary())

# %%
# 简洁实现
# --------

net = dropout_mlp(dropout1=0.2, dropout2=0.5, generator=torch.Generator().manual_seed(1000))
trainer = torch.optim.SGD(net.parameters(), lr=lr)
concise = dlbook.train_classifier(
    net, train_iter, test_iter, num_epochs, optimizer=trainer, seed=0, verbose=False
)
print("简洁实现：", concise.summary())

# %%
# 训练精度与测试精度的差距
# ------------------------
# 训练精度是在训练过程中、带着丢弃的网络上统计的，测试精度是在完整的网络上算的，
# 二者的差距反映了过拟合的程度。

for name, h in [("从零实现", scratch), ("简洁实现", concise)]:
    r = h.final
    print(f"{name}：train acc {r.train_acc:.3f}, test acc {r.test_acc:.3f}")

# %%
# 结果
# ----
# 两行结果与书中的结果（测试精度约 0.84–0.86）对照。

print(f"dropout scratch: {scratch.summary()}")
print(f"dropout concise: {concise.summary()}")
