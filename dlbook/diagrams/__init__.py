"""用代码画出的示意图：代替笔记中的幻灯片截图。"""

from dlbook.diagrams.activations import activation_and_derivative, plot_activations
from dlbook.diagrams.calculus import draw_gradient_field
from dlbook.diagrams.conv import (
    draw_cross_correlation,
    draw_lenet,
    draw_multi_channel,
    draw_padding_and_stride,
    draw_pooling,
)
from dlbook.diagrams.likelihood import bernoulli_likelihood, plot_coin_likelihood
from dlbook.diagrams.losses import loss_and_gradient, plot_regression_losses
from dlbook.diagrams.modern_cnn import (
    closest_distance,
    describe_layer,
    draw_inception,
    draw_nin_block,
    draw_residual,
    draw_residual_blocks,
    draw_vgg_block,
    plot_function_classes,
)
from dlbook.diagrams.rnn import (
    draw_bptt_graph,
    draw_minibatch_partitions,
    draw_truncation,
    draw_unrolled_rnn,
)
from dlbook.diagrams.tensors import draw_storage, draw_views

__all__ = [
    "draw_bptt_graph",
    "draw_minibatch_partitions",
    "draw_truncation",
    "draw_unrolled_rnn",
    "activation_and_derivative",
    "plot_activations",
    "draw_gradient_field",
    "draw_cross_correlation",
    "draw_lenet",
    "draw_multi_channel",
    "draw_padding_and_stride",
    "draw_pooling",
    "closest_distance",
    "describe_layer",
    "draw_inception",
    "draw_nin_block",
    "draw_residual",
    "draw_residual_blocks",
    "draw_vgg_block",
    "plot_function_classes",
    "bernoulli_likelihood",
    "plot_coin_likelihood",
    "loss_and_gradient",
    "plot_regression_losses",
    "draw_storage",
    "draw_views",
]
