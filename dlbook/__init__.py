"""dlbook：《动手学深度学习》笔记版的配套 Python 包。

书中展示的每一段实现都来自这个包；这里把公共接口统一导出。
"""

__version__ = "0.1.0"

from .calculus import describe_graph, difference_quotient, scale_by_control_flow, value_and_grad_2d
from .checkpoint import load_checkpoint, save_checkpoint
from .data import (
    FASHION_MNIST_LABELS,
    FashionMNIST,
    data_dir,
    fashion_mnist_labels,
    load_array,
    load_fashion_mnist,
    load_house_prices,
    polynomial_data,
    read_fashion_mnist,
    synthetic_linear_data,
)
from .devices import best_device, cpu, gpu, list_devices, num_gpus, try_all_gpus, try_gpu
from .diagrams.calculus import draw_gradient_field
from .diagrams.conv import (
    draw_cross_correlation,
    draw_lenet,
    draw_multi_channel,
    draw_padding_and_stride,
    draw_pooling,
)
from .diagrams.tensors import (
    contiguous_strides,
    describe_layout,
    draw_storage,
    draw_views,
    satisfies_contiguity,
    shares_storage,
    storage_indices,
    storage_size,
    storage_values,
)
from .experiments import (
    EXPERIMENTS,
    Experiment,
    get_experiment,
    register,
    results_table,
    run_experiment,
)
from .liveplot import LivePlot
from .metrics import Accumulator
from .models.blocks import (
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
from .models.lenet import lenet
from .models.linear import (
    SoftmaxRegressionScratch,
    linear_regression,
    softmax_regression,
    train_perceptron,
)
from .models.mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp
from .ops.activations import relu
from .ops.basic import accuracy, cross_entropy, linreg, sgd, softmax, squared_loss
from .ops.conv import (
    conv_output_shape,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    learn_kernel,
    pool2d,
)
from .ops.regularization import dropout_layer, l2_penalty
from .plot import plot, set_axes, set_figsize, show_images, use_book_style
from .profiles import resolve_profile
from .seeding import seed_everything
from .serialization import CorruptFileError, load_state, save_state
from .tabular import (
    k_fold,
    k_fold_split,
    log_rmse,
    preprocess_house_prices,
    train_house_prices,
    write_submission,
)
from .timing import Timer
from .training import (
    EpochRecord,
    History,
    evaluate_accuracy,
    evaluate_loss,
    init_weights,
    train_classifier,
    train_regression,
)

__all__ = [
    "FASHION_MNIST_LABELS",
    "FashionMNIST",
    "data_dir",
    "fashion_mnist_labels",
    "load_array",
    "load_fashion_mnist",
    "load_house_prices",
    "polynomial_data",
    "read_fashion_mnist",
    "synthetic_linear_data",
    "contiguous_strides",
    "describe_graph",
    "describe_layout",
    "difference_quotient",
    "draw_gradient_field",
    "draw_storage",
    "draw_views",
    "satisfies_contiguity",
    "scale_by_control_flow",
    "shares_storage",
    "storage_indices",
    "storage_size",
    "storage_values",
    "value_and_grad_2d",
    "Accumulator",
    "Timer",
    "best_device",
    "cpu",
    "gpu",
    "list_devices",
    "num_gpus",
    "plot",
    "seed_everything",
    "set_axes",
    "set_figsize",
    "show_images",
    "try_all_gpus",
    "try_gpu",
    "use_book_style",
    "softmax",
    "cross_entropy",
    "accuracy",
    "sgd",
    "linreg",
    "squared_loss",
    "EpochRecord",
    "History",
    "LivePlot",
    "evaluate_accuracy",
    "evaluate_loss",
    "init_weights",
    "load_checkpoint",
    "save_checkpoint",
    "train_classifier",
    "train_regression",
    "EXPERIMENTS",
    "Experiment",
    "get_experiment",
    "register",
    "results_table",
    "run_experiment",
    "resolve_profile",
    "SoftmaxRegressionScratch",
    "linear_regression",
    "softmax_regression",
    "train_perceptron",
    "DropoutMLPScratch",
    "MLPScratch",
    "dropout_mlp",
    "mlp",
    "relu",
    "dropout_layer",
    "l2_penalty",
    "k_fold",
    "k_fold_split",
    "log_rmse",
    "preprocess_house_prices",
    "train_house_prices",
    "write_submission",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
    "conv_output_shape",
    "learn_kernel",
    "MLP",
    "MySequential",
    "FixedHiddenMLP",
    "NestMLP",
    "CenteredLayer",
    "MyLinear",
    "linear_relu_block",
    "stacked_blocks",
    "init_normal",
    "init_constant",
    "init_xavier",
    "init_uniform_keep_large",
    "lenet",
    "save_state",
    "load_state",
    "CorruptFileError",
    "draw_cross_correlation",
    "draw_padding_and_stride",
    "draw_multi_channel",
    "draw_pooling",
    "draw_lenet",
]
