"""dlbook.experiments.runners：倒序任务的 run 函数（第 9 章）。"""

from __future__ import annotations

import pytest
import torch

from dlbook.experiments.registry import RunContext, get_experiment
from dlbook.experiments.runners import reversal_run


@pytest.mark.slow
def test_reversal_run_reports_one_value_per_seed():
    settings = get_experiment("bahdanau-attention-reversal").settings("full")
    settings.update(num_train=200, num_test=20, num_epochs=1, num_seeds=2, min_len=3, max_len=5)
    out = reversal_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    m = out.metrics
    assert len(m["token_acc_per_seed"]) == len(m["exact_match_per_seed"]) == 2
    assert all(0.0 <= v <= 1.0 for v in m["token_acc_per_seed"] + m["exact_match_per_seed"])
    assert len(m["position_acc"]) == 5
    assert m["token_acc"] == pytest.approx(sum(m["token_acc_per_seed"]) / 2)
    assert out.data["predictions"].shape == (20, 6) and out.model is not None


@pytest.mark.slow
def test_kaggle_classifier_run_writes_a_valid_submission(tmp_path, monkeypatch):
    from dlbook.data import kaggle
    from dlbook.data.fashion_mnist import locate_fashion_mnist
    from dlbook.experiments.runners import kaggle_classifier_run

    if locate_fashion_mnist() is None:
        pytest.skip("本机没有 Fashion-MNIST")
    monkeypatch.setattr(kaggle, "data_dir", lambda: tmp_path)  # 比赛写到临时目录
    settings = get_experiment("kaggle-cifar10").settings("quick")
    settings.update(num_train=60, num_test=10, num_epochs=1, batch_size=16)
    out = kaggle_classifier_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    m, run = out.metrics, out.data
    assert m["submission_problems"] == 0 and 0.0 <= m["test_acc"] <= 1.0
    assert len(m["valid_acc_per_epoch"]) == 1 and run.valid_history.final.test_acc == m["valid_acc"]
    assert run.submission.read_text().splitlines()[0] == "id,label"
    assert len(run.submission.read_text().splitlines()) == 11
    assert run.competition.solution.parent == tmp_path / "kaggle-fashion-mnist"


@pytest.mark.slow
def test_augmentation_run_trains_each_seed_and_evaluates_once():
    from dlbook.experiments.runners import augmentation_run

    settings = get_experiment("image-augmentation").settings("quick")
    settings.update(num_train=64, num_test=100, num_epochs=2, num_seeds=2)
    out = augmentation_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    m = out.metrics
    assert len(m["test_acc_per_seed"]) == len(m["train_acc_per_seed"]) == 2
    assert m["test_acc"] == pytest.approx(sum(m["test_acc_per_seed"]) / 2)
    assert len(out.data) == 2 and len(out.data[0]) == 2  # 每个种子的训练历史，各 2 轮
    assert out.data[0].final.test_acc is None  # 训练中不评估，只在最后评估一次


@pytest.mark.slow
def test_fine_tuning_run_trains_only_the_head_when_frozen():
    from dlbook.experiments.runners import fine_tuning_run

    settings = get_experiment("fine-tuning-frozen").settings("quick")
    settings.update(num_train=32, num_test=32, num_epochs=1, num_seeds=1)
    before = settings["model"].build().features.state_dict()
    out = fine_tuning_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    after = out.model.features.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert 0.0 <= out.metrics["test_acc"] <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "sentiment-analysis-cnn-en",
        "sentiment-analysis-cnn-zh",
        "sentiment-analysis-rnn-en",
        "sentiment-analysis-rnn-zh",
    ],
)
def test_sentiment_classifier_run_on_a_small_split(name):
    """情感分析的 run 函数：几个种子各训练一次，记下基线需要的量，模型能编码新句子。"""
    from dlbook.experiments.runners import sentiment_classifier_run

    settings = get_experiment(name).settings("quick")
    settings.update(max_examples=300, max_test=100, num_epochs=1, num_seeds=2)
    out = sentiment_classifier_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    m = out.metrics
    assert m["num_train"] == 300 and m["num_test"] == 100
    assert len(m["test_acc_per_seed"]) == 2 and 0.0 <= m["majority_acc"] <= 1.0
    assert m["vocab_size"] == len(out.data[1].vocab)
    histories, data = out.data
    assert len(histories) == 2
    with torch.no_grad():
        assert out.model(data.encode(["很好 good", "不好 bad"])).shape == (2, 2)
    if name == "sentiment-analysis-cnn-en":  # 不训练的词嵌入保持 GloVe 的值
        from dlbook.data.embeddings import load_glove

        glove = load_glove(1000)
        i = data.vocab["the"]
        torch.testing.assert_close(out.model.constant_embedding.weight[i], glove["the"])


@pytest.mark.slow
def test_bert_finetuning_run_reports_each_seed_and_the_majority():
    from dlbook.data.download import DataUnavailableError
    from dlbook.experiments.model_spec import FromData, ModelSpec
    from dlbook.experiments.runners import bert_finetuning_run
    from dlbook.models.bert import minilm_classifier

    settings = get_experiment("natural-language-inference-bert").settings("quick")
    settings.update(num_train=24, num_test=10, batch_size=8, num_seeds=2)
    # 只留一块，测试快一些
    spec = ModelSpec(minilm_classifier, FromData("num_classes"), pretrained=False, num_blks=1)
    settings["model"] = spec.bind(settings)
    try:
        out = bert_finetuning_run(settings, RunContext(device=torch.device("cpu"), seed=0))
    except DataUnavailableError as e:
        pytest.skip(f"没有 MiniLM 的权重或 Tatoeba 句子：{e}")
    m = out.metrics
    assert len(m["test_acc_per_seed"]) == 2 and m["num_train"] == 24 and m["num_test"] == 10
    assert all(0.0 <= v <= 1.0 for v in m["test_acc_per_seed"] + [m["majority_acc"]])
    assert len(out.model.encoder.blks) == 1 and out.model.output.out_features == 3
