"""
seq2seq 的训练曲线与翻译
========================

对应《序列到序列学习（seq2seq）》一节：GRU 编码器–解码器（:func:`dlbook.models.seq2seq.seq2seq`），
在本书从软件翻译目录构建的英法句子对（``fra-eng``）上用强制教学训练，再用贪心搜索与束搜索翻译几个句子。

设置（取自实验登记表 ``seq2seq``，与 D2L 相同）：600 个训练句子对，嵌入 32、隐藏 32、2 层 GRU、暂退 0.1，
批量 64、时间步 10，Adam 学习率 0.005，梯度裁剪 1；书中训练 300 轮，只有 CPU 时用快速档（轮数见下面的输出）。

书中的参考：D2L 第 9.7 节的训练曲线（Tatoeba 数据，最终损失约 0.02，D2L 的损失按全部时间步平均，
与这里“每个有效词元的平均交叉熵”不可直接比较）与 4 个训练句子的翻译。
"""

# %%
# 数据与模型
# ----------

import dlbook
from dlbook.metrics.bleu import bleu
from dlbook.data.translation import load_translation, normalize_sentence
from dlbook.experiments import get_experiment
from dlbook.models.seq2seq import predict_seq2seq, seq2seq, train_seq2seq
from dlbook.utils.seeding import init_generator

exp = get_experiment("seq2seq")
profile = dlbook.resolve_profile(cheap_on_cpu=exp.cheap_on_cpu)
s = exp.settings(profile)
device = dlbook.try_gpu()
print("档位：", profile, "，轮数：", s["num_epochs"], "，设备：", device)
data = load_translation(s["batch_size"], s["num_steps"], num_examples=s["num_examples"], seed=0)
net = seq2seq(
    len(data.src_vocab),
    len(data.tgt_vocab),
    embed_size=s["embed_size"],
    num_hiddens=s["num_hiddens"],
    num_layers=s["num_layers"],
    dropout=s["dropout"],
    generator=init_generator(0),
)

# %%
# 训练
# ----
# 曲线是每轮的训练损失（每个有效目标词元的平均交叉熵）。

history = train_seq2seq(
    net,
    data.train_iter,
    s["num_epochs"],
    lr=s["lr"],
    tgt_vocab=data.tgt_vocab,
    device=device,
    seed=0,
    verbose=False,
)

# %%
# 翻译
# ----
# 训练句子与留出的句子各 4 个，贪心搜索（束宽 1）与束搜索（束宽 3）。

for title, pairs in (("训练句子", data.train_pairs[:4]), ("留出的句子", data.test_pairs[:4])):
    print(title)
    for en, fr in pairs:
        for k in (1, 3):
            out = predict_seq2seq(
                net, en, data.src_vocab, data.tgt_vocab, data.num_steps, beam_size=k, device=device
            )
            score = bleu(out.split(), normalize_sentence(fr).split(), k=2)
            print(f"  束宽 {k}：{en!r} => {out!r}（参考 {fr!r}），bleu {score:.3f}")

# %%
# 结果
# ----

r = history.final
print(f"loss {r.train_loss:.3f}, {history.examples_per_sec():.1f} tokens/sec on {history.device}")
