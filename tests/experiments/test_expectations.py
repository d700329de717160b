"""dlbook.experiments.expectations：预期的写法、检查，以及让一次小构建因论断不成立而失败。"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dlbook.experiments import EXPERIMENTS, Experiment, RunOutput
from dlbook.experiments.expectations import (
    above,
    at_least,
    at_most,
    below,
    check_build_expectations,
    claim,
    load_claims,
    metric_value,
)

ROOT = Path(__file__).resolve().parents[2]


def _experiment(name, expect, runs_in_build=True):
    return Experiment(
        name=name,
        page=f"chapter_demo/{name}",
        title="演示",
        full=dict(num_epochs=1),
        run=lambda s, ctx: RunOutput(),
        expect=expect,
        runs_in_build=runs_in_build,
    )


def _write(directory, name, metrics, profile="quick"):
    path = directory / f"{name}.json"
    path.write_text(
        json.dumps({"experiment": name, "profile": profile, "metrics": metrics}), encoding="utf-8"
    )


def test_metric_value_reads_a_key_or_one_epoch():
    m = {"test_acc": 0.8, "loss_per_epoch": [0.9, 0.5]}
    assert metric_value(m, "test_acc") == 0.8
    assert metric_value(m, "loss_per_epoch[0]") == 0.9
    assert metric_value(m, "loss_per_epoch[-1]") == 0.5
    with pytest.raises(KeyError):
        metric_value(m, "train_acc")
    with pytest.raises(KeyError):
        metric_value(m, "test_acc[0]")
    with pytest.raises(ValueError):
        metric_value(m, "loss per epoch")


def test_constructors_check_their_arguments():
    with pytest.raises(ValueError):
        at_least("test acc", 0.8, "精度高")
    with pytest.raises(ValueError):
        at_most("loss", 1.0, " ")
    with pytest.raises(ValueError):
        below("loss", "lenet", "更低", other_metric="x[")


def test_thresholds_and_comparisons(tmp_path):
    base = _experiment("demo-base", (at_least("test_acc", 0.5, "基线学到了东西"),))
    better = _experiment(
        "demo-better",
        (
            above("test_acc", "demo-base", "比基线准"),
            below("loss_per_epoch[0]", "demo-base", "第 1 轮之后损失就更低"),
            at_most("loss", 0.1, "损失低于 0.1"),
        ),
    )
    _write(tmp_path, "demo-base", {"test_acc": 0.6, "loss_per_epoch": [1.0]})
    _write(tmp_path, "demo-better", {"test_acc": 0.7, "loss": 0.3, "loss_per_epoch": [0.8]})
    failures = check_build_expectations(tmp_path, [base, better])
    assert len(failures) == 1
    assert "chapter_demo/demo-better" in failures[0]
    assert "损失低于 0.1" in failures[0] and "loss = 0.3" in failures[0]


def test_comparison_across_profiles_or_with_a_missing_run_fails(tmp_path):
    exp = _experiment("demo-a", (below("loss", "demo-b", "更低"),))
    _write(tmp_path, "demo-a", {"loss": 0.1}, profile="quick")
    _write(tmp_path, "demo-b", {"loss": 0.2}, profile="full")
    (failure,) = check_build_expectations(tmp_path, [exp])
    assert "quick" in failure and "full" in failure
    (tmp_path / "demo-b.json").unlink()
    (failure,) = check_build_expectations(tmp_path, [exp])
    assert "demo-b 在本次构建中没有运行" in failure


def test_an_expectation_for_one_profile_checks_only_runs_of_that_profile(tmp_path):
    exp = _experiment(
        "demo-p",
        (
            at_most("loss", 0.5, "快速档：损失低于 0.5", profile="quick"),
            at_least("loss", 0.5, "完整档背下了训练集，留出损失反而更高", profile="full"),
        ),
    )
    _write(tmp_path, "demo-p", {"loss": 0.3}, profile="quick")
    assert check_build_expectations(tmp_path, [exp]) == []
    _write(tmp_path, "demo-p", {"loss": 0.3}, profile="full")
    (failure,) = check_build_expectations(tmp_path, [exp])
    assert "完整档背下了训练集" in failure
    with pytest.raises(ValueError, match="profile"):
        at_least("loss", 0.5, "档位写错", profile="fast")


def test_experiment_that_should_have_run_but_did_not_fails(tmp_path):
    ran = _experiment("demo-ran", (at_least("test_acc", 0.5, "学到了东西"),))
    cli_only = _experiment("demo-cli", (at_least("test_acc", 0.5, "学到了东西"),), False)
    (failure,) = check_build_expectations(tmp_path, [ran, cli_only])
    assert "demo-ran 在本次构建中没有运行" in failure and "学到了东西" in failure
    assert check_build_expectations(tmp_path, [ran], require_runs=False) == []


def test_claims_are_recorded_in_a_build_and_checked(tmp_path, monkeypatch):
    monkeypatch.delenv("DLBOOK_BUILD_RESULTS", raising=False)
    assert claim("demo", "甲好于乙", {"甲": 1.0}, True, page="p").holds
    assert not (tmp_path / "claims").exists()
    monkeypatch.setenv("DLBOOK_BUILD_RESULTS", str(tmp_path))
    claim("demo-true", "甲好于乙", {"甲": 1.0, "乙": 2.0}, True, page="chapter_x/a")
    claim("demo-false", "乙好于甲", {"甲": 1.0, "乙": [2.0, 3.0]}, False, page="chapter_x/b")
    assert [c.name for c in load_claims(tmp_path)] == ["demo-false", "demo-true"]
    (failure,) = check_build_expectations(tmp_path, [])
    assert failure == "chapter_x/b：demo-false 的论断「乙好于甲」不成立：甲 = 1，乙 = [2, 3]"


def test_every_declared_expectation_names_a_registered_experiment():
    for exp in EXPERIMENTS.values():
        for e in exp.expect:
            assert e.other is None or e.other in EXPERIMENTS, (exp.name, e.other)


PAGE = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
# 页面

```{code-cell} ipython3
from dlbook.experiments import ResultStore, RunResult, claim

run = RunResult("lenet", "full", "cpu", 0, {}, {"test_acc": 0.1234}, "", 0.1, "", {})
ResultStore.build().append(run)
_ = claim("demo-claim", "甲比乙好", {"甲": 1.5, "乙": 2.5}, False, page="chapter_demo/page")
```
"""


@pytest.mark.slow
def test_a_build_whose_claims_do_not_hold_fails(tmp_path):
    """一次小构建：页面记下违背 lenet 预期的结果与一条不成立的论断，构建失败并写明页面、论断与数字。"""
    # 与 tests/docs/test_build.py 相同的小项目：本书的 conf.py（不带本书页面的时间预算），一章一页
    conf = (ROOT / "conf.py").read_text(encoding="utf-8") + "\ndlbook_time_budgets = {}\n"
    (tmp_path / "conf.py").write_text(conf, encoding="utf-8")
    (tmp_path / "index.md").write_text(
        "# 测试\n\n```{toctree}\ndocs/chapter_demo/page\nauto_examples/index\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "docs" / "chapter_demo").mkdir(parents=True)
    (tmp_path / "docs" / "chapter_demo" / "page.md").write_text(PAGE, encoding="utf-8")
    gallery = tmp_path / "examples" / "chapter_demo"
    gallery.mkdir(parents=True)
    (tmp_path / "examples" / "GALLERY_HEADER.rst").write_text("示例\n====\n", encoding="utf-8")
    (gallery / "GALLERY_HEADER.rst").write_text("演示\n====\n", encoding="utf-8")
    (gallery / "plot_demo.py").write_text(
        '"""\n演示\n====\n\n算一个数。\n"""\n\nimport time\n\ntime.sleep(0.01)\nprint(1)\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", ".", "_build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    lenet = EXPERIMENTS["lenet"]
    assert f"{lenet.page}：lenet 的论断「{lenet.expect[0].claim}」不成立" in output
    assert "test_acc = 0.1234" in output
    assert (
        "chapter_demo/page：" in output and "的论断「甲比乙好」不成立：甲 = 1.5，乙 = 2.5" in output
    )
