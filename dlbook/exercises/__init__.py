"""自己检查的练习：每章一个模块，``check_…`` 函数检查读者写的函数。

页面上的每个练习有三个代码单元：读者填写的函数（起初抛出 ``NotImplementedError``）、检查、
隐藏起来的参考解答。检查器先比较返回值的类型、形状、数据类型和设备，再在固定种子生成的输入
（包括边界情形）上与参考实现比较数值；遇到第一处不一致就报告是哪组输入、哪个位置，并给出提示，
但从不给出答案。函数还没写好（抛出 ``NotImplementedError``）时报告“尚未完成”，不算失败，
所以留着空白的页面照样能构建。

Examples
--------
>>> import torch
>>> from dlbook.exercises import check_log_softmax
>>> def log_softmax(X):
...     raise NotImplementedError
>>> check_log_softmax(log_softmax)
【尚未完成】log_softmax 还在抛出 NotImplementedError：写好实现后再运行这个检查。
>>> check_log_softmax(lambda X: torch.log(torch.softmax(X, dim=1)))
【未通过】log_softmax 在输入「含很大的数」上：...（出现了 nan 或 inf）。提示：...
"""

from __future__ import annotations

import importlib
from typing import Any

#: 公共名字 → 定义它的模块（惰性导入：只用到一章的检查器时，不导入其余各章的依赖）。
_EXPORTS: dict[str, str] = {
    "CheckResult": "dlbook.exercises.core",
    "check_pairwise_sq_dists": "dlbook.exercises.preliminaries",
    "check_numerical_gradient": "dlbook.exercises.preliminaries",
    "check_log_softmax": "dlbook.exercises.linear_networks",
    "check_cross_entropy_from_logits": "dlbook.exercises.linear_networks",
    "check_softplus": "dlbook.exercises.multilayer_perceptrons",
    "check_xavier_bound": "dlbook.exercises.multilayer_perceptrons",
    "check_tensor_reduction": "dlbook.exercises.deep_learning_computation",
    "check_count_parameters": "dlbook.exercises.deep_learning_computation",
    "check_corr2d_strided": "dlbook.exercises.convolutional_neural_networks",
    "check_max_pool2d": "dlbook.exercises.convolutional_neural_networks",
    "check_batch_norm_train": "dlbook.exercises.convolutional_modern",
    "check_conv1x1": "dlbook.exercises.convolutional_modern",
    "check_rnn_step": "dlbook.exercises.recurrent_neural_networks",
    "check_clip_gradients": "dlbook.exercises.recurrent_neural_networks",
    "check_gru_step": "dlbook.exercises.recurrent_modern",
    "check_beam_search_step": "dlbook.exercises.recurrent_modern",
    "check_masked_softmax": "dlbook.exercises.attention_mechanisms",
    "check_positional_encoding": "dlbook.exercises.attention_mechanisms",
    "check_momentum_step": "dlbook.exercises.optimization",
    "check_adam_step": "dlbook.exercises.optimization",
    "check_split_batch": "dlbook.exercises.computational_performance",
    "check_allreduce": "dlbook.exercises.computational_performance",
    "check_box_iou": "dlbook.exercises.computer_vision",
    "check_nms": "dlbook.exercises.computer_vision",
    "check_skipgram_pairs": "dlbook.exercises.natural_language_processing_pretraining",
    "check_cosine_knn": "dlbook.exercises.natural_language_processing_pretraining",
    "check_truncate_pad": "dlbook.exercises.natural_language_processing_applications",
    "check_soft_align": "dlbook.exercises.natural_language_processing_applications",
}

__all__ = [
    "CheckResult",
    # 第 1 章 预备知识
    "check_pairwise_sq_dists",
    "check_numerical_gradient",
    # 第 2 章 线性神经网络
    "check_log_softmax",
    "check_cross_entropy_from_logits",
    # 第 3 章 多层感知机
    "check_softplus",
    "check_xavier_bound",
    # 第 4 章 深度学习计算
    "check_tensor_reduction",
    "check_count_parameters",
    # 第 5 章 卷积神经网络
    "check_corr2d_strided",
    "check_max_pool2d",
    # 第 6 章 现代卷积神经网络
    "check_batch_norm_train",
    "check_conv1x1",
    # 第 7 章 循环神经网络
    "check_rnn_step",
    "check_clip_gradients",
    # 第 8 章 现代循环神经网络
    "check_gru_step",
    "check_beam_search_step",
    # 第 9 章 注意力机制
    "check_masked_softmax",
    "check_positional_encoding",
    # 第 10 章 优化算法
    "check_momentum_step",
    "check_adam_step",
    # 第 11 章 计算性能
    "check_split_batch",
    "check_allreduce",
    # 第 12 章 计算机视觉
    "check_box_iou",
    "check_nms",
    # 第 13 章 自然语言处理：预训练
    "check_skipgram_pairs",
    "check_cosine_knn",
    # 第 14 章 自然语言处理：应用
    "check_truncate_pad",
    "check_soft_align",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
