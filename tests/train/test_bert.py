"""预训练 BERT：损失只算真正的预测位置，训练让损失下降，对照的精度。"""

import torch

from dlbook.data.bert import BERT_RESERVED_TOKENS, BERTPretrainingData
from dlbook.data.text import Vocab
from dlbook.models.bert import BERTModel
from dlbook.train.bert import bert_batch_loss, most_frequent_token_accuracy, train_bert

PARAGRAPHS = [
    [["the", "cat", "sat", "on", "the", "mat"], ["it", "was", "a", "happy", "cat"]],
    [["the", "dog", "ran"], ["it", "ran", "to", "the", "park"], ["the", "end"]],
]


def _data():
    vocab = Vocab([s for p in PARAGRAPHS for s in p], reserved_tokens=list(BERT_RESERVED_TOKENS))
    return BERTPretrainingData(PARAGRAPHS, vocab, max_len=16, seed=0), vocab


def test_padded_predictions_do_not_count():
    data, vocab = _data()
    torch.manual_seed(0)
    net = BERTModel(len(vocab), 8, 16, 2, 1).eval()
    batch = dict(data.tensors)
    mlm_l, _, _, _ = bert_batch_loss(net, batch)
    changed = dict(batch, mlm_labels=batch["mlm_labels"].clone())
    changed["mlm_labels"][batch["mlm_weights"] == 0] = 5  # 只改填充的预测位置的目标
    torch.testing.assert_close(bert_batch_loss(net, changed)[0], mlm_l)


def test_training_lowers_mlm_loss():
    data, vocab = _data()
    torch.manual_seed(0)
    net = BERTModel(len(vocab), 16, 32, 2, 1)
    history = train_bert(net, data, 60, batch_size=4, lr=0.01, held_out=data, eval_every=30)
    assert history.window_mean("mlm_loss", 50, 60) < history.window_mean("mlm_loss", 0, 10)
    assert history.eval_steps == [30, 60]


def test_most_frequent_baseline():
    data, _ = _data()
    labels = data.tensors["mlm_labels"][data.tensors["mlm_weights"] > 0]
    top = torch.bincount(labels).max().item()
    assert abs(most_frequent_token_accuracy(data, data) - top / len(labels)) < 1e-6
