"""
nn.RNN 的字符级语言模型：困惑度曲线与生成的文本
===============================================

对应《循环神经网络的简洁实现》一节：用登记表中的实验 ``rnn-concise`` 训练
:class:`dlbook.RNNModel` （``nn.RNN`` 加一个全连接输出层，256 个隐藏单元），语料是
《爱丽丝梦游仙境》的字符序列，小批量用顺序分区。

设置取自登记表，与书中相同：只用语料开头的一段（``num_train`` 个字符），批量 32、时间步 35、
小批量随机梯度下降（学习率 1）、梯度裁剪 θ = 1、500 轮。只有 CPU 时默认用快速档（训练更少的轮数，
数据和模型不变），档位与设置见下面的输出。
书中的参考：D2L 第 8.6 节在《时间机器》上的困惑度曲线，最后约为 1.3（训练集上）。
本书另在书末留出的 1 万个字符上求困惑度：同样的 1 万个字符反复读 150 轮，训练困惑度很低，
留出文本上的困惑度却比只数字符频率的一元语法还高——模型记住了训练文本，而没有学会语言。
"""

# %%
# 训练
# ----

import torch

from dlbook.data.text import load_corpus
from dlbook.experiments import format_settings, get_experiment, run_experiment
from dlbook.train.language_model import predict_text

exp = get_experiment("rnn-concise")
print(exp.title)
result = run_experiment(exp, plot=True, verbose=False)
print(f"档位 {result.profile}：", format_settings(result.settings))
m = result.metrics
print(
    f"训练集 {m['perplexity']:.2f}，留出文本 {m['valid_perplexity']:.2f}；留出文本上的参照："
    f"一元语法 {m['unigram_perplexity']:.2f}，三元语法 {m['trigram_perplexity']:.2f}"
)

# %%
# 生成的文本
# ----------

_, vocab = load_corpus("alice")
for prefix in ("alice", "the queen", "said the"):
    print("贪心", repr(predict_text(prefix, 50, result.model, vocab)))
    g = torch.Generator().manual_seed(0)
    print("采样", repr(predict_text(prefix, 50, result.model, vocab, temperature=0.7, generator=g)))

# %%
# 结果
# ----

print(f"书中：perplexity {exp.reference['perplexity']}（{exp.reference_source}）")
print(result.summary)
