"""BERT 模型：形状、输出层，以及载入的 MiniLM 与 transformers 的 BertModel 输出一致。"""

import pytest
import torch

from dlbook.data.download import DataUnavailableError
from dlbook.models.bert import (
    BERTClassifier,
    BERTEncoder,
    BERTModel,
    BERTSpanPredictor,
    BERTTagger,
    MaskLM,
    best_span,
)


def test_padding_does_not_change_valid_positions():
    torch.manual_seed(0)
    encoder = BERTEncoder(50, 16, 32, num_heads=2, num_blks=2).eval()
    tokens = torch.randint(5, 50, (1, 6))
    segments = torch.zeros(1, 6, dtype=torch.long)
    short = encoder(tokens[:, :4], segments[:, :4], torch.tensor([4]))
    padded = encoder(tokens, segments, torch.tensor([4]))
    torch.testing.assert_close(short, padded[:, :4])


def test_mask_lm_gathers_positions():
    torch.manual_seed(0)
    mlm = MaskLM(7, 4).eval()
    X = torch.randn(2, 5, 4)
    out = mlm(X, torch.tensor([[0, 3], [4, 4]]))
    torch.testing.assert_close(out[0, 1], mlm.mlp(X[0, 3]))
    torch.testing.assert_close(out[1, 0], out[1, 1])


def test_heads_false_has_no_outputs():
    net = BERTModel(20, 8, 16, 2, 1, heads=False)
    encoded, mlm_Y_hat, nsp_Y_hat = net(
        torch.zeros(1, 3, dtype=torch.long), torch.zeros(1, 3, dtype=torch.long)
    )
    assert encoded.shape == (1, 3, 8) and mlm_Y_hat is None and nsp_Y_hat is None


def _inputs(batch=3, steps=7):
    tokens = torch.randint(0, 20, (batch, steps))
    segments = torch.zeros(batch, steps, dtype=torch.long)
    segments[:, 3:] = 1
    return tokens, segments, torch.tensor([steps, 5, 6][:batch])


def test_classifier_reuses_encoder_and_pooler():
    torch.manual_seed(0)
    bert = BERTModel(20, 8, 16, 2, 1, heads=False).eval()
    net = BERTClassifier(bert, 3).eval()
    inputs = _inputs()
    encoded, _, _ = bert(*inputs)
    torch.testing.assert_close(net(inputs), net.output(bert.hidden(encoded[:, 0])))
    assert net.encoder is bert.encoder and net.hidden is bert.hidden
    with pytest.raises(ValueError):
        BERTClassifier(bert, 0)


def test_tagger_scores_every_position():
    torch.manual_seed(0)
    bert = BERTModel(20, 8, 16, 2, 1, heads=False).eval()
    tagger = BERTTagger(bert, 4).eval()
    inputs = _inputs()
    encoded, _, _ = bert(*inputs)
    torch.testing.assert_close(tagger(inputs), tagger.output(encoded))


def test_span_predictor_masks_all_but_the_passage():
    torch.manual_seed(0)
    qa = BERTSpanPredictor(BERTModel(20, 8, 16, 2, 1, heads=False)).eval()
    tokens, segments, valid_lens = _inputs()
    start, end = qa((tokens, segments, valid_lens))
    for scores in (start, end):
        allowed = torch.isfinite(scores)
        for i, n in enumerate(valid_lens.tolist()):
            assert allowed[i].nonzero().flatten().tolist() == list(range(3, n - 1))
    loss = torch.nn.functional.cross_entropy(start, torch.tensor([3, 4, 3]))
    loss.backward()  # 被遮住的位置不产生 NaN
    assert all(torch.isfinite(p.grad).all() for p in qa.parameters() if p.grad is not None)


def test_best_span_matches_brute_force():
    torch.manual_seed(0)
    start, end = torch.randn(5, 9), torch.randn(5, 9)
    for max_len in (1, 3, 9):
        got = best_span(start, end, max_len)
        for b in range(5):
            best = max(
                ((i, j) for i in range(9) for j in range(i, min(9, i + max_len))),
                key=lambda ij: start[b, ij[0]] + end[b, ij[1]],
            )
            assert tuple(got[b].tolist()) == best


def _minilm():
    from dlbook.models.bert import load_minilm

    try:
        return load_minilm()
    except DataUnavailableError as e:
        pytest.skip(f"没有 MiniLM 的权重：{e}")


@pytest.mark.slow
def test_minilm_matches_transformers():
    transformers = pytest.importorskip("transformers")
    from dlbook.data.bert import minilm_tokenizer, read_minilm

    net = _minilm()
    config, weights = read_minilm()
    ref = transformers.BertModel(transformers.BertConfig(**config), add_pooling_layer=True)
    ref.load_state_dict(
        {k: v for k, v in weights.items() if k != "embeddings.position_ids"}, strict=False
    )
    ref.eval()
    tokenizer = minilm_tokenizer()
    texts = [
        "A man is playing a guitar.",
        "The bank raised its interest rates again this year, sadly.",
    ]
    tokens, segments, valid_lens = tokenizer.encode_batch(texts)
    mask = (torch.arange(tokens.shape[1]) < valid_lens[:, None]).long()
    with torch.no_grad():
        out = ref(input_ids=tokens, token_type_ids=segments, attention_mask=mask)
        encoded, _, _ = net(tokens, segments, valid_lens)
    valid = mask.bool()
    torch.testing.assert_close(encoded[valid], out.last_hidden_state[valid], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(net.hidden(encoded[:, 0]), out.pooler_output, atol=1e-4, rtol=1e-4)


def test_minilm_classifier_pretrained_and_scratch():
    from dlbook.models.bert import minilm_classifier

    bert = _minilm()
    torch.manual_seed(0)
    net = minilm_classifier(3)
    scratch = minilm_classifier(3, pretrained=False, num_blks=2)
    for name, tensor in bert.encoder.state_dict().items():
        torch.testing.assert_close(net.encoder.state_dict()[name], tensor)
    assert len(scratch.encoder.blks) == 2 and len(net.encoder.blks) == 6
    embedding = bert.encoder.token_embedding.weight
    assert not torch.equal(scratch.encoder.token_embedding.weight, embedding)
    assert sum(p.numel() for p in minilm_classifier(3, pretrained=False).parameters()) == sum(
        p.numel() for p in net.parameters()
    )
    with pytest.raises(ValueError, match="num_blks"):
        minilm_classifier(3, num_blks=7)
