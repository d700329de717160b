"""模型：每个网络家族一个文件。"""

from dlbook.models.alexnet import alexnet
from dlbook.models.batchnorm import BatchNorm, bn_lenet, bn_lenet_concise, lenet_with_norm
from dlbook.models.blocks import (
    MLP,
    CenteredLayer,
    FixedHiddenMLP,
    MyLinear,
    MySequential,
    NestMLP,
    init_constant,
    init_uniform_keep_large,
    init_xavier,
    linear_relu_block,
    stacked_blocks,
    tied_mlp,
)
from dlbook.models.googlenet import INCEPTION_STAGES, Inception, googlenet
from dlbook.models.init import init_normal
from dlbook.models.lenet import lenet
from dlbook.models.linear import SoftmaxRegressionScratch, linear_regression, softmax_regression
from dlbook.models.mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp
from dlbook.models.nin import nin, nin_block
from dlbook.models.resnet import Residual, SigmoidBlock, resnet18, resnet_stage, sigmoid_stack
from dlbook.models.vgg import VGG11_ARCH, vgg, vgg11, vgg_block
from dlbook.utils.summary import LayerInfo, format_layer_summary, layer_summary

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
    "tied_mlp",
    "lenet",
    "alexnet",
    "BatchNorm",
    "bn_lenet",
    "bn_lenet_concise",
    "lenet_with_norm",
    "INCEPTION_STAGES",
    "Inception",
    "googlenet",
    "nin",
    "nin_block",
    "Residual",
    "resnet18",
    "resnet_stage",
    "SigmoidBlock",
    "sigmoid_stack",
    "LayerInfo",
    "format_layer_summary",
    "layer_summary",
    "VGG11_ARCH",
    "vgg",
    "vgg11",
    "vgg_block",
    "SoftmaxRegressionScratch",
    "linear_regression",
    "softmax_regression",
    "DropoutMLPScratch",
    "MLPScratch",
    "dropout_mlp",
    "mlp",
]
