"""BERT 模型：形状、输出层，以及载入的 MiniLM 与 transformers 的 BertModel 输出一致。"""

import pytest
import torch

from dlbook.data.download import DataUnavailableError
from dlbook.models.bert import BERTEncoder, BERTModel, MaskLM


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
