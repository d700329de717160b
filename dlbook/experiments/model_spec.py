"""登记项的 ``model`` 设置：模型工厂加参数（:class:`ModelSpec`），标签由它生成，不会与模型脱节。

参数可以是常数、设置里的一项（:class:`Setting`，例如 ``ratio``）或运行时才知道的数据量
（:class:`FromData`，例如词表大小 ``vocab_size``，由 ``run`` 函数在读完数据后给出）。标签就是这次调用
的写法：与工厂默认值相同的关键字参数不写，数据量写它的名字::

    ModelSpec(alexnet, ratio=Setting("ratio"), image_size=Setting("resize"))
    # ratio=1, resize=224 时是 "alexnet()"；ratio=16, resize=72 时是 "alexnet(ratio=16, image_size=72)"
    ModelSpec(RNNScratch, FromData("vocab_size"), Setting("num_hiddens"))
    # num_hiddens=512 时是 "RNNScratch(vocab_size, 512)"

:class:`~dlbook.experiments.Experiment` 把 ``full`` 里的 :class:`ModelSpec` 按每个档位的设置绑定成
:class:`ModelSetting` ——一个字符串（就是标签，表格、结果文件与 ``format_settings`` 都显示它），
同时能用同样的参数建出模型（:meth:`ModelSetting.build`）。
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import nn

__all__ = ["FromData", "ModelSetting", "ModelSpec", "Setting"]


@dataclass(frozen=True)
class Setting:
    """工厂的一个参数取自设置中的 ``key`` 项。"""

    key: str


@dataclass(frozen=True)
class FromData:
    """工厂的一个参数是读完数据才知道的量（例如词表大小），由 ``run`` 函数以 ``name`` 为名给出。"""

    name: str


def _display_name(obj: Any) -> str:
    """工厂或类在标签里的写法：PyTorch 的层写成 ``nn.Linear``，其余写名字。"""
    name = getattr(obj, "__name__", None)
    if name is None:
        return repr(obj)
    module = getattr(obj, "__module__", "") or ""
    return f"nn.{name}" if module.startswith("torch.nn") else name


def _display_value(value: Any) -> str:
    if isinstance(value, FromData):
        return value.name
    if isinstance(value, str):
        return f'"{value}"'
    if inspect.isclass(value) or inspect.isfunction(value):
        return _display_name(value)
    return repr(value)


@dataclass(frozen=True)
class ModelSpec:
    """模型工厂 ``factory`` 与它的参数；参数可以是常数、:class:`Setting` 或 :class:`FromData`。

    工厂若接受 ``generator`` 关键字参数，建模型时把初始化用的生成器传给它。

    Examples
    --------
    >>> spec = ModelSpec(nn.Linear, Setting("num_inputs"), 1, bias=False)
    >>> spec.bind({"num_inputs": 4})
    'nn.Linear(4, 1, bias=False)'
    >>> spec.bind({"num_inputs": 4}).build()
    Linear(in_features=4, out_features=1, bias=False)
    >>> ModelSpec(nn.Linear, FromData("d"), 1, bias=True).bind({})
    'nn.Linear(d, 1)'
    """

    factory: Callable[..., nn.Module]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, factory: Callable[..., nn.Module], *args: Any, **kwargs: Any) -> None:
        if not callable(factory):
            raise TypeError(f"factory 必须是可调用的模型工厂，收到 {type(factory).__name__}")
        object.__setattr__(self, "factory", factory)
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", dict(kwargs))

    def _resolve(self, value: Any, settings: Mapping[str, Any]) -> Any:
        if isinstance(value, Setting):
            if value.key not in settings:
                raise ValueError(
                    f"模型 {_display_name(self.factory)} 的参数引用了设置中没有的 {value.key!r}"
                )
            return settings[value.key]
        return value

    def label(self, settings: Mapping[str, Any]) -> str:
        """按设置 ``settings`` 调用工厂的写法（与默认值相同的关键字参数不写）。"""
        try:
            defaults = {
                name: p.default
                for name, p in inspect.signature(self.factory).parameters.items()
                if p.default is not inspect.Parameter.empty
            }
        except (TypeError, ValueError):  # 没有签名的可调用对象
            defaults = {}
        parts = [_display_value(self._resolve(a, settings)) for a in self.args]
        for name, value in self.kwargs.items():
            value = self._resolve(value, settings)
            if name in defaults and not isinstance(value, FromData):
                if type(value) is type(defaults[name]) and value == defaults[name]:
                    continue
            parts.append(f"{name}={_display_value(value)}")
        return f"{_display_name(self.factory)}({', '.join(parts)})"

    def bind(self, settings: Mapping[str, Any]) -> ModelSetting:
        """按设置 ``settings`` 绑定，得到 :class:`ModelSetting`。"""
        return ModelSetting(self, settings)


class ModelSetting(str):
    """绑定了设置的 :class:`ModelSpec`：字符串的值是标签，:meth:`build` 用同样的参数建出模型。

    它就是 ``Experiment.settings(profile)["model"]``：表格、结果文件与 ``format_settings`` 把它当字符串用。
    """

    spec: ModelSpec
    settings: Mapping[str, Any]

    def __new__(cls, spec: ModelSpec, settings: Mapping[str, Any]) -> ModelSetting:
        self = super().__new__(cls, spec.label(settings))
        self.spec = spec
        self.settings = dict(settings)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (ModelSetting, (self.spec, self.settings))

    def build(self, generator: Any = None, **data: Any) -> nn.Module:
        """建出模型：设置中的参数取自绑定的设置，:class:`FromData` 参数取自 ``data``。

        工厂接受 ``generator`` 时把它传过去（初始化可复现）。
        """
        spec = self.spec

        def resolve(value: Any) -> Any:
            if isinstance(value, FromData):
                if value.name not in data:
                    raise ValueError(f"建模型 {self} 需要数据量 {value.name!r}（由 run 函数给出）")
                return data[value.name]
            return spec._resolve(value, self.settings)

        args = [resolve(a) for a in spec.args]
        kwargs = {k: resolve(v) for k, v in spec.kwargs.items()}
        try:
            accepts_generator = "generator" in inspect.signature(spec.factory).parameters
        except (TypeError, ValueError):
            accepts_generator = False
        if accepts_generator:
            kwargs["generator"] = generator
        return spec.factory(*args, **kwargs)
