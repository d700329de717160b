"""
softmax 回归的简洁实现
======================

对应《softmax 回归的简洁实现》一节：用登记表中的实验 ``softmax-regression-concise`` 训练
:func:`dlbook.softmax_regression` （``nn.Flatten`` + ``nn.Linear(784, 10)``，损失为数值稳定的
``nn.CrossEntropyLoss``），画出训练曲线，再在测试集上找出最常被混淆的几对类别。
"""

# %%
# 设置与训练
# ----------

import torch

import dlbook
from dlbook.experiments import format_settings, get_experiment, run_experiment

exp = get_experiment("softmax-regression-concise")
print("设置：", format_settings(exp.full))
result = run_experiment(exp, plot=True, verbose=False)
net = result.model

# %%
# 预测错误最多的类别对
# --------------------
# 在测试集上统计混淆矩阵，列出最常被混淆的几对类别。

_, test_iter = dlbook.load_fashion_mnist(exp.full["batch_size"])
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

print(f"书中：{exp.reference['test_acc']} 的测试精度（{exp.reference_source}）")
print(result.summary)
