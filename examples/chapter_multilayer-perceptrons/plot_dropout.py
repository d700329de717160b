"""
暂退法：从零实现与简洁实现
==========================

对应《暂退法（Dropout）》一节：登记表中的 ``dropout-scratch`` （手写的 ``dropout_layer``）与
``dropout-concise`` （``nn.Dropout``）用同样的设置各训练一次，画出两条训练曲线，再比较训练精度与
测试精度的差距。
"""

# %%
# 设置
# ----

from dlbook.experiments import format_settings, get_experiment, run_experiment

exp = get_experiment("dropout-scratch")
print("书中的设置：", format_settings(exp.full))
print("快速档的改动：", format_settings(exp.quick, skip=()))

# %%
# 从零实现
# --------

scratch = run_experiment("dropout-scratch", plot=True, verbose=False)
print("从零实现：", scratch.summary)

# %%
# 简洁实现
# --------

concise = run_experiment("dropout-concise", plot=True, verbose=False)
print("简洁实现：", concise.summary)

# %%
# 训练精度与测试精度的差距
# ------------------------
# 训练精度是在训练过程中、带着丢弃的网络上统计的，测试精度是在完整的网络上算的，
# 二者的差距反映了过拟合的程度。

for name, result in [("从零实现", scratch), ("简洁实现", concise)]:
    r = result.history.final
    print(f"{name}：train acc {r.train_acc:.3f}, test acc {r.test_acc:.3f}")

# %%
# 结果
# ----

exp = get_experiment("dropout-scratch")
print(f"书中：{exp.reference['test_acc']} 的测试精度（{exp.reference_source}）")
print(f"dropout scratch: {scratch.summary}")
print(f"dropout concise: {concise.summary}")
