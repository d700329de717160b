"""
softmax 回归的简洁实现
======================

对应《softmax 回归的简洁实现》一节：``nn.Flatten`` + ``nn.Linear(784, 10)``
（:func:`dlbook.softmax_regression`），网络输出 logits，损失用数值稳定的
``nn.CrossEntropyLoss``，优化器为 ``torch.optim.SGD``。

设置：Fashion-MNIST（真实数据），批量 256，学习率 0.1，10 轮，权重 :math:`\\mathcal{N}(0, 0.01^2)`、
偏置 0，数据打乱的种子 0、初始化的种子 1000。书中的参考：D2L 第 3.7 节（softmax 回归的简洁实现）的训练曲线，测试精度约 0.83。
"""

# %%
# 数据、模型与优化器
# ------------------

import torch

import dlbook
from dlbook.models import softmax_regression

train_iter, test_iter = dlbook.load_fashion_mnist(256, seed=0)
net = softmax_regression(generator=torch.Generator().manual_seed(1000))
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

# %%
# 训练 10 轮
# ----------
# 损失用 ``train_classifier`` 的默认值 ``nn.CrossEntropyLoss(reduction="none")``。

history = dlbook.train_classifier(
    net, train_iter, test_iter, 10, optimizer=trainer, seed=0, verbose=False
)

# %%
# 预测错误最多的类别对
# --------------------
# 在测试集上统计混淆矩阵，列出最常被混淆的几对类别。

confusion = torch.zeros(10, 10, dtype=torch.int64)
net.eval()
with torch.no_grad():
    for X, y in test_iter:
        preds = net(X).argmax(dim=1)
        confusion += torch.bincount(y * 10 + preds, minlength=100).reshape(10, 10)
off_diagonal = confusion.clone().fill_diagonal_(0)
values, indices = off_diagonal.flatten().topk(5)
names = dlbook.FASHION_MNIST_LABELS
for count, index in zip(values.tolist(), indices.tolist()):
    true, pred = divmod(index, 10)
    print(f"{names[true]:>10s} 被错认为 {names[pred]:<10s} {count} 次")

# %%
# 结果
# ----
# 最后一行与书中的结果（测试精度约 0.83）对照。

print(history.summary())
