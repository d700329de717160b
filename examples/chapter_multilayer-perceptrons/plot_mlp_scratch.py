"""
从零实现的多层感知机
====================

对应《多层感知机的从零开始实现》一节：用登记表中的实验 ``mlp-scratch`` 训练
:class:`dlbook.MLPScratch` （784 → 256 → 10，手写的 ReLU），画出训练曲线，并逐轮打印结果。
设置与书中相同，全部取自登记表；最后一行与书中的结果对照。
"""

# %%
# 设置与训练
# ----------
# 设置来自登记表；``run_experiment`` 读数据、建模型、训练，并返回结果、训练历史与模型。

from dlbook.experiments import format_settings, get_experiment, run_experiment

exp = get_experiment("mlp-scratch")
print(exp.title)
print("设置：", format_settings(exp.full))
result = run_experiment(exp, plot=True, verbose=False)

# %%
# 逐轮结果
# --------
# 与 softmax 回归相比，隐藏层让训练损失降得更低。

for r in result.history.epochs:
    print(
        f"epoch {r.epoch:2d}: loss {r.train_loss:.4f}, train acc {r.train_acc:.4f}, "
        f"test acc {r.test_acc:.4f}"
    )

# %%
# 结果
# ----

print(f"书中：{exp.reference['test_acc']} 的测试精度（{exp.reference_source}）")
print(result.summary)
