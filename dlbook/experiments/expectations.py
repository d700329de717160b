"""实验的预期：页面上的论断写成构建时检查的条件，不成立时构建失败。

每个登记的实验在 ``Experiment(..., expect=(...))`` 里声明它必须显示的东西::

    register(Experiment(
        name="batch-norm-scratch", ...,
        expect=(
            at_least("test_acc", 0.85, "BN-LeNet 在测试集上的精度超过 0.85"),
            below("loss_per_epoch[0]", "lenet", "第 1 轮之后，BN-LeNet 的训练损失已经低于 LeNet"),
        ),
    ))

四种预期，每种返回一个 :class:`Expectation`：

* ``at_least(metric, value, claim)``：这次运行的 ``metric >= value``；
* ``at_most(metric, value, claim)``：``metric <= value``；
* ``below(metric, other, claim, other_metric=None)``：``metric`` 小于同一次构建中实验 ``other`` 的
  ``other_metric`` （默认同名指标）；两次运行必须是同一个档位。``other=None`` 时与这次运行自己的
  ``other_metric`` 比较（例如训练句子与留出句子上的 BLEU）；
* ``above(metric, other, claim, other_metric=None)``：大于。

``claim`` 是页面上的那句话（中文），失败信息原样引用它。四种预期都接受 ``profile="quick"`` 或
``profile="full"``：只检查那个档位的运行。快速档与完整档有时显出不同的事（快速档没训练够、完整档
过拟合），两句话各自写明档位；测试套件用同样的检查核对记录在案的完整档运行。

**指标的写法。** ``metric`` 是运行结果 ``metrics`` 字典的键，例如 ``"test_acc"``、``"perplexity"``；
值是列表的指标可以取其中一项，下标从 0 开始、可以为负：``"loss_per_epoch[0]"`` 是第 1 轮之后的训练损失，
``"test_acc_per_epoch[-1]"`` 是最后一轮的测试精度。分类与回归的运行在 ``metrics`` 里记下每轮的序列
（``loss_per_epoch``、``train_acc_per_epoch``、``test_acc_per_epoch``；回归是 ``train_loss_per_epoch``、
``test_loss_per_epoch``），见 :func:`dlbook.experiments.runners.metrics_from_history`。

**页面自己算出的论断。** 比较几次运行、或比较不在登记表里的数（例如 n 元语法的困惑度）时，页面调用
:func:`claim`：``claim(name, text, values, holds, page=...)`` 把论断、它用到的数与是否成立写进本次构建的
结果目录（``<结果目录>/claims/<name>.json``）；不在构建中时只返回记录，不写文件。

**构建时的检查。** 所有页面与示例运行完之后，Sphinx 扩展调用 :func:`check_build_expectations`：
它读出本次构建的结果目录，检查每个登记实验的每条预期与每条页面论断，返回失败信息的列表（每条写明页面、
论断与数字）；列表非空时构建失败。``runs_in_build=True`` 的实验若在本次构建中没有运行，它的预期也算失败。
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlbook.book.environment import BUILD_RESULTS_ENV
from dlbook.utils.serialization import atomic_write

if TYPE_CHECKING:
    from dlbook.experiments.registry import Experiment

__all__ = [
    "Check",
    "Claim",
    "Expectation",
    "above",
    "at_least",
    "at_most",
    "below",
    "check_build_expectations",
    "claim",
    "evaluate_build",
    "load_claims",
    "metric_value",
]


_METRIC = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>-?\d+)\])?$")
_KINDS = {"at_least": ">=", "at_most": "<=", "below": "<", "above": ">"}


def metric_value(metrics: Mapping[str, Any], metric: str) -> float:
    """按指标的写法（``"test_acc"`` 或 ``"loss_per_epoch[0]"``）从指标字典里取出一个数。

    Raises
    ------
    KeyError
        没有这个指标，或下标越界。

    Examples
    --------
    >>> m = {"test_acc": 0.8, "loss_per_epoch": [0.9, 0.5, 0.4]}
    >>> metric_value(m, "test_acc"), metric_value(m, "loss_per_epoch[0]"), metric_value(m, "loss_per_epoch[-1]")
    (0.8, 0.9, 0.4)
    >>> metric_value(m, "loss_per_epoch[3]")
    Traceback (most recent call last):
    ...
    KeyError: 'loss_per_epoch[3]：只有 3 项'
    """
    match = _METRIC.match(metric)
    if match is None:
        raise ValueError(f"指标应写成 name 或 name[i]，收到 {metric!r}")
    key, index = match["key"], match["index"]
    if key not in metrics or metrics[key] is None:
        raise KeyError(f"{metric}：没有这个指标")
    value = metrics[key]
    if index is not None:
        if not isinstance(value, (list, tuple)):
            raise KeyError(f"{metric}：{key} 不是每轮的序列")
        i = int(index)
        if not -len(value) <= i < len(value):
            raise KeyError(f"{metric}：只有 {len(value)} 项")
        value = value[i]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KeyError(f"{metric}：值 {value!r} 不是数")
    return float(value)


def _check_metric(metric: str) -> None:
    if not isinstance(metric, str) or _METRIC.match(metric) is None:
        raise ValueError(f"指标应写成 name 或 name[i]，收到 {metric!r}")


def _check_claim(claim: str) -> None:
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError("claim 必须是页面上的那句话，不能为空")


@dataclass(frozen=True)
class Expectation:
    """一条预期：某次运行的指标与一个阈值或另一个实验的指标之间的关系。

    用 :func:`at_least`、:func:`at_most`、:func:`below`、:func:`above` 创建它。

    Attributes
    ----------
    kind : {"at_least", "at_most", "below", "above"}
        关系。
    metric : str
        这次运行的指标（写法见模块说明）。
    claim : str
        页面上的论断。
    value : float or None
        阈值（``at_least``/``at_most``）。
    other : str or None
        比较的另一个实验（``below``/``above``）。
    other_metric : str or None
        另一个实验的指标，默认与 ``metric`` 相同。
    profile : {"full", "quick"} or None
        只对这个档位的运行成立的论断；``None`` 时对每个档位都成立。同一个实验在两个档位上可能显出
        不同的事（例如快速档没训练够、完整档过拟合），两句话各自写明档位。
    """

    kind: str
    metric: str
    claim: str
    value: float | None = None
    other: str | None = None
    other_metric: str | None = None
    profile: str | None = None

    def applies_to(self, profile: str | None) -> bool:
        """这条预期是否检查 ``profile`` 档的运行。

        Examples
        --------
        >>> e = at_least("test_acc", 0.8, "精度超过 0.8", profile="quick")
        >>> e.applies_to("quick"), e.applies_to("full"), at_least("x", 1, "c").applies_to("full")
        (True, False, True)
        """
        return self.profile is None or self.profile == profile

    @property
    def compares(self) -> bool:
        """是否与另一个指标比较（``below``/``above``），而不是与阈值比较。"""
        return self.kind in ("below", "above")

    def describe(self) -> str:
        """条件本身，例如 ``test_acc >= 0.8`` 或 ``loss_per_epoch[0] < lenet 的 loss_per_epoch[0]``。

        Examples
        --------
        >>> at_least("test_acc", 0.8, "精度超过 0.8").describe()
        'test_acc >= 0.8'
        >>> below("perplexity", "rnn-scratch", "更低").describe()
        'perplexity < rnn-scratch 的 perplexity'
        """
        op = _KINDS[self.kind]
        if self.compares:
            return f"{self.metric} {op} {self._other_name()}{self.other_metric or self.metric}"
        return f"{self.metric} {op} {self.value:g}"

    def _other_name(self) -> str:
        return "" if self.other is None else f"{self.other} 的 "

    def evaluate(
        self, metrics: Mapping[str, Any], other_metrics: Mapping[str, Any] | None = None
    ) -> tuple[bool, str]:
        """检查这条预期，返回是否成立与用到的数（写成一句话）。

        取不到指标时抛出 ``KeyError``。

        Examples
        --------
        >>> at_least("test_acc", 0.8, "精度超过 0.8").evaluate({"test_acc": 0.75})
        (False, 'test_acc = 0.75，要求 >= 0.8')
        >>> e = below("loss_per_epoch[0]", "lenet", "BN 先降")
        >>> e.evaluate({"loss_per_epoch": [0.6]}, {"loss_per_epoch": [1.2]})
        (True, 'loss_per_epoch[0] = 0.6，lenet 的 loss_per_epoch[0] = 1.2，要求 <')
        """
        mine = metric_value(metrics, self.metric)
        op = _KINDS[self.kind]
        if self.compares:
            if self.other is None:
                other_metrics = metrics
            elif other_metrics is None:
                raise KeyError(f"没有实验 {self.other} 的结果")
            other_metric = self.other_metric or self.metric
            theirs = metric_value(other_metrics, other_metric)
            numbers = (
                f"{self.metric} = {mine:.4g}，{self._other_name()}{other_metric} = {theirs:.4g}，"
                f"要求 {op}"
            )
        else:
            theirs = float(self.value)
            numbers = f"{self.metric} = {mine:.4g}，要求 {op} {theirs:g}"
        holds = _compare(self.kind, mine, theirs)
        return holds, numbers


def _compare(kind: str, a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return {"at_least": a >= b, "at_most": a <= b, "below": a < b, "above": a > b}[kind]


def _check_profile(profile: str | None) -> None:
    if profile not in (None, "full", "quick"):
        raise ValueError(f"profile 必须是 None、'full' 或 'quick'，收到 {profile!r}")


def at_least(metric: str, value: float, claim: str, *, profile: str | None = None) -> Expectation:
    """这次运行的 ``metric >= value`` （``profile`` 给出时只检查这个档位的运行）。"""
    return _threshold("at_least", metric, value, claim, profile)


def at_most(metric: str, value: float, claim: str, *, profile: str | None = None) -> Expectation:
    """这次运行的 ``metric <= value`` （``profile`` 给出时只检查这个档位的运行）。"""
    return _threshold("at_most", metric, value, claim, profile)


def _threshold(
    kind: str, metric: str, value: float, claim: str, profile: str | None
) -> Expectation:
    _check_metric(metric)
    _check_claim(claim)
    _check_profile(profile)
    return Expectation(kind, metric, claim, value=float(value), profile=profile)


def below(
    metric: str,
    other: str | None,
    claim: str,
    other_metric: str | None = None,
    *,
    profile: str | None = None,
) -> Expectation:
    """这次运行的 ``metric`` 小于同一次构建、同一档位中实验 ``other`` 的 ``other_metric``
    （``other=None``：这次运行自己的 ``other_metric``；``profile`` 给出时只检查这个档位的运行）。"""
    return _comparison("below", metric, other, claim, other_metric, profile)


def above(
    metric: str,
    other: str | None,
    claim: str,
    other_metric: str | None = None,
    *,
    profile: str | None = None,
) -> Expectation:
    """这次运行的 ``metric`` 大于同一次构建、同一档位中实验 ``other`` 的 ``other_metric``
    （``other=None``：这次运行自己的 ``other_metric``；``profile`` 给出时只检查这个档位的运行）。"""
    return _comparison("above", metric, other, claim, other_metric, profile)


def _comparison(
    kind: str,
    metric: str,
    other: str | None,
    claim: str,
    other_metric: str | None,
    profile: str | None,
) -> Expectation:
    _check_metric(metric)
    _check_claim(claim)
    _check_profile(profile)
    if other_metric is not None:
        _check_metric(other_metric)
    if other is None and other_metric is None:
        raise ValueError("other=None（与这次运行自己比较）时必须给出 other_metric")
    return Expectation(kind, metric, claim, other=other, other_metric=other_metric, profile=profile)


# ---------------------------------------------------------------------------
# 页面自己算出的论断
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """页面自己检查的一条论断：名字、页面、原话、用到的数与是否成立。"""

    name: str
    page: str
    text: str
    values: dict[str, Any]
    holds: bool


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def claim(name: str, text: str, values: Mapping[str, Any], holds: bool, *, page: str) -> Claim:
    """记下页面自己算出的一条论断；构建本书时写进 ``<结果目录>/claims/<name>.json``。

    Parameters
    ----------
    name : str
        论断的名字（全书唯一，小写、用连字符），例如 ``"lstm-beats-trigram"``。
    text : str
        页面上的那句话。
    values : mapping
        论断用到的数（名字 → 数或数的列表），失败信息原样列出它们。
    holds : bool
        论断是否成立（页面用这些数算出来）。
    page : str
        页面路径（相对 ``docs/``，不带扩展名）。

    Returns
    -------
    Claim
        记下的论断。不在构建中时不写文件，论断不成立也不报错，只由返回值说明。

    Examples
    --------
    >>> c = claim("demo", "LSTM 的困惑度低于三元语法", {"lstm": 5.1, "trigram": 7.9},
    ...           5.1 < 7.9, page="chapter_recurrent-modern/lstm")
    >>> c.holds
    True
    """
    if not isinstance(name, str) or not name or name != name.strip().lower() or " " in name:
        raise ValueError(f"论断名应是小写、无空格的名字，收到 {name!r}")
    _check_claim(text)
    record = Claim(name, page, text, dict(values), bool(holds))
    directory = os.environ.get(BUILD_RESULTS_ENV)
    if directory:
        from dlbook.experiments.results import json_safe

        path = Path(directory) / "claims" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "w") as f:
            json.dump(json_safe(asdict(record)), f, ensure_ascii=False, indent=1)
    return record


def load_claims(results_dir: str | os.PathLike[str]) -> list[Claim]:
    """本次构建中页面记下的全部论断（按名字排序）。"""
    directory = Path(results_dir) / "claims"
    if not directory.is_dir():
        return []
    return [
        Claim(**json.loads(p.read_text(encoding="utf-8"))) for p in sorted(directory.glob("*.json"))
    ]


# ---------------------------------------------------------------------------
# 构建结束时的检查
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """构建结束时检查的一条论断：页面、出处（实验名或论断名）、原话、是否成立与用到的数。"""

    page: str
    source: str
    claim: str
    holds: bool
    numbers: str

    def message(self) -> str:
        """一行文字：页面、出处、论断与数字。"""
        state = "成立" if self.holds else "不成立"
        return f"{self.page}：{self.source} 的论断「{self.claim}」{state}：{self.numbers}"


def evaluate_build(
    results_dir: str | os.PathLike[str],
    experiments: Iterable[Experiment] | None = None,
    *,
    require_runs: bool = True,
) -> list[Check]:
    """检查本次构建的全部预期与论断，返回每一条的结果（成立的与不成立的）。

    检查的内容：

    * 每个登记实验（默认 :data:`~dlbook.experiments.registry.EXPERIMENTS`）的每条预期，用结果目录里
      ``<实验名>.json`` 的指标；比较的两次运行必须都在本次构建中、且是同一个档位；
    * ``runs_in_build=True`` 且有预期的实验在本次构建中没有运行，算作不成立；
    * 页面用 :func:`claim` 记下的论断（``claims/*.json``）。

    Parameters
    ----------
    results_dir : path
        本次构建的结果目录（环境变量 ``DLBOOK_BUILD_RESULTS`` 指向的目录）。
    experiments : iterable of Experiment, optional
        要检查的实验，默认全部已登记的实验。
    require_runs : bool
        ``runs_in_build=True`` 的实验没有结果时是否算作不成立（构建整本书时为 True；只构建几页的
        小项目只检查运行过的实验）。
    """
    from dlbook.experiments.registry import EXPERIMENTS
    from dlbook.experiments.results import ResultStore

    exps = list(experiments) if experiments is not None else list(EXPERIMENTS.values())
    runs = {run["experiment"]: run for run in ResultStore.build(results_dir).load()}
    checks = []
    for exp in exps:
        run = runs.get(exp.name)
        for e in exp.expect:
            if run is not None and not e.applies_to(run.get("profile")):
                continue
            if run is None:
                if exp.runs_in_build and require_runs:
                    checks.append(
                        Check(
                            exp.page,
                            exp.name,
                            e.claim,
                            False,
                            f"实验 {exp.name} 在本次构建中没有运行",
                        )
                    )
                continue
            checks.append(_check_one(exp, e, run, runs))
    for c in load_claims(results_dir):
        numbers = "，".join(f"{k} = {_fmt(v)}" for k, v in c.values.items())
        checks.append(Check(c.page, c.name, c.text, c.holds, numbers))
    return checks


def check_build_expectations(
    results_dir: str | os.PathLike[str],
    experiments: Iterable[Experiment] | None = None,
    *,
    require_runs: bool = True,
) -> list[str]:
    """检查本次构建的全部预期与论断，返回失败信息（全部成立时为空列表）。

    Sphinx 扩展在构建结束（``build-finished``）时调用 :func:`evaluate_build`，有不成立的论断就让构建
    失败；这个函数只返回其中不成立的那些，每条写明页面、论断与用到的数。参数同 :func:`evaluate_build`。
    """
    checks = evaluate_build(results_dir, experiments, require_runs=require_runs)
    return [c.message() for c in checks if not c.holds]


def _check_one(
    exp: Experiment, e: Expectation, run: dict[str, Any], runs: dict[str, dict[str, Any]]
) -> Check:
    profile = run.get("profile")
    other = None
    if e.other is not None:
        other = runs.get(e.other)
        if other is None:
            return Check(exp.page, exp.name, e.claim, False, f"实验 {e.other} 在本次构建中没有运行")
        if other.get("profile") != profile:
            numbers = (
                f"无法比较：{exp.name} 是 {profile} 档，{e.other} 是 {other.get('profile')} 档"
            )
            return Check(exp.page, exp.name, e.claim, False, numbers)
    try:
        holds, numbers = e.evaluate(run.get("metrics", {}), other and other.get("metrics", {}))
    except KeyError as err:
        return Check(exp.page, exp.name, e.claim, False, f"无法检查：{err.args[0]}")
    return Check(exp.page, exp.name, e.claim, holds, f"{numbers}（{profile} 档）")
