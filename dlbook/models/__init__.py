"""模型：每个网络家族一个文件。"""

from .blocks import (
    MLP,
    CenteredLayer,
    FixedHiddenMLP,
    MyLinear,
    MySequential,
    NestMLP,
    init_constant,
    init_normal,
    init_uniform_keep_large,
    init_xavier,
    linear_relu_block,
    stacked_blocks,
)
from .lenet import lenet
from .linear import (
    SoftmaxRegressionScratch,
    linear_regression,
    softmax_regression,
    train_perceptron,
)
from .mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp

__all__ = [
    "MLP",
    "CenteredLayer",
    "FixedHiddenMLP",
    "MyLinear",
    "MySequential",
    "NestMLP",
    "init_constant",
    "init_normal",
    "init_uniform_keep_large",
    "init_xavier",
    "linear_relu_block",
    "stacked_blocks",
    "lenet",
    "SoftmaxRegressionScratch",
    "linear_regression",
    "softmax_regression",
    "train_perceptron",
    "DropoutMLPScratch",
    "MLPScratch",
    "dropout_mlp",
    "mlp",
]
