"""
从零实现的字符级循环神经网络：困惑度曲线与生成的文本
=====================================================

对应《循环神经网络的从零开始实现》一节：用登记表中的实验 ``rnn-scratch`` 与 ``rnn-scratch-random``
训练 :class:`dlbook.RNNScratch` （独热输入，512 个隐藏单元），语料是《爱丽丝梦游仙境》的字符序列。
两次训练只有小批量的采样方式不同：顺序分区（相邻小批量首尾相接，隐状态在批次之间传递）与
随机采样（每个小批量从零状态开始）。

设置取自登记表，与书中相同：只用语料开头的一段（``num_train`` 个字符），批量 32、时间步 35、
小批量随机梯度下降（学习率 1）、梯度裁剪 θ = 1、500 轮。只有 CPU 时默认用快速档（训练更少的轮数，
数据和模型不变），档位与设置见下面的输出。书中的参考：D2L 第 8.5 节在《时间机器》上的困惑度曲线，最后约为 1
（训练集上）。本书另把书末 1 万个字符留作验证集，并列出同一段训练文本上计数的 n 元语法在这段留出文本上的困惑度。
"""

# %%
# 顺序分区
# --------
# 曲线每轮一个点：训练集（train）与留出文本（valid）上的困惑度。

import torch

from dlbook.data.text import load_corpus
from dlbook.experiments import format_settings, get_experiment, run_experiment
from dlbook.train.language_model import predict_text

exp = get_experiment("rnn-scratch")
print(exp.title)
result = run_experiment(exp, plot=True, verbose=False)
print(f"档位 {result.profile}：", format_settings(result.settings))
print(result.summary)
m = result.metrics
print(
    "留出文本上的参照："
    + "，".join(
        f"{n} 元语法 {m[f'{name}_perplexity']:.2f}"
        for n, name in enumerate(("unigram", "bigram", "trigram"), 1)
    )
)

# %%
# 生成的文本
# ----------
# 给定前缀，贪心解码每一步取概率最大的字符，再把它作为下一步的输入；``temperature=0.7`` 则按
# softmax(o / 0.7) 采样（固定种子，可复现）。

_, vocab = load_corpus("alice")
for prefix in ("alice", "the queen", "said the"):
    print("贪心", repr(predict_text(prefix, 50, result.model, vocab)))
    g = torch.Generator().manual_seed(0)
    print("采样", repr(predict_text(prefix, 50, result.model, vocab, temperature=0.7, generator=g)))

# %%
# 随机采样
# --------
# 同样的模型与设置，只把小批量换成随机采样：每个小批量都从全零的隐状态开始。

random_exp = get_experiment("rnn-scratch-random")
random_result = run_experiment(random_exp, plot=True, verbose=False)
print(random_result.summary)
print(repr(predict_text("alice", 50, random_result.model, vocab)))

# %%
# 逐轮对照
# --------

for a, b in zip(result.history.epochs, random_result.history.epochs):
    if a.epoch % 5 == 0 or a.epoch == 1:
        print(
            f"epoch {a.epoch:3d}: 顺序分区 perplexity {result.history.perplexity()[a.epoch - 1]:.2f}，"
            f"随机采样 perplexity {random_result.history.perplexity()[b.epoch - 1]:.2f}；"
            f"留出文本 {result.history.perplexity('valid')[a.epoch - 1]:.2f} 与 "
            f"{random_result.history.perplexity('valid')[b.epoch - 1]:.2f}"
        )

# %%
# 结果
# ----

print(f"书中：perplexity {exp.reference['perplexity']}（{exp.reference_source}）")
print("顺序分区：", result.summary)
print("随机采样：", random_result.summary)
