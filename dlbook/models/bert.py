"""BERT：编码器、遮蔽语言模型与下一句预测的输出层，以及载入预训练的 MiniLM 权重。

取代 D2L 的 ``BERTEncoder``、``MaskLM``、``NextSentencePred`` 与 ``BERTModel``。编码器块就是第 9 章的
:class:`~dlbook.models.transformer.TransformerEncoderBlock` （带偏置），与 D2L 有三处不同，都照原论文
（Devlin 等，2019）与它的实现：

* 三种嵌入（词元、片段、位置）相加之后先做层规范化再暂退（D2L 没有这一步）；
* 前馈网络的激活函数是 GELU，层规范化的 ``eps`` 是 1e-12（D2L 用 ReLU 与 PyTorch 默认的 1e-5）；
* 遮蔽语言模型的输出层是 全连接 → GELU → 层规范化 → 全连接（D2L 用 ReLU）。

于是 :func:`load_minilm` 能把 ``transformers`` 的 ``BertModel`` 格式的权重原样放进我们的编码器，
输出与 ``BertModel`` 相同（测试里核对）。

微调用的输出层（取代 D2L 的 ``BERTClassifier``，并补上它只画了图的两种）：
:class:`BERTClassifier` （单文本与文本对分类）、:class:`BERTTagger` （词元级的标注）与
:class:`BERTSpanPredictor` （问答：预测答案在文章里的起点与终点，:func:`best_span` 选出最好的片段）。
它们的 ``forward`` 都只接受一个参数 ``(词元, 片段号, 有效长度)``，于是能直接交给书中的训练循环。
"""

from __future__ import annotations

import os

import torch
from torch import nn

from dlbook.models.transformer import TransformerEncoderBlock
from dlbook.utils.checks import check_probability, check_sizes

__all__ = [
    "BERTClassifier",
    "BERTEncoder",
    "BERTModel",
    "BERTSpanPredictor",
    "BERTTagger",
    "MaskLM",
    "NextSentencePred",
    "best_span",
    "load_minilm",
    "minilm_classifier",
]

#: BERT 的层规范化加在方差上的小数（``layer_norm_eps``）。
BERT_NORM_EPS = 1e-12


class BERTEncoder(nn.Module):
    """BERT 编码器：词元嵌入 + 片段嵌入 + 可学习的位置嵌入，层规范化与暂退，再经过 ``num_blks`` 个编码器块。

    ``forward(tokens, segments, valid_lens=None)`` 的输入形状都是 ``(批量, 时间步)`` （``valid_lens`` 是
    ``(批量,)``，填充位置不被关注），输出 ``(批量, 时间步, num_hiddens)``。

    Examples
    --------
    >>> encoder = BERTEncoder(10000, 768, 1024, num_heads=4, num_blks=2).eval()
    >>> tokens = torch.randint(0, 10000, (2, 8))
    >>> segments = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]])
    >>> encoder(tokens, segments, torch.tensor([8, 6])).shape
    torch.Size([2, 8, 768])
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        num_blks: int,
        dropout: float = 0.0,
        max_len: int = 1000,
    ) -> None:
        super().__init__()
        check_sizes(vocab_size=vocab_size, num_hiddens=num_hiddens, max_len=max_len)
        check_probability("dropout", dropout)
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.segment_embedding = nn.Embedding(2, num_hiddens)
        self.pos_embedding = nn.Parameter(torch.randn(1, max_len, num_hiddens) * 0.02)
        self.norm = nn.LayerNorm(num_hiddens, eps=BERT_NORM_EPS)
        self.dropout = nn.Dropout(dropout)
        self.blks = nn.ModuleList(
            TransformerEncoderBlock(
                num_hiddens,
                ffn_num_hiddens,
                num_heads,
                dropout,
                use_bias=True,
                activation=nn.GELU,
                norm_eps=BERT_NORM_EPS,
            )
            for _ in range(num_blks)
        )

    def forward(
        self,
        tokens: torch.Tensor,
        segments: torch.Tensor,
        valid_lens: torch.Tensor | None = None,
    ) -> torch.Tensor:
        X = self.token_embedding(tokens) + self.segment_embedding(segments)
        X = self.dropout(self.norm(X + self.pos_embedding[:, : X.shape[1]]))
        for blk in self.blks:
            X = blk(X, valid_lens)
        return X


class MaskLM(nn.Module):
    """遮蔽语言模型的输出层：取出 ``pred_positions`` 处的编码，经过 全连接 → GELU → 层规范化 → 全连接，
    输出词表上的得分 ``(批量, 每个序列的预测个数, vocab_size)``。

    Examples
    --------
    >>> mlm = MaskLM(10000, 768)
    >>> mlm(torch.randn(2, 8, 768), torch.tensor([[1, 5, 2], [6, 1, 5]])).shape
    torch.Size([2, 3, 10000])
    """

    def __init__(self, vocab_size: int, num_hiddens: int, num_inputs: int | None = None) -> None:
        super().__init__()
        num_inputs = num_hiddens if num_inputs is None else num_inputs
        self.mlp = nn.Sequential(
            nn.Linear(num_inputs, num_hiddens),
            nn.GELU(),
            nn.LayerNorm(num_hiddens, eps=BERT_NORM_EPS),
            nn.Linear(num_hiddens, vocab_size),
        )

    def forward(self, X: torch.Tensor, pred_positions: torch.Tensor) -> torch.Tensor:
        # 按下标取出每个序列里要预测的位置：(批量, 预测个数, 隐藏)
        index = pred_positions.unsqueeze(-1).expand(-1, -1, X.shape[-1])
        return self.mlp(torch.gather(X, 1, index))


class NextSentencePred(nn.Module):
    """下一句预测的输出层：一个全连接层，把 ``<cls>`` 的表示（经过池化层之后）分成两类。

    Examples
    --------
    >>> NextSentencePred(768)(torch.randn(2, 768)).shape
    torch.Size([2, 2])
    """

    def __init__(self, num_inputs: int) -> None:
        super().__init__()
        self.output = nn.Linear(num_inputs, 2)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.output(X)


class BERTModel(nn.Module):
    """BERT：编码器、池化层（``<cls>`` 的表示经过 全连接 → tanh）、遮蔽语言模型与下一句预测两个输出层。

    ``forward(tokens, segments, valid_lens=None, pred_positions=None)`` 返回
    ``(编码, 遮蔽语言模型的得分, 下一句预测的得分)``；不给 ``pred_positions`` 时第二项是 ``None``。
    ``heads=False`` 时没有两个输出层（只有编码器与池化层，例如载入的 MiniLM），后两项都是 ``None``。

    Examples
    --------
    >>> net = BERTModel(10000, 768, 1024, num_heads=4, num_blks=2).eval()
    >>> tokens, segments = torch.randint(0, 10000, (2, 8)), torch.zeros(2, 8, dtype=torch.long)
    >>> encoded, mlm_Y_hat, nsp_Y_hat = net(tokens, segments, pred_positions=torch.tensor([[1, 5]] * 2))
    >>> encoded.shape, mlm_Y_hat.shape, nsp_Y_hat.shape
    (torch.Size([2, 8, 768]), torch.Size([2, 2, 10000]), torch.Size([2, 2]))
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        ffn_num_hiddens: int,
        num_heads: int,
        num_blks: int,
        dropout: float = 0.0,
        max_len: int = 1000,
        heads: bool = True,
    ) -> None:
        super().__init__()
        self.encoder = BERTEncoder(
            vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len
        )
        self.hidden = nn.Sequential(nn.Linear(num_hiddens, num_hiddens), nn.Tanh())
        self.mlm = MaskLM(vocab_size, num_hiddens) if heads else None
        self.nsp = NextSentencePred(num_hiddens) if heads else None

    def forward(
        self,
        tokens: torch.Tensor,
        segments: torch.Tensor,
        valid_lens: torch.Tensor | None = None,
        pred_positions: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        encoded_X = self.encoder(tokens, segments, valid_lens)
        mlm_Y_hat = None
        if self.mlm is not None and pred_positions is not None:
            mlm_Y_hat = self.mlm(encoded_X, pred_positions)
        nsp_Y_hat = None if self.nsp is None else self.nsp(self.hidden(encoded_X[:, 0, :]))
        return encoded_X, mlm_Y_hat, nsp_Y_hat


class BERTClassifier(nn.Module):
    """单文本分类与文本对分类：``<cls>`` 的编码经过 BERT 的池化层（全连接 → tanh），再经过新的全连接输出层。

    编码器与池化层就是 ``bert`` 里的那两个模块（共用参数，微调时一起更新）；只有输出层是新的、随机初始化的。
    单文本的输入是 ``<cls>`` 文本 ``<sep>``，片段号全为 0；文本对（例如前提与假设）的输入是
    ``<cls>`` A ``<sep>`` B ``<sep>``，B 的片段号为 1。两种任务的模型完全相同。

    ``forward(inputs)`` 的 ``inputs`` 是 ``(词元, 片段号, 有效长度)``，形状 ``(批量, 时间步)``、
    ``(批量, 时间步)`` 与 ``(批量,)``；输出 ``(批量, num_classes)`` 的得分。

    Examples
    --------
    >>> bert = BERTModel(100, 32, 64, num_heads=2, num_blks=2, heads=False)
    >>> net = BERTClassifier(bert, 3).eval()
    >>> tokens, segments = torch.randint(0, 100, (4, 9)), torch.zeros(4, 9, dtype=torch.long)
    >>> net((tokens, segments, torch.tensor([9, 7, 5, 9]))).shape
    torch.Size([4, 3])
    >>> net.encoder is bert.encoder, net.output
    (True, Linear(in_features=32, out_features=3, bias=True))
    """

    def __init__(self, bert: BERTModel, num_classes: int) -> None:
        super().__init__()
        check_sizes(num_classes=num_classes)
        self.encoder = bert.encoder
        self.hidden = bert.hidden
        self.output = nn.Linear(bert.hidden[0].out_features, num_classes)

    def forward(self, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        tokens, segments, valid_lens = inputs
        encoded_X = self.encoder(tokens, segments, valid_lens)
        return self.output(self.hidden(encoded_X[:, 0, :]))


class BERTTagger(nn.Module):
    """词元级的标注（例如词性标注、命名实体识别）：每个词元的编码经过同一个新的全连接层，给出它的标签得分。

    ``forward(inputs)`` 的 ``inputs`` 同 :class:`BERTClassifier`；输出 ``(批量, 时间步, num_tags)``。
    ``<cls>``、``<sep>``、填充位置与一个词的非首个子词（``##`` 开头）也有输出，算损失时不计它们
    （例如把它们的标签设为 ``-100``，``cross_entropy`` 的 ``ignore_index`` 默认就忽略它）。

    Examples
    --------
    >>> bert = BERTModel(100, 32, 64, num_heads=2, num_blks=2, heads=False)
    >>> tagger = BERTTagger(bert, 5).eval()
    >>> tokens, segments = torch.randint(0, 100, (4, 9)), torch.zeros(4, 9, dtype=torch.long)
    >>> tagger((tokens, segments, torch.tensor([9, 7, 5, 9]))).shape
    torch.Size([4, 9, 5])
    """

    def __init__(self, bert: BERTModel, num_tags: int) -> None:
        super().__init__()
        check_sizes(num_tags=num_tags)
        self.encoder = bert.encoder
        self.output = nn.Linear(bert.hidden[0].out_features, num_tags)

    def forward(self, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        tokens, segments, valid_lens = inputs
        return self.output(self.encoder(tokens, segments, valid_lens))


class BERTSpanPredictor(nn.Module):
    """问答（答案是文章里的一个片段，如 SQuAD）：输入 ``<cls>`` 问题 ``<sep>`` 文章 ``<sep>``，每个词元的编码
    经过一个新的全连接层得到两个数：它作为答案 **起点** 与 **终点** 的得分。

    答案只能在文章里：片段号为 0 的位置（``<cls>`` 与问题）、文章末尾的 ``<sep>`` 与填充位置的得分设为
    负无穷，softmax 之后概率为 0。``forward(inputs)`` 返回 ``(起点得分, 终点得分)``，形状都是
    ``(批量, 时间步)``；训练时两者各与真实的起点、终点算交叉熵，预测时用 :func:`best_span`。

    Examples
    --------
    >>> bert = BERTModel(100, 32, 64, num_heads=2, num_blks=2, heads=False)
    >>> qa = BERTSpanPredictor(bert).eval()
    >>> tokens = torch.randint(0, 100, (1, 8))
    >>> segments = torch.tensor([[0, 0, 0, 1, 1, 1, 1, 1]])  # <cls> 问 <sep> | 文 文 文 <sep> 填充
    >>> start, end = qa((tokens, segments, torch.tensor([7])))
    >>> start.shape, torch.isinf(start[0]).tolist()
    (torch.Size([1, 8]), [True, True, True, False, False, False, True, True])
    """

    def __init__(self, bert: BERTModel) -> None:
        super().__init__()
        self.encoder = bert.encoder
        self.output = nn.Linear(bert.hidden[0].out_features, 2)

    def forward(self, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        tokens, segments, valid_lens = inputs
        scores = self.output(self.encoder(tokens, segments, valid_lens))
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        in_passage = (segments == 1) & (positions < valid_lens.unsqueeze(1) - 1)
        scores = scores.masked_fill(~in_passage.unsqueeze(-1), float("-inf"))
        return scores[..., 0], scores[..., 1]


def best_span(
    start_scores: torch.Tensor, end_scores: torch.Tensor, max_answer_len: int = 30
) -> torch.Tensor:
    """每个样本得分最高的答案片段 ``(起点, 终点)``：在 ``起点 <= 终点 < 起点 + max_answer_len`` 中使
    ``起点得分 + 终点得分`` 最大（原论文的做法），返回 ``(批量, 2)`` 的下标（终点包含在答案里）。

    Examples
    --------
    >>> start = torch.tensor([[1.0, 5.0, 0.0, 0.0, 0.0]])
    >>> end = torch.tensor([[6.0, 0.0, 0.0, 2.5, 3.0]])  # 起点 1、终点 0 的和最大，但终点在起点之前
    >>> best_span(start, end), best_span(start, end, max_answer_len=3)
    (tensor([[1, 4]]), tensor([[1, 3]]))
    """
    check_sizes(max_answer_len=max_answer_len)
    n = start_scores.shape[1]
    i, j = torch.arange(n).unsqueeze(1), torch.arange(n).unsqueeze(0)
    allowed = ((j >= i) & (j < i + max_answer_len)).to(start_scores.device)
    scores = start_scores.unsqueeze(2) + end_scores.unsqueeze(1)  # (批量, 起点, 终点)
    best = scores.masked_fill(~allowed, float("-inf")).flatten(1).argmax(dim=1)
    return torch.stack([best // n, best % n], dim=1)


def _minilm_names(num_blks: int) -> dict[str, str]:
    """我们的参数名 → ``BertModel`` 的参数名。"""
    names = {
        "encoder.token_embedding.weight": "embeddings.word_embeddings.weight",
        "encoder.segment_embedding.weight": "embeddings.token_type_embeddings.weight",
        "encoder.norm.weight": "embeddings.LayerNorm.weight",
        "encoder.norm.bias": "embeddings.LayerNorm.bias",
        "hidden.0.weight": "pooler.dense.weight",
        "hidden.0.bias": "pooler.dense.bias",
    }
    parts = {
        "attention.W_q": "attention.self.query",
        "attention.W_k": "attention.self.key",
        "attention.W_v": "attention.self.value",
        "attention.W_o": "attention.output.dense",
        "addnorm1.ln": "attention.output.LayerNorm",
        "ffn.dense1": "intermediate.dense",
        "ffn.dense2": "output.dense",
        "addnorm2.ln": "output.LayerNorm",
    }
    for i in range(num_blks):
        for ours, theirs in parts.items():
            for p in ("weight", "bias"):
                names[f"encoder.blks.{i}.{ours}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
    return names


def load_minilm(
    root: str | os.PathLike[str] | None = None, *, pretrained: bool = True
) -> BERTModel:
    """预训练的 MiniLM（all-MiniLM-L6-v2：6 块、隐藏 384、12 个头、前馈 1536）载入我们的 :class:`BERTModel`。

    结构按文件里的 ``config.json`` 建（``heads=False``：文件里没有遮蔽语言模型与下一句预测的输出层），
    每个参数按名字对应地从 ``model.safetensors`` 复制（:func:`~dlbook.data.bert.read_minilm` 核对两个文件的
    SHA-256）；位置嵌入是文件里的 512 个位置。返回的模型处于评估模式。对不上的名字或形状抛出 ``ValueError``。

    ``pretrained=False`` 时按同一份 ``config.json`` 建出同样的网络，参数随机初始化（PyTorch 各层的默认
    初始化，用全局随机数：先播种），不复制权重——微调的对照“同一个网络从零训练”。
    """
    from dlbook.data.bert import read_minilm

    config, weights = read_minilm(root)
    if config.get("hidden_act") != "gelu" or config.get("position_embedding_type") != "absolute":
        raise ValueError(f"只支持 GELU 激活与绝对位置嵌入的 BERT，config 是 {config}")
    net = BERTModel(
        config["vocab_size"],
        config["hidden_size"],
        config["intermediate_size"],
        config["num_attention_heads"],
        config["num_hidden_layers"],
        max_len=config["max_position_embeddings"],
        heads=False,
    )
    if not pretrained:
        return net.eval()
    state = {
        ours: weights[theirs] for ours, theirs in _minilm_names(config["num_hidden_layers"]).items()
    }
    state["encoder.pos_embedding"] = weights["embeddings.position_embeddings.weight"].unsqueeze(0)
    missing = set(net.state_dict()) - set(state)
    if missing:
        raise ValueError(f"MiniLM 的权重缺少这些参数：{sorted(missing)}")
    for name, tensor in net.state_dict().items():
        if tensor.shape != state[name].shape:
            raise ValueError(
                f"{name} 的形状是 {tuple(tensor.shape)}，文件里是 {tuple(state[name].shape)}"
            )
    net.load_state_dict(state)
    return net.eval()


def minilm_classifier(
    num_classes: int,
    pretrained: bool = True,
    num_blks: int | None = None,
    root: str | os.PathLike[str] | None = None,
) -> BERTClassifier:
    """MiniLM 的编码器与池化层加一个新的 ``num_classes`` 类输出层（:class:`BERTClassifier`）。

    ``pretrained=False`` 时是同一个网络随机初始化（:func:`load_minilm` 的 ``pretrained=False``），
    用作“从零训练”的对照；两者的结构与参数个数完全相同。给了 ``num_blks`` 时只保留编码器的前
    ``num_blks`` 块（计算量按块数成比例地减少，在 CPU 上用）。
    """
    bert = load_minilm(root, pretrained=pretrained)
    if num_blks is not None:
        if not 1 <= num_blks <= len(bert.encoder.blks):
            n = len(bert.encoder.blks)
            raise ValueError(f"num_blks 必须在 1 与 {n} 之间，收到 {num_blks!r}")
        bert.encoder.blks = bert.encoder.blks[:num_blks]
    return BERTClassifier(bert, num_classes)
