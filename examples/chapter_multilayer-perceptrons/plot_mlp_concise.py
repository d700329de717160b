"""
多层感知机的简洁实现
====================

对应《多层感知机的简洁实现》一节：:func:`dlbook.mlp` 返回
``nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))``。

设置：Fashion-MNIST（真实数据），批量 256，``nn.CrossEntropyLoss``，``torch.optim.SGD``，
学习率 0.1，10 轮，权重 :math:`\\mathcal{N}(0, 0.01^2)`、偏置 0，数据打乱的种子 0、初始化的种子 1000。
书中的参考：D2L 第 4.3 节（多层感知机的简洁实现）的训练曲线，测试精度约 0.83–0.84。
"""

# %%
# 数据、模型与优化器
# ------------------

import torch

import dlbook
from dlbook.models import mlp

train_iter, test_iter = dlbook.load_fashion_mnist(256, seed=0)
net = mlp(generator=torch.Generator().manual_seed(1000))
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
print(net)

# %%
# 训练 10 轮
# ----------

history = dlbook.train_classifier(
    net, train_iter, test_iter, 10, optimizer=trainer, seed=0, verbose=False
)

# %%
# 各类别的测试精度
# ----------------
# 衬衫（shirt）最难，与 T 恤、套衫、外套都容易混淆。

correct = torch.zeros(10)
total = torch.zeros(10)
net.eval()
with torch.no_grad():
    for X, y in test_iter:
        hit = (net(X).argmax(dim=1) == y).float()
        correct += torch.bincount(y, weights=hit, minlength=10)
        total += torch.bincount(y, minlength=10)
for name, acc in zip(dlbook.FASHION_MNIST_LABELS, (correct / total).tolist()):
    print(f"{name:>10s}: {acc:.3f}")

# %%
# 结果
# ----
# 最后一行与书中的结果（测试精度约 0.83–0.84）对照。

print(history.summary())
