"""
多层感知机的简洁实现
====================

对应《多层感知机的简洁实现》一节：用登记表中的实验 ``mlp-concise`` 训练 :func:`dlbook.mlp`
（``nn.Flatten``、两个 ``nn.Linear`` 与 ``nn.ReLU``），画出训练曲线，再统计每个类别的测试精度，
看哪些类别最难分。
"""

# %%
# 设置与训练
# ----------

import torch

import dlbook
from dlbook.experiments import format_settings, get_experiment, run_experiment

exp = get_experiment("mlp-concise")
print("设置：", format_settings(exp.full))
result = run_experiment(exp, plot=True, verbose=False)
net = result.model
print(net)

# %%
# 各类别的测试精度
# ----------------
# 衬衫（shirt）最难，与 T 恤、套衫、外套都容易混淆。

_, test_iter = dlbook.load_fashion_mnist(exp.full["batch_size"])
correct, total = torch.zeros(10), torch.zeros(10)
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

print(f"书中：{exp.reference['test_acc']} 的测试精度（{exp.reference_source}）")
print(result.summary)
