"""dlbook：《动手学深度学习》笔记版的配套 Python 包。

书中展示的每一段实现都来自这个包；这里把公共接口统一导出。
"""

__version__ = "0.1.0"

from dlbook.metrics.bleu import bleu
from dlbook.ops.calculus import describe_graph, difference_quotient, scale_by_control_flow, value_and_grad_2d
from dlbook.train.checkpoint import load_checkpoint, save_checkpoint
from dlbook.data import (
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
from dlbook.data.corpus import fetch_corpus, read_corpus
from dlbook.data.translation import load_translation, read_translation_pairs
from dlbook.train.decoding import beam_search, exhaustive_search, greedy_search
from dlbook.utils.devices import best_device, cpu, gpu, list_devices, num_gpus, try_all_gpus, try_gpu
from dlbook.diagrams.calculus import draw_gradient_field
from dlbook.diagrams.conv import (
    draw_cross_correlation,
    draw_lenet,
    draw_multi_channel,
    draw_padding_and_stride,
    draw_pooling,
    draw_pooling_comparison,
)
from dlbook.diagrams.rnn import (
    draw_bptt_graph,
    draw_minibatch_partitions,
    draw_truncation,
    draw_unrolled_rnn,
)
from dlbook.diagrams.tensors import draw_storage, draw_views
from dlbook.train.distributed import ShardedBatches, init_distributed
from dlbook.experiments import (
    EXPERIMENTS,
    Experiment,
    get_experiment,
    register,
    results_table,
    run_experiment,
)
from dlbook.train.language_model import (
    LanguageModelHistory,
    evaluate_perplexity,
    grad_clipping,
    hidden_gradient_norms,
    predict_text,
    train_language_model,
    train_language_model_epoch,
)
from dlbook.metrics.perplexity import ngram_perplexity, perplexity
from dlbook.ops.layout import (
    contiguous_strides,
    describe_layout,
    satisfies_contiguity,
    shares_storage,
    storage_indices,
    storage_size,
    storage_values,
)
from dlbook.plotting.liveplot import LivePlot
from dlbook.metrics.accumulator import Accumulator
from dlbook.models.alexnet import alexnet
from dlbook.models.attention import (
    AdditiveAttention,
    DotProductAttention,
    MultiHeadAttention,
    PositionalEncoding,
    masked_softmax,
)
from dlbook.models.bahdanau import Seq2SeqAttentionDecoder, seq2seq_attention
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
from dlbook.models.googlenet import Inception, googlenet
from dlbook.models.gru import GRUScratch, gru_model, gru_model_from_scratch
from dlbook.models.lenet import lenet
from dlbook.models.init import init_normal
from dlbook.models.linear import SoftmaxRegressionScratch, linear_regression, softmax_regression
from dlbook.models.lstm import LSTMScratch, lstm_model, lstm_model_from_scratch
from dlbook.models.mlp import DropoutMLPScratch, MLPScratch, dropout_mlp, mlp
from dlbook.models.nadaraya_watson import NWKernelRegression
from dlbook.models.nin import nin, nin_block
from dlbook.models.resnet import Residual, SigmoidBlock, resnet18, resnet_stage, sigmoid_stack
from dlbook.models.rnn import RNNModel, RNNScratch, rnn_model, rnn_model_from_scratch
from dlbook.models.seq2seq import EncoderDecoder, seq2seq
from dlbook.utils.summary import format_layer_summary, layer_summary
from dlbook.models.transformer import TransformerDecoder, TransformerEncoder, transformer
from dlbook.models.vgg import vgg, vgg11, vgg_block
from dlbook.ops.activations import relu
from dlbook.ops.basic import accuracy, cross_entropy, linreg, sgd, softmax, squared_loss
from dlbook.ops.batchnorm import batch_norm
from dlbook.ops.conv import (
    conv2d_flops,
    conv_output_shape,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    learn_kernel,
    pool2d,
)
from dlbook.ops.linalg import operator_norm
from dlbook.ops.regularization import dropout_layer, l2_penalty
from dlbook.optim.traces import show_trace_1d, show_trace_2d, trace_1d, trace_optimizer, train_2d
from dlbook.optim.scratch import (
    AdadeltaScratch,
    AdaGradScratch,
    AdamScratch,
    RMSPropScratch,
    SGDMomentumScratch,
    YogiScratch,
)
from dlbook.plotting.figures import plot, set_axes, set_figsize, show_heatmaps, show_images, use_book_style
from dlbook.experiments.profiles import resolve_profile
from dlbook.optim.schedulers import (
    CosineScheduler,
    FactorScheduler,
    MultiFactorScheduler,
    SquareRootScheduler,
    to_torch_scheduler,
)
from dlbook.utils.seeding import seed_everything
from dlbook.data.synthetic import lag_features, noisy_sine
from dlbook.train.autoregressive import fit_autoregressive, k_step_predictions, predict_autoregressive
from dlbook.utils.serialization import CorruptFileError, load_state, save_state
from dlbook.data.house_prices import load_house_regression, preprocess_house_prices
from dlbook.metrics.regression import log_rmse
from dlbook.train.house_prices import (
    k_fold,
    k_fold_split,
    train_house_prices,
    write_submission,
)
from dlbook.train.optimizer_comparison import OptimizerHistory, train_optimizer
from dlbook.train.perceptron import train_perceptron
from dlbook.train.seq2seq import predict_seq2seq, train_seq2seq
from dlbook.data.text import (
    SeqDataLoader,
    Vocab,
    clean_lines,
    count_corpus,
    load_corpus,
    load_language_model_data,
    ngrams,
    read_corpus_lines,
    seq_data_iter_random,
    seq_data_iter_sequential,
    tokenize,
)
from dlbook.utils.timing import Timer
from dlbook.train.loop import (
    EpochRecord,
    EpochStats,
    History,
    evaluate,
    evaluate_accuracy,
    evaluate_loss,
    init_weights,
    train_epoch,
    train_step,
)
from dlbook.train.trainer import train_classifier, train_regression

__all__ = [
    "bleu",
    "load_translation",
    "read_translation_pairs",
    "beam_search",
    "exhaustive_search",
    "greedy_search",
    "GRUScratch",
    "gru_model",
    "gru_model_from_scratch",
    "LSTMScratch",
    "lstm_model",
    "lstm_model_from_scratch",
    "EncoderDecoder",
    "predict_seq2seq",
    "seq2seq",
    "train_seq2seq",
    "show_heatmaps",
    "masked_softmax",
    "AdditiveAttention",
    "DotProductAttention",
    "MultiHeadAttention",
    "PositionalEncoding",
    "NWKernelRegression",
    "Seq2SeqAttentionDecoder",
    "seq2seq_attention",
    "TransformerEncoder",
    "TransformerDecoder",
    "transformer",
    "SGDMomentumScratch",
    "AdaGradScratch",
    "RMSPropScratch",
    "AdadeltaScratch",
    "AdamScratch",
    "YogiScratch",
    "trace_1d",
    "train_2d",
    "trace_optimizer",
    "show_trace_1d",
    "show_trace_2d",
    "load_house_regression",
    "train_optimizer",
    "OptimizerHistory",
    "SquareRootScheduler",
    "FactorScheduler",
    "MultiFactorScheduler",
    "CosineScheduler",
    "to_torch_scheduler",
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
    "EpochStats",
    "History",
    "LivePlot",
    "evaluate",
    "evaluate_accuracy",
    "evaluate_loss",
    "init_weights",
    "load_checkpoint",
    "save_checkpoint",
    "train_classifier",
    "train_epoch",
    "train_step",
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
    "alexnet",
    "vgg",
    "vgg11",
    "vgg_block",
    "nin",
    "nin_block",
    "Inception",
    "googlenet",
    "BatchNorm",
    "batch_norm",
    "bn_lenet",
    "bn_lenet_concise",
    "lenet_with_norm",
    "Residual",
    "resnet18",
    "resnet_stage",
    "SigmoidBlock",
    "sigmoid_stack",
    "layer_summary",
    "format_layer_summary",
    "relu",
    "dropout_layer",
    "l2_penalty",
    "operator_norm",
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
    "conv2d_flops",
    "learn_kernel",
    "MLP",
    "MySequential",
    "FixedHiddenMLP",
    "NestMLP",
    "CenteredLayer",
    "MyLinear",
    "linear_relu_block",
    "stacked_blocks",
    "tied_mlp",
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
    "draw_pooling_comparison",
    "draw_lenet",
    "fetch_corpus",
    "read_corpus",
    "read_corpus_lines",
    "clean_lines",
    "tokenize",
    "count_corpus",
    "Vocab",
    "ngrams",
    "load_corpus",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "SeqDataLoader",
    "load_language_model_data",
    "noisy_sine",
    "lag_features",
    "fit_autoregressive",
    "predict_autoregressive",
    "k_step_predictions",
    "RNNScratch",
    "RNNModel",
    "rnn_model",
    "rnn_model_from_scratch",
    "grad_clipping",
    "hidden_gradient_norms",
    "ngram_perplexity",
    "perplexity",
    "predict_text",
    "evaluate_perplexity",
    "train_language_model",
    "train_language_model_epoch",
    "LanguageModelHistory",
    "draw_unrolled_rnn",
    "draw_minibatch_partitions",
    "draw_truncation",
    "draw_bptt_graph",
    "ShardedBatches",
    "init_distributed",
]
