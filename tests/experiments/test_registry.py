"""实验登记表、运行档位、结果文件与命令行 ``run``/``results``。"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import torch

import dlbook.data
from dlbook.cli import main
from dlbook.data import TensorBatches
from dlbook.experiments import (
    EXPERIMENTS,
    Experiment,
    ModelSetting,
    ModelSpec,
    ResultStore,
    RunContext,
    RunOutput,
    format_metrics,
    get_experiment,
    register,
    render_table,
    results_table,
    run_experiment,
)
from dlbook.experiments.expectations import evaluate_build
from dlbook.experiments.profiles import profile_setting, resolve_profile
from dlbook.experiments.provenance import build_info
from dlbook.experiments.results import json_safe
from dlbook.train.loop import History


def test_names_are_page_slugs_with_optional_suffix() -> None:
    assert len(EXPERIMENTS) >= 5
    for name, exp in EXPERIMENTS.items():
        slug = exp.page.rsplit("/", 1)[1]
        assert name == slug or name.startswith(slug + "-"), name
        assert exp.chapter.startswith("chapter_")
        assert re.fullmatch(r"[a-z0-9-]+", name)


def test_expected_experiments_and_book_references() -> None:
    for name in ("lenet", "softmax-regression-scratch", "mlp-concise", "dropout-concise"):
        assert name in EXPERIMENTS
    lenet = get_experiment("lenet")
    assert lenet.reference == {"loss": 0.469, "train_acc": 0.823, "test_acc": 0.779}
    full = lenet.settings("full")
    assert (full["lr"], full["batch_size"], full["num_epochs"], full["init"]) == (
        0.9,
        256,
        10,
        "xavier",
    )


def test_quick_profile_uses_the_same_model_factory() -> None:
    for exp in EXPERIMENTS.values():
        full, quick = exp.settings("full"), exp.settings("quick")
        assert isinstance(full["model"], ModelSetting) and isinstance(quick["model"], ModelSetting)
        assert quick["model"].spec is full["model"].spec is exp.model, exp.name
        # 快速档不比完整档训练得多：轮数不多于完整档；在少得多的样本上多训练几轮时（图像增广一节要让网络
        # 背下 200 张图像），看过的样本总数不多于完整档
        assert quick["num_epochs"] <= full["num_epochs"] or (
            quick["num_epochs"] * quick["num_train"] <= full["num_epochs"] * full["num_train"]
        ), exp.name
        # 模型的改动在快速档的设置里看得见：标签不同时 quick 里有按快速档生成的 model
        assert (quick["model"] != full["model"]) == ("model" in exp.quick), exp.name
    with pytest.raises(ValueError, match="profile"):
        get_experiment("lenet").settings("auto")


def test_register_validates(tmp_path) -> None:
    def run(settings, ctx):  # pragma: no cover - 不会被调用
        raise AssertionError

    full = {"num_epochs": 1, "model": ModelSpec(torch.nn.ReLU)}
    good = dict(page="chapter_x/y", title="t", full=full, run=run)
    with pytest.raises(ValueError, match="已经登记"):
        register(Experiment(name="lenet", **good))
    with pytest.raises(ValueError, match="slug"):
        register(Experiment(name="LeNet 5", **good))
    with pytest.raises(ValueError, match="quick"):
        register(Experiment(name="y", quick={"lr": 1}, **good))
    with pytest.raises(ValueError, match="num_epochs"):
        register(Experiment(name="y", page="chapter_x/y", title="t", full={}, run=run))
    with pytest.raises(ValueError, match="缺少 model"):
        register(Experiment(name="y", **{**good, "full": {"num_epochs": 1}}))
    # 模型的标签由模型工厂生成，不能手写
    with pytest.raises(TypeError, match="ModelSpec"):
        Experiment(name="y", **{**good, "full": {"num_epochs": 1, "model": "lenet()"}})
    with pytest.raises(ValueError, match="quick 不能写 model"):
        Experiment(name="y", quick={"model": "x"}, **good)
    with pytest.raises(ValueError, match="已登记的有"):
        get_experiment("nonexistent")


def test_profile_resolution(monkeypatch) -> None:
    monkeypatch.delenv("DLBOOK_PROFILE", raising=False)
    assert profile_setting() == "auto"
    assert resolve_profile(device="cpu") == "quick"
    assert resolve_profile(device="cpu", cheap_on_cpu=True) == "full"
    assert resolve_profile(device="cuda") == "full"
    assert resolve_profile(device="mps") == "full"
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert resolve_profile(device="cuda") == "quick"
    assert build_info()["profile"] == "quick"
    monkeypatch.setenv("DLBOOK_PROFILE", "FULL")
    assert resolve_profile(device="cpu") == "full"
    monkeypatch.setenv("DLBOOK_PROFILE", "fastest")
    with pytest.raises(ValueError, match="full、quick 或 auto"):
        resolve_profile(device="cpu")


def test_run_regression_experiment_is_deterministic() -> None:
    a = run_experiment("linear-regression-scratch", profile="full", device="cpu", verbose=False)
    b = run_experiment("linear-regression-scratch", profile="full", device="cpu", verbose=False)
    assert a.metrics["w_error"] < 0.01 and a.metrics["b_error"] < 0.01
    assert {k: v for k, v in a.metrics.items() if k != "examples_per_sec"} == {
        k: v for k, v in b.metrics.items() if k != "examples_per_sec"
    }
    assert a.profile == "full" and a.settings["num_epochs"] == 3
    c = run_experiment("linear-regression-scratch", device="cpu", epochs=1, verbose=False)
    assert c.settings["num_epochs"] == 1
    with pytest.raises(ValueError, match="epochs"):
        run_experiment("linear-regression-scratch", epochs=0)
    with pytest.raises(ValueError, match="seed"):
        run_experiment("linear-regression-scratch", seed=-1)


@pytest.fixture
def fake_fashion_mnist(monkeypatch):
    """用随机的 28×28 小数据代替 Fashion-MNIST，检查分类实验的管道（不读真实数据）。"""
    calls = []

    def fake_loader(
        batch_size, resize=None, *, root=None, seed=0, device=None, num_train=None, num_test=None
    ):
        calls.append(dict(batch_size=batch_size, resize=resize, num_train=num_train))
        g = torch.Generator().manual_seed(seed)
        X, y = torch.rand(96, 1, 28, 28, generator=g), torch.randint(0, 10, (96,), generator=g)
        return (
            TensorBatches((X, y), 32, seed=seed, device=device),
            TensorBatches((X[:40], y[:40]), 32, shuffle=False, device=device),
        )

    monkeypatch.setattr(dlbook.data, "load_fashion_mnist", fake_loader)
    return calls


@pytest.mark.parametrize(
    "name",
    [
        "softmax-regression-scratch",
        "softmax-regression-concise",
        "mlp-scratch",
        "dropout-concise",
        "lenet",
    ],
)
def test_fashion_mnist_experiments_run(fake_fashion_mnist, name) -> None:
    result = run_experiment(name, profile="quick", device="cpu", epochs=1, verbose=False)
    assert set(result.metrics) >= {"loss", "train_acc", "test_acc", "examples_per_sec"}
    assert 0 <= result.metrics["test_acc"] <= 1
    quick = get_experiment(name).settings("quick")
    assert fake_fashion_mnist[-1]["num_train"] == quick.get("num_train")
    assert fake_fashion_mnist[-1]["batch_size"] == quick["batch_size"]
    assert result.summary.endswith("examples/sec on cpu")


def test_format_metrics() -> None:
    assert format_metrics({"loss": 0.4691, "test_acc": 0.7789}) == "loss 0.469, test acc 0.779"
    assert format_metrics({"train_loss": 4.65e-05, "w_norm": 13.41}) == (
        "train loss 4.65e-05, w_norm 13.41"
    )


def _dummy_result(name: str = "lenet", profile: str = "quick", test_acc: float = 0.5):
    from dlbook.experiments import RunResult

    return RunResult(
        experiment=name,
        profile=profile,
        device="cpu",
        seed=0,
        settings={"num_epochs": 2},
        metrics={"loss": 1.0, "train_acc": 0.4, "test_acc": test_acc, "examples_per_sec": 1e3},
        summary="...",
        seconds=1.0,
        timestamp="2026-01-01T00:00:00+00:00",
        versions={},
    )


def test_results_store_and_table(tmp_path) -> None:
    path = tmp_path / "cache" / "results.json"
    store = ResultStore.user(path)
    assert store.load() == [] and not store.has("lenet")
    store.append(_dummy_result(test_acc=0.5))
    store.append(_dummy_result(test_acc=0.6))
    runs = store.load()
    assert store.has("lenet") and store.latest("lenet", "quick")["metrics"]["test_acc"] == 0.6
    assert [r["metrics"]["test_acc"] for r in runs] == [0.5, 0.6]
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.json"]

    table = results_table(results=runs)
    row = next(line for line in table.splitlines() if line.startswith("| lenet |"))
    assert "test acc 0.600" in row and "test acc 0.500" not in row  # 只显示最近一次
    assert "loss 0.469, train acc 0.823, test acc 0.779" in row
    book_only = results_table(measured=False)
    assert "我们的结果" not in book_only and "0.600" not in book_only
    rows = list(csv.reader(io.StringIO(results_table("csv", results=runs))))
    assert rows[0][:2] == ["实验", "页面"] and len(rows) == len(EXPERIMENTS) + 1
    with pytest.raises(ValueError, match="fmt"):
        results_table("html")

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="JSON"):
        store.load()


@pytest.mark.slow
def test_cli_run_and_results(tmp_path, capsys) -> None:
    store = tmp_path / "results.json"
    code = main(
        [
            "run",
            "linear-regression-scratch",
            "--device",
            "cpu",
            "--seed",
            "1",
            "--results",
            str(store),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "我们：train loss" in out and "书中：" in out and str(store) in out
    assert json.loads(store.read_text(encoding="utf-8"))["runs"][0]["seed"] == 1

    figure = tmp_path / "curve.png"
    assert (
        main(
            ["run", "underfit-overfit-normal", "--epochs", "3", "--no-save", "--plot", str(figure)]
        )
        == 0
    )
    assert figure.stat().st_size > 0
    assert "训练曲线已写到" in capsys.readouterr().out

    table_file = tmp_path / "table.md"
    assert main(["results", "--results", str(store), "-o", str(table_file)]) == 0
    table = table_file.read_text(encoding="utf-8")
    assert "| linear-regression-scratch |" in table and "train loss" in table

    capsys.readouterr()
    assert main(["results", "--book-only", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("实验,页面")

    assert main(["run", "--list"]) == 0
    assert "lenet" in capsys.readouterr().out


def test_cli_errors(capsys) -> None:
    assert main(["run", "no-such-experiment", "--no-save"]) == 1
    assert "没有名为" in capsys.readouterr().err
    assert main(["run"]) == 2
    with pytest.raises(SystemExit):
        main(["run", "lenet", "--epochs", "0"])
    with pytest.raises(SystemExit):
        main(["run", "lenet", "--profile", "medium"])
    assert (
        main(
            [
                "run",
                "lenet",
                "--device",
                "cuda:7" if not torch.cuda.is_available() else "nope",
                "--no-save",
            ]
        )
        == 1
    )


def test_custom_experiment_with_extra_metrics(tmp_path) -> None:
    def run(settings, ctx: RunContext):
        h = History(task="regression", device=str(ctx.device))
        from dlbook.train.loop import EpochRecord

        h.append(EpochRecord(1, 0.1, None, 0.2, None, 10, 1.0, 10.0, 1.0))
        return RunOutput(h, {"w_norm": 1.5})

    exp = Experiment(
        name="x-y",
        page="chapter_x/x",
        title="t",
        full={"num_epochs": 1},
        run=run,
        task="regression",
    )
    result = run_experiment(exp, device="cpu", profile="full")
    assert result.metrics == {
        "train_loss": 0.1,
        "test_loss": 0.2,
        "train_loss_per_epoch": [0.1],
        "test_loss_per_epoch": [0.2],
        "examples_per_sec": 10.0,
        "w_norm": 1.5,
    }
    bad = Experiment(
        name="x-z",
        page="chapter_x/x",
        title="t",
        full={"num_epochs": 1},
        run=lambda s, ctx: {"w_norm": 1.5},
    )
    with pytest.raises(TypeError, match="RunOutput"):
        run_experiment(bad, device="cpu")


def test_house_price_experiment_runs_on_small_table(monkeypatch) -> None:
    """K 折实验直接返回指标字典；用一张小表代替 Kaggle 数据（不读真实数据、不联网）。"""
    import pandas as pd

    g = torch.Generator().manual_seed(0)
    n = 40
    area = torch.rand(n, generator=g) * 100 + 50
    train = pd.DataFrame(
        {
            "Id": range(1, n + 1),
            "Area": area.tolist(),
            "Zone": ["A", "B", None, "A"] * (n // 4),
            "SalePrice": (area * 1000 + 20000).tolist(),
        }
    )
    test = train.drop(columns="SalePrice").iloc[:5]
    monkeypatch.setattr(dlbook.data, "load_house_prices", lambda *a, **k: (train, test))
    result = run_experiment("kaggle-house-price", device="cpu", epochs=3, verbose=False)
    assert set(result.metrics) == {"train_log_rmse", "valid_log_rmse"}
    assert result.summary.startswith("train_log_rmse ")


def _a_run(name: str, profile: str, test_acc: float) -> dict:
    return {
        "experiment": name,
        "profile": profile,
        "device": "cuda:0" if profile == "full" else "cpu",
        "seed": 0,
        "settings": {"num_epochs": 10},
        "metrics": {"test_acc": test_acc},
        "summary": "",
        "seconds": 90.0,
        "timestamp": "2026-11-28T10:00:00+00:00",
        "versions": {"commit": "0123456789abcdef"},
    }


def test_run_experiment_records_its_result_only_in_a_build(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DLBOOK_RESULTS", str(tmp_path / "results.json"))
    monkeypatch.delenv("DLBOOK_BUILD_RESULTS", raising=False)
    run_experiment("linear-regression-scratch", verbose=False)  # 平时：不写任何文件
    assert ResultStore.build() is None and ResultStore.user().load() == []
    monkeypatch.setenv("DLBOOK_BUILD_RESULTS", str(tmp_path / "build"))
    result = run_experiment("linear-regression-scratch", verbose=False)
    run_experiment("linear-regression-scratch", epochs=1, verbose=False)  # 改了轮数：不记
    store = ResultStore.build()
    assert [r["experiment"] for r in store.load()] == ["linear-regression-scratch"]
    run = store.latest("linear-regression-scratch")
    assert run["metrics"] == json.loads(json.dumps(result.metrics))
    assert run["settings"]["num_epochs"] == 3 and run["profile"] == "full"
    assert run["settings"]["model"] == "linreg(X, w, b)"  # 结果文件里是模型的标签
    assert result.data["w"].shape == (2,)  # 手写模型的参数在 data 里
    assert store.latest("lenet") is None and not store.has("lenet")


def test_comparison_rows_show_book_build_and_record(tmp_path, monkeypatch) -> None:
    from dlbook.experiments import comparison_rows, results

    build = [_a_run("lenet", "full", 0.8123)]
    recorded = [_a_run("lenet", "full", 0.8777)]
    rows = {r[0]: r for r in comparison_rows(build, recorded)}
    assert rows["lenet"][1].startswith("loss 0.469")  # 书中的结果
    assert rows["lenet"][2] == "test acc 0.812（full 档，cuda:0）"
    assert rows["lenet"][3] == "test acc 0.878（cuda:0，提交 0123456，2026-11-28，1.5 分钟）"
    assert rows["mlp-scratch"][2] == "本次构建没有运行"
    assert rows["mlp-scratch"][3].startswith("尚无")
    # 记录在案的文件里只有完整档的运行才算数
    path = tmp_path / "recorded.json"
    path.write_text(
        json.dumps({"format": 1, "runs": [_a_run("lenet", "quick", 0.5), recorded[0]]}),
        encoding="utf-8",
    )
    monkeypatch.setattr(results, "RECORDED_RESULTS", path)
    recorded = ResultStore.recorded()
    assert recorded.latest("lenet")["profile"] == "full"
    assert recorded.latest("lenet", "quick")["metrics"]["test_acc"] == 0.5
    # 各页“完整档的结果”只用完整档的记录
    assert "0.878" in results.full_results_table(["lenet"]).splitlines()[-1]


def test_recorded_results_file_holds_only_real_full_runs() -> None:
    for run in ResultStore.recorded().load():
        assert run["profile"] == "full" and run["experiment"] in EXPERIMENTS
        assert run["device"] and run["timestamp"] and run["versions"].get("commit")


def test_recorded_runs_satisfy_their_expectations(tmp_path) -> None:
    """记录在案的完整档运行也要满足登记的预期（只对快速档成立的论断写明 profile="quick"）。"""
    for run in ResultStore.recorded().load():
        (tmp_path / f"{run['experiment']}.json").write_text(json.dumps(run), encoding="utf-8")
    checks = evaluate_build(tmp_path, require_runs=False)
    assert checks, "记录里应有带预期的运行"
    assert [c.message() for c in checks if not c.holds] == []


def test_recorded_runs_used_the_current_full_settings() -> None:
    """改了一个实验的完整档设置，它记录在案的运行就过时了：要重新运行（或删掉那条记录）。"""
    for run in ResultStore.recorded().load():
        settings = get_experiment(run["experiment"]).settings("full")
        current = json.loads(json.dumps(json_safe(settings)))
        assert run["settings"] == current, f"{run['experiment']} 的记录用的是旧设置，请重新记录"


def test_model_labels_are_derived_from_the_factory() -> None:
    """模型的标签由工厂与设置生成：改了设置，标签跟着变，建出的模型也跟着变。"""
    rnn = get_experiment("rnn-scratch")
    assert rnn.full["model"] == "RNNScratch(vocab_size, 512)"  # 词表大小读完数据才知道
    net = rnn.full["model"].build(torch.Generator().manual_seed(0), vocab_size=7)
    assert type(net).__name__ == "RNNScratch"
    with pytest.raises(ValueError, match="vocab_size"):
        rnn.full["model"].build()
    alexnet = get_experiment("alexnet")
    assert alexnet.full["model"] == "alexnet()"
    quick = alexnet.settings("quick")
    assert quick["model"] == f"alexnet(ratio={quick['ratio']}, image_size={quick['resize']})"
    assert alexnet.quick["model"] == quick["model"]  # 快速档的改动里看得见
    overfit = get_experiment("underfit-overfit-overfit")
    assert overfit.full["model"] == "nn.Linear(20, 1, bias=False)"
    # 结果文件里是普通的字符串
    assert json.loads(json.dumps({"model": quick["model"]})) == {"model": str(quick["model"])}


def test_render_table_is_the_one_renderer() -> None:
    rows = [["a|b", "1"], ["c", "2"]]
    assert render_table(rows, ["名字", "值"]).splitlines() == [
        "| 名字 | 值 |",
        "|---|---|",
        "| a\\|b | 1 |",
        "| c | 2 |",
    ]
    assert list(csv.reader(io.StringIO(render_table(rows, ["名字", "值"], "csv")))) == [
        ["名字", "值"],
        ["a|b", "1"],
        ["c", "2"],
    ]
    with pytest.raises(ValueError, match="fmt"):
        render_table(rows, ["名字", "值"], "html")
