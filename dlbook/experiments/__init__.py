"""实验登记表：书中每一次训练的设置、CPU 上的快速版本，以及书中公布的结果。

* :mod:`~dlbook.experiments.registry`：实验的类型、登记与运行（:func:`run_experiment`）；
* :mod:`~dlbook.experiments.model_spec`：登记项的 ``model`` 设置（模型工厂与参数），模型的标签由它生成；
* :mod:`~dlbook.experiments.runners`：各类任务共用的 ``run`` 函数（分类、回归、语言模型、翻译）；
* :mod:`~dlbook.experiments.expectations`：页面的论断写成构建时检查的预期；
* :mod:`~dlbook.experiments.results`：结果的存放（:class:`ResultStore`）与表格（:func:`render_table`）；
* :mod:`~dlbook.experiments.cli`：``python -m dlbook run`` 与 ``python -m dlbook results``；
* :mod:`~dlbook.experiments.catalog`：各章的实验，每章一个以章节 slug 命名的模块（导入即登记）。

``python -m dlbook run <名字>`` 运行一个实验，把结果与书中的结果并排打印，并追加到结果文件；
``python -m dlbook results`` 把登记表与已有结果写成表格，第 15 章的“实验结果”页包含这张表。
"""

from dlbook.experiments.cli import add_experiment_commands
from dlbook.experiments.expectations import (
    Expectation,
    above,
    at_least,
    at_most,
    below,
    check_build_expectations,
    claim,
)
from dlbook.experiments.model_spec import FromData, ModelSetting, ModelSpec, Setting
from dlbook.experiments.registry import (
    D2L,
    EXPERIMENTS,
    Experiment,
    RunContext,
    RunOutput,
    RunResult,
    get_experiment,
    register,
    run_experiment,
)
from dlbook.experiments.results import (
    RECORDED_RESULTS,
    ResultStore,
    comparison_rows,
    format_metric,
    format_metrics,
    format_settings,
    full_results_table,
    render_table,
    results_table,
)
from dlbook.experiments.runners import (
    fashion_mnist_classifier,
    language_model_run,
    run_house_experiment,
    translation_run,
)

__all__ = [
    "D2L",
    "RECORDED_RESULTS",
    "EXPERIMENTS",
    "Expectation",
    "Experiment",
    "FromData",
    "ModelSetting",
    "ModelSpec",
    "ResultStore",
    "RunContext",
    "RunOutput",
    "RunResult",
    "Setting",
    "above",
    "add_experiment_commands",
    "at_least",
    "at_most",
    "below",
    "check_build_expectations",
    "claim",
    "comparison_rows",
    "fashion_mnist_classifier",
    "format_metric",
    "format_metrics",
    "full_results_table",
    "language_model_run",
    "format_settings",
    "get_experiment",
    "register",
    "render_table",
    "results_table",
    "run_experiment",
    "run_house_experiment",
    "translation_run",
]

# 各章的实验在登记表与结果模块之后导入（导入即登记）。
from dlbook.experiments import catalog  # noqa: E402
