"""
Transformer 的注意力热图
========================

对应《Transformer》一节：按实验登记表 ``transformer`` 的设置（与 D2L 相同；只有 CPU 时用快速档，
与完整档只差训练轮数，下面打印两者）在英法句子对上训练 :func:`dlbook.models.transformer.transformer`，
再翻译两个训练句子和一个留出的句子，画出每个块、每个头的编码器–解码器注意力，并打印每个头在每一步最关注的源词元。

每幅图的一行是一个块、一列是一个头；纵轴是解码器每一步的输入（``<bos>`` 或上一步的输出），横轴是源词元。
"""

# %%
# 数据与训练
# ----------
# 曲线是每轮的训练损失（每个有效目标词元的平均交叉熵）。

import torch

import dlbook
from dlbook.data.translation import load_translation, normalize_sentence
from dlbook.experiments import format_settings, get_experiment, record_result, run_experiment
from dlbook.models.seq2seq import predict_seq2seq
from dlbook.plotting.figures import show_heatmaps

exp = get_experiment("transformer")
device = dlbook.try_gpu()
print("完整档：", format_settings(exp.settings("full")))
result = run_experiment("transformer", device=device, plot=True, verbose=False)
record_result(result)
print("档位：", result.profile, "，轮数：", result.settings["num_epochs"], "，设备：", device)
print(result.summary)
m, s = result.metrics, result.settings
print(
    f"平均 BLEU（前 {s['num_bleu']} 个句子）：训练 {m['bleu_train']:.3f}，留出 {m['bleu_test']:.3f}"
)
net = result.model
data = load_translation(s["batch_size"], s["num_steps"], num_examples=s["num_examples"], seed=0)

# %%
# 画热图
# ------
# ``predict_seq2seq(..., return_attention=True)`` 返回每一步解码器的注意力权重：
# 编码器–解码器注意力是每个块一个 ``(头数, 1, 源时间步)`` 的张量，把各步拼起来就是一个矩阵。


def cross_attention(sentence):
    """翻译一句话，返回（译文, 源词元, 解码器输入, 形状为 (块, 头, 步数, 源词元数) 的权重）。"""
    translation, steps = predict_seq2seq(
        net,
        sentence,
        data.src_vocab,
        data.tgt_vocab,
        data.num_steps,
        device=device,
        return_attention=True,
    )
    src = data.src_vocab.to_tokens(data.src_vocab[normalize_sentence(sentence).split()])
    src = (src + ["<eos>"])[: data.num_steps]
    dec_inputs = ["<bos>"] + translation.split()[: len(steps) - 1]
    # 每一步：每个块一个 (头, 源词元数) → (块, 头, 源词元数)；再按步叠起来 → (块, 头, 步数, 源词元数)
    weights = torch.stack(
        [torch.stack([w[:, 0, : len(src)] for w in cross]) for _, cross in steps], dim=2
    )
    return translation, src, dec_inputs, weights.cpu()


def draw(sentence, reference):
    translation, src, dec_inputs, weights = cross_attention(sentence)
    print(f"{sentence!r} => {translation!r}（参考 {reference!r}）")
    print("  每个头在每一步（解码器输入依次为", dec_inputs, "）最关注的源词元：")
    for i, blk in enumerate(weights):
        for h, head in enumerate(blk):
            print(f"    第 {i + 1} 块 头 {h + 1}:", [src[j] for j in head.argmax(dim=-1).tolist()])
    fig = show_heatmaps(
        weights,
        xlabel="源词元",
        ylabel="解码器输入",
        titles=[f"头 {h + 1}" for h in range(weights.shape[1])],
        figsize=(8, 4.5),
    )
    axes = fig.axes[: weights.shape[0] * weights.shape[1]]  # 最后一个是颜色条
    axes[0].set_xticks(range(len(src)), src)  # 各小图共用坐标轴，设一个就够了
    axes[0].set_yticks(range(len(dec_inputs)), dec_inputs)
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=90)
    for i in range(weights.shape[0]):
        axes[i * weights.shape[1]].set_ylabel(f"第 {i + 1} 块\n解码器输入")


# %%
# 训练句子
# --------
# 法文的语序与英文不同（“site name”→“nom du site”）的两个短句。纵轴上的每一行用来预测下一个词：
# ``<bos>`` 那一行预测译文的第一个词。对照打印的“最关注的源词元”，看哪些头在生成一个法文词时看向了
# 对应的英文词——在这个小模型上并不是每个头都这样。

references = dict(data.train_pairs)
draw("site name", references["site name"])

# %%
# 第二个训练句子，形容词与名词的顺序同样要对调。

draw("Individual customer", references["Individual customer"])

# %%
# 留出的句子
# ----------
# 模型没见过的句子：对照参考译文，看看模型翻对了多少，注意力又落在哪里。

draw(*data.test_pairs[4])
