"""dlbook：《动手学深度学习》笔记版的配套 Python 包。

书中展示的每一段实现都来自这个包；这里把公共接口统一导出。导出是惰性的：``import dlbook`` 不导入
torch 与各个子包，第一次用到 ``dlbook.某个名字`` 时才导入它所在的模块（PEP 562），
所以只用到其中一部分的程序（例如 Sphinx 的配置与扩展）启动得快。
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


def _installed_version() -> str:
    """安装的 dlbook 的版本（包元数据）；没有安装、直接从源码目录导入时为 ``0+unknown``。"""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dlbook")
    except PackageNotFoundError:
        return "0+unknown"


#: 版本号只写在 ``pyproject.toml`` 一处，这里从安装的包元数据读出：改了版本要重新安装
#: （``nox`` 在 ``pyproject.toml`` 变化时自动重装）。变化记在 ``CHANGELOG.md``。
__version__ = _installed_version()

#: 公共名字 → 定义它的模块。
_EXPORTS: dict[str, str] = {
    "load_ptb_word2vec": "dlbook.data.word2vec",
    "SkipGram": "dlbook.models.word2vec",
    "masked_bce_loss": "dlbook.train.word2vec",
    "train_word2vec": "dlbook.train.word2vec",
    "TokenEmbedding": "dlbook.data.embeddings",
    "load_glove": "dlbook.data.embeddings",
    "load_analogy_questions": "dlbook.data.embeddings",
    "load_word_similarity": "dlbook.data.embeddings",
    "evaluate_embedding": "dlbook.metrics.embeddings",
    "analogy_accuracy": "dlbook.metrics.embeddings",
    "similarity_correlation": "dlbook.metrics.embeddings",
    "spearman": "dlbook.metrics.embeddings",
    "learn_bpe": "dlbook.data.bpe",
    "segment": "dlbook.data.bpe",
    "fasttext_ngrams": "dlbook.data.bpe",
    "load_word_counts": "dlbook.data.bpe",
    "load_clip_merges": "dlbook.data.bpe",
    "bleu": "dlbook.metrics.bleu",
    "corpus_bleu": "dlbook.metrics.bleu",
    "DetectionScores": "dlbook.metrics.detection",
    "average_precision": "dlbook.metrics.detection",
    "detection_scores": "dlbook.metrics.detection",
    "describe_graph": "dlbook.ops.calculus",
    "difference_quotient": "dlbook.ops.calculus",
    "scale_by_control_flow": "dlbook.ops.calculus",
    "value_and_grad_2d": "dlbook.ops.calculus",
    "load_checkpoint": "dlbook.train.checkpoint",
    "save_checkpoint": "dlbook.train.checkpoint",
    "FASHION_MNIST_LABELS": "dlbook.data",
    "FashionMNIST": "dlbook.data",
    "data_dir": "dlbook.data",
    "fashion_mnist_labels": "dlbook.data",
    "load_array": "dlbook.data",
    "load_fashion_mnist": "dlbook.data",
    "load_detection": "dlbook.data",
    "load_segmentation": "dlbook.data.segmentation",
    "read_segmentation": "dlbook.data.segmentation",
    "read_nuclei": "dlbook.data.segmentation",
    "label_to_color": "dlbook.data.segmentation",
    "color_to_label": "dlbook.data.segmentation",
    "rand_crop": "dlbook.data.segmentation",
    "read_photo": "dlbook.data",
    "load_house_prices": "dlbook.data",
    "polynomial_data": "dlbook.data",
    "read_fashion_mnist": "dlbook.data",
    "synthetic_linear_data": "dlbook.data",
    "fetch_corpus": "dlbook.data.corpus",
    "read_corpus": "dlbook.data.corpus",
    "load_translation": "dlbook.data.translation",
    "read_translation_pairs": "dlbook.data.translation",
    "load_nli": "dlbook.data.nli",
    "read_nli": "dlbook.data.nli",
    "beam_search": "dlbook.train.decoding",
    "exhaustive_search": "dlbook.train.decoding",
    "greedy_search": "dlbook.train.decoding",
    "best_device": "dlbook.utils.devices",
    "cpu": "dlbook.utils.devices",
    "gpu": "dlbook.utils.devices",
    "list_devices": "dlbook.utils.devices",
    "num_gpus": "dlbook.utils.devices",
    "try_all_gpus": "dlbook.utils.devices",
    "try_gpu": "dlbook.utils.devices",
    "draw_gradient_field": "dlbook.diagrams.calculus",
    "draw_cross_correlation": "dlbook.diagrams.conv",
    "draw_lenet": "dlbook.diagrams.conv",
    "draw_multi_channel": "dlbook.diagrams.conv",
    "draw_padding_and_stride": "dlbook.diagrams.conv",
    "draw_pooling": "dlbook.diagrams.conv",
    "draw_pooling_comparison": "dlbook.diagrams.conv",
    "draw_bptt_graph": "dlbook.diagrams.rnn",
    "draw_minibatch_partitions": "dlbook.diagrams.rnn",
    "draw_truncation": "dlbook.diagrams.rnn",
    "draw_unrolled_rnn": "dlbook.diagrams.rnn",
    "draw_decomposable_attention": "dlbook.diagrams.decomposable_attention",
    "draw_textcnn": "dlbook.diagrams.textcnn",
    "draw_storage": "dlbook.diagrams.tensors",
    "draw_views": "dlbook.diagrams.tensors",
    "ShardedBatches": "dlbook.train.distributed",
    "init_distributed": "dlbook.train.distributed",
    "EXPERIMENTS": "dlbook.experiments",
    "Experiment": "dlbook.experiments",
    "get_experiment": "dlbook.experiments",
    "register": "dlbook.experiments",
    "results_table": "dlbook.experiments",
    "run_experiment": "dlbook.experiments",
    "LanguageModelHistory": "dlbook.train.language_model",
    "evaluate_perplexity": "dlbook.train.language_model",
    "grad_clipping": "dlbook.train.language_model",
    "hidden_gradient_norms": "dlbook.train.language_model",
    "predict_text": "dlbook.train.language_model",
    "train_language_model": "dlbook.train.language_model",
    "train_language_model_epoch": "dlbook.train.language_model",
    "ngram_perplexity": "dlbook.metrics.perplexity",
    "perplexity": "dlbook.metrics.perplexity",
    "contiguous_strides": "dlbook.ops.layout",
    "describe_layout": "dlbook.ops.layout",
    "satisfies_contiguity": "dlbook.ops.layout",
    "shares_storage": "dlbook.ops.layout",
    "storage_indices": "dlbook.ops.layout",
    "storage_size": "dlbook.ops.layout",
    "storage_values": "dlbook.ops.layout",
    "LivePlot": "dlbook.plotting.liveplot",
    "Accumulator": "dlbook.metrics.accumulator",
    "alexnet": "dlbook.models.alexnet",
    "AdditiveAttention": "dlbook.models.attention",
    "DotProductAttention": "dlbook.models.attention",
    "MultiHeadAttention": "dlbook.models.attention",
    "PositionalEncoding": "dlbook.models.attention",
    "masked_softmax": "dlbook.models.attention",
    "Seq2SeqAttentionDecoder": "dlbook.models.bahdanau",
    "seq2seq_attention": "dlbook.models.bahdanau",
    "BatchNorm": "dlbook.models.batchnorm",
    "bn_lenet": "dlbook.models.batchnorm",
    "bn_lenet_concise": "dlbook.models.batchnorm",
    "lenet_with_norm": "dlbook.models.batchnorm",
    "MLP": "dlbook.models.blocks",
    "CenteredLayer": "dlbook.models.blocks",
    "FixedHiddenMLP": "dlbook.models.blocks",
    "MyLinear": "dlbook.models.blocks",
    "MySequential": "dlbook.models.blocks",
    "NestMLP": "dlbook.models.blocks",
    "init_constant": "dlbook.models.blocks",
    "init_uniform_keep_large": "dlbook.models.blocks",
    "init_xavier": "dlbook.models.blocks",
    "linear_relu_block": "dlbook.models.blocks",
    "stacked_blocks": "dlbook.models.blocks",
    "tied_mlp": "dlbook.models.blocks",
    "Inception": "dlbook.models.googlenet",
    "googlenet": "dlbook.models.googlenet",
    "GRUScratch": "dlbook.models.gru",
    "gru_model": "dlbook.models.gru",
    "gru_model_from_scratch": "dlbook.models.gru",
    "lenet": "dlbook.models.lenet",
    "init_normal": "dlbook.models.init",
    "SoftmaxRegressionScratch": "dlbook.models.linear",
    "linear_regression": "dlbook.models.linear",
    "softmax_regression": "dlbook.models.linear",
    "LSTMScratch": "dlbook.models.lstm",
    "lstm_model": "dlbook.models.lstm",
    "lstm_model_from_scratch": "dlbook.models.lstm",
    "DropoutMLPScratch": "dlbook.models.mlp",
    "MLPScratch": "dlbook.models.mlp",
    "dropout_mlp": "dlbook.models.mlp",
    "mlp": "dlbook.models.mlp",
    "NWKernelRegression": "dlbook.models.nadaraya_watson",
    "nin": "dlbook.models.nin",
    "nin_block": "dlbook.models.nin",
    "TinySSD": "dlbook.models.ssd",
    "tiny_ssd": "dlbook.models.ssd",
    "MobileNetV2": "dlbook.models.mobilenet",
    "mobilenet_v2": "dlbook.models.mobilenet",
    "augment_images": "dlbook.data.augmentation",
    "transform_batches": "dlbook.data.augmentation",
    "FCN": "dlbook.models.fcn",
    "bilinear_kernel": "dlbook.models.fcn",
    "fcn": "dlbook.models.fcn",
    "Residual": "dlbook.models.resnet",
    "SigmoidBlock": "dlbook.models.resnet",
    "resnet18": "dlbook.models.resnet",
    "resnet_stage": "dlbook.models.resnet",
    "sigmoid_stack": "dlbook.models.resnet",
    "RNNModel": "dlbook.models.rnn",
    "RNNScratch": "dlbook.models.rnn",
    "rnn_model": "dlbook.models.rnn",
    "rnn_model_from_scratch": "dlbook.models.rnn",
    "EncoderDecoder": "dlbook.models.seq2seq",
    "seq2seq": "dlbook.models.seq2seq",
    "format_layer_summary": "dlbook.utils.summary",
    "layer_summary": "dlbook.utils.summary",
    "TransformerDecoder": "dlbook.models.transformer",
    "TransformerEncoder": "dlbook.models.transformer",
    "transformer": "dlbook.models.transformer",
    "BERTModel": "dlbook.models.bert",
    "DecomposableAttention": "dlbook.models.decomposable_attention",
    "TextCNN": "dlbook.models.textcnn",
    "load_minilm": "dlbook.models.bert",
    "BERTClassifier": "dlbook.models.bert",
    "minilm_classifier": "dlbook.models.bert",
    "load_bert_pretraining": "dlbook.data.bert",
    "minilm_tokenizer": "dlbook.data.bert",
    "train_bert": "dlbook.train.bert",
    "vgg": "dlbook.models.vgg",
    "vgg11": "dlbook.models.vgg",
    "vgg_block": "dlbook.models.vgg",
    "relu": "dlbook.ops.activations",
    "accuracy": "dlbook.ops.basic",
    "cross_entropy": "dlbook.ops.basic",
    "linreg": "dlbook.ops.basic",
    "sgd": "dlbook.ops.basic",
    "softmax": "dlbook.ops.basic",
    "squared_loss": "dlbook.ops.basic",
    "batch_norm": "dlbook.ops.batchnorm",
    "content_loss": "dlbook.ops.style",
    "gram": "dlbook.ops.style",
    "style_loss": "dlbook.ops.style",
    "tv_loss": "dlbook.ops.style",
    "log_loss": "dlbook.metrics.classification",
    "Competition": "dlbook.data.kaggle",
    "check_submission": "dlbook.data.kaggle",
    "fetch_cifar10_tiny": "dlbook.data.kaggle",
    "image_batch_transform": "dlbook.data.kaggle",
    "make_fashion_mnist_competition": "dlbook.data.kaggle",
    "read_csv_labels": "dlbook.data.kaggle",
    "read_image_folder": "dlbook.data.kaggle",
    "read_test_images": "dlbook.data.kaggle",
    "reorg_test": "dlbook.data.kaggle",
    "reorg_train_valid": "dlbook.data.kaggle",
    "score_submission": "dlbook.data.kaggle",
    "FineGrainedData": "dlbook.data.kaggle_dog",
    "fetch_dog_tiny": "dlbook.data.kaggle_dog",
    "read_dog_tiny": "dlbook.data.kaggle_dog",
    "read_upper_body": "dlbook.data.kaggle_dog",
    "pretrained_features": "dlbook.train.features",
    "StyleTransferHistory": "dlbook.train.style_transfer",
    "style_transfer": "dlbook.train.style_transfer",
    "assign_anchor_to_bbox": "dlbook.ops.boxes",
    "box_area": "dlbook.ops.boxes",
    "box_center_to_corner": "dlbook.ops.boxes",
    "box_corner_to_center": "dlbook.ops.boxes",
    "box_iou": "dlbook.ops.boxes",
    "multibox_detection": "dlbook.ops.boxes",
    "multibox_prior": "dlbook.ops.boxes",
    "multibox_target": "dlbook.ops.boxes",
    "nms": "dlbook.ops.boxes",
    "offset_boxes": "dlbook.ops.boxes",
    "offset_inverse": "dlbook.ops.boxes",
    "conv2d_flops": "dlbook.ops.conv",
    "conv_output_shape": "dlbook.ops.conv",
    "corr1d": "dlbook.ops.conv",
    "corr1d_multi_in": "dlbook.ops.conv",
    "max_over_time_pool": "dlbook.ops.conv",
    "corr2d": "dlbook.ops.conv",
    "corr2d_multi_in": "dlbook.ops.conv",
    "corr2d_multi_in_out": "dlbook.ops.conv",
    "corr2d_multi_in_out_1x1": "dlbook.ops.conv",
    "learn_kernel": "dlbook.ops.conv",
    "pool2d": "dlbook.ops.conv",
    "trans_conv": "dlbook.ops.conv",
    "trans_conv_by_matrix": "dlbook.ops.conv",
    "conv_matrix": "dlbook.ops.conv",
    "operator_norm": "dlbook.ops.linalg",
    "dropout_layer": "dlbook.ops.regularization",
    "l2_penalty": "dlbook.ops.regularization",
    "show_trace_1d": "dlbook.optim.traces",
    "show_trace_2d": "dlbook.optim.traces",
    "trace_1d": "dlbook.optim.traces",
    "trace_optimizer": "dlbook.optim.traces",
    "train_2d": "dlbook.optim.traces",
    "AdadeltaScratch": "dlbook.optim.scratch",
    "AdaGradScratch": "dlbook.optim.scratch",
    "AdamScratch": "dlbook.optim.scratch",
    "RMSPropScratch": "dlbook.optim.scratch",
    "SGDMomentumScratch": "dlbook.optim.scratch",
    "YogiScratch": "dlbook.optim.scratch",
    "plot": "dlbook.plotting.figures",
    "set_axes": "dlbook.plotting.figures",
    "set_figsize": "dlbook.plotting.figures",
    "show_heatmaps": "dlbook.plotting.figures",
    "show_images": "dlbook.plotting.figures",
    "bbox_to_rect": "dlbook.plotting.boxes",
    "show_bboxes": "dlbook.plotting.boxes",
    "show_image": "dlbook.plotting.boxes",
    "use_book_style": "dlbook.plotting.figures",
    "resolve_profile": "dlbook.experiments.profiles",
    "CosineScheduler": "dlbook.optim.schedulers",
    "FactorScheduler": "dlbook.optim.schedulers",
    "MultiFactorScheduler": "dlbook.optim.schedulers",
    "SquareRootScheduler": "dlbook.optim.schedulers",
    "to_torch_scheduler": "dlbook.optim.schedulers",
    "seed_everything": "dlbook.utils.seeding",
    "lag_features": "dlbook.data.synthetic",
    "noisy_sine": "dlbook.data.synthetic",
    "sequence_reversal": "dlbook.data.synthetic",
    "sparse_classification_data": "dlbook.data.synthetic",
    "fit_autoregressive": "dlbook.train.autoregressive",
    "k_step_predictions": "dlbook.train.autoregressive",
    "predict_autoregressive": "dlbook.train.autoregressive",
    "CorruptFileError": "dlbook.utils.serialization",
    "load_state": "dlbook.utils.serialization",
    "save_state": "dlbook.utils.serialization",
    "load_house_regression": "dlbook.data.house_prices",
    "preprocess_house_prices": "dlbook.data.house_prices",
    "log_rmse": "dlbook.metrics.regression",
    "k_fold": "dlbook.train.house_prices",
    "k_fold_split": "dlbook.train.house_prices",
    "train_house_prices": "dlbook.train.house_prices",
    "write_submission": "dlbook.train.house_prices",
    "OptimizerHistory": "dlbook.train.optimizer_comparison",
    "compare_optimizers": "dlbook.train.optimizer_comparison",
    "train_optimizer": "dlbook.train.optimizer_comparison",
    "train_perceptron": "dlbook.train.perceptron",
    "predict_seq2seq": "dlbook.train.seq2seq",
    "train_seq2seq": "dlbook.train.seq2seq",
    "DetectionHistory": "dlbook.train.detection",
    "evaluate_detector": "dlbook.train.detection",
    "predict_ssd": "dlbook.train.detection",
    "ssd_loss": "dlbook.train.detection",
    "train_ssd": "dlbook.train.detection",
    "SegmentationHistory": "dlbook.train.segmentation",
    "pixel_cross_entropy": "dlbook.train.segmentation",
    "train_segmenter": "dlbook.train.segmentation",
    "SegmentationScores": "dlbook.metrics.segmentation",
    "segmentation_scores": "dlbook.metrics.segmentation",
    "SeqDataLoader": "dlbook.data.text",
    "Vocab": "dlbook.data.text",
    "clean_lines": "dlbook.data.text",
    "count_corpus": "dlbook.data.text",
    "load_corpus": "dlbook.data.text",
    "load_language_model_data": "dlbook.data.text",
    "ngrams": "dlbook.data.text",
    "read_corpus_lines": "dlbook.data.text",
    "seq_data_iter_random": "dlbook.data.text",
    "seq_data_iter_sequential": "dlbook.data.text",
    "split_corpus": "dlbook.data.text",
    "tokenize": "dlbook.data.text",
    "Timer": "dlbook.utils.timing",
    "EpochRecord": "dlbook.train.loop",
    "EpochStats": "dlbook.train.loop",
    "History": "dlbook.train.loop",
    "evaluate": "dlbook.train.loop",
    "evaluate_accuracy": "dlbook.train.loop",
    "evaluate_loss": "dlbook.train.loop",
    "init_weights": "dlbook.train.loop",
    "train_epoch": "dlbook.train.loop",
    "train_step": "dlbook.train.loop",
    "train_classifier": "dlbook.train.trainer",
    "train_regression": "dlbook.train.trainer",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    """第一次访问 ``dlbook.name`` 时导入定义它的模块，并把结果缓存在包的命名空间里。"""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dlbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # 类型检查器与编辑器看到的是普通的导入
    from dlbook.data import (
        FASHION_MNIST_LABELS,
        FashionMNIST,
        data_dir,
        fashion_mnist_labels,
        load_array,
        load_detection,
        load_fashion_mnist,
        load_house_prices,
        polynomial_data,
        read_fashion_mnist,
        read_photo,
        synthetic_linear_data,
    )
    from dlbook.data.augmentation import augment_images, transform_batches
    from dlbook.data.bert import load_bert_pretraining, minilm_tokenizer
    from dlbook.data.corpus import (
        fetch_corpus,
        read_corpus,
    )
    from dlbook.data.house_prices import (
        load_house_regression,
        preprocess_house_prices,
    )
    from dlbook.data.kaggle import (
        Competition,
        check_submission,
        fetch_cifar10_tiny,
        image_batch_transform,
        make_fashion_mnist_competition,
        read_csv_labels,
        read_image_folder,
        read_test_images,
        reorg_test,
        reorg_train_valid,
        score_submission,
    )
    from dlbook.data.kaggle_dog import (
        FineGrainedData,
        fetch_dog_tiny,
        read_dog_tiny,
        read_upper_body,
    )
    from dlbook.data.nli import load_nli, read_nli
    from dlbook.data.segmentation import (
        color_to_label,
        label_to_color,
        load_segmentation,
        rand_crop,
        read_nuclei,
        read_segmentation,
    )
    from dlbook.data.synthetic import (
        lag_features,
        noisy_sine,
        sequence_reversal,
        sparse_classification_data,
    )
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
        split_corpus,
        tokenize,
    )
    from dlbook.data.translation import (
        load_translation,
        read_translation_pairs,
    )
    from dlbook.diagrams.calculus import draw_gradient_field
    from dlbook.diagrams.conv import (
        draw_cross_correlation,
        draw_lenet,
        draw_multi_channel,
        draw_padding_and_stride,
        draw_pooling,
        draw_pooling_comparison,
    )
    from dlbook.diagrams.decomposable_attention import draw_decomposable_attention
    from dlbook.diagrams.rnn import (
        draw_bptt_graph,
        draw_minibatch_partitions,
        draw_truncation,
        draw_unrolled_rnn,
    )
    from dlbook.diagrams.tensors import (
        draw_storage,
        draw_views,
    )
    from dlbook.diagrams.textcnn import draw_textcnn
    from dlbook.experiments import (
        EXPERIMENTS,
        Experiment,
        get_experiment,
        register,
        results_table,
        run_experiment,
    )
    from dlbook.experiments.profiles import resolve_profile
    from dlbook.metrics.accumulator import Accumulator
    from dlbook.metrics.bleu import bleu, corpus_bleu
    from dlbook.metrics.classification import log_loss
    from dlbook.metrics.detection import DetectionScores, average_precision, detection_scores
    from dlbook.metrics.perplexity import (
        ngram_perplexity,
        perplexity,
    )
    from dlbook.metrics.regression import log_rmse
    from dlbook.metrics.segmentation import SegmentationScores, segmentation_scores
    from dlbook.models.alexnet import alexnet
    from dlbook.models.attention import (
        AdditiveAttention,
        DotProductAttention,
        MultiHeadAttention,
        PositionalEncoding,
        masked_softmax,
    )
    from dlbook.models.bahdanau import (
        Seq2SeqAttentionDecoder,
        seq2seq_attention,
    )
    from dlbook.models.batchnorm import (
        BatchNorm,
        bn_lenet,
        bn_lenet_concise,
        lenet_with_norm,
    )
    from dlbook.models.bert import BERTClassifier, BERTModel, load_minilm, minilm_classifier
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
    from dlbook.models.decomposable_attention import DecomposableAttention
    from dlbook.models.fcn import FCN, bilinear_kernel, fcn
    from dlbook.models.googlenet import (
        Inception,
        googlenet,
    )
    from dlbook.models.gru import (
        GRUScratch,
        gru_model,
        gru_model_from_scratch,
    )
    from dlbook.models.init import init_normal
    from dlbook.models.lenet import lenet
    from dlbook.models.linear import (
        SoftmaxRegressionScratch,
        linear_regression,
        softmax_regression,
    )
    from dlbook.models.lstm import (
        LSTMScratch,
        lstm_model,
        lstm_model_from_scratch,
    )
    from dlbook.models.mlp import (
        DropoutMLPScratch,
        MLPScratch,
        dropout_mlp,
        mlp,
    )
    from dlbook.models.mobilenet import MobileNetV2, mobilenet_v2
    from dlbook.models.nadaraya_watson import NWKernelRegression
    from dlbook.models.nin import (
        nin,
        nin_block,
    )
    from dlbook.models.resnet import (
        Residual,
        SigmoidBlock,
        resnet18,
        resnet_stage,
        sigmoid_stack,
    )
    from dlbook.models.rnn import (
        RNNModel,
        RNNScratch,
        rnn_model,
        rnn_model_from_scratch,
    )
    from dlbook.models.seq2seq import (
        EncoderDecoder,
        seq2seq,
    )
    from dlbook.models.ssd import TinySSD, tiny_ssd
    from dlbook.models.textcnn import TextCNN
    from dlbook.models.transformer import (
        TransformerDecoder,
        TransformerEncoder,
        transformer,
    )
    from dlbook.models.vgg import (
        vgg,
        vgg11,
        vgg_block,
    )
    from dlbook.ops.activations import relu
    from dlbook.ops.basic import (
        accuracy,
        cross_entropy,
        linreg,
        sgd,
        softmax,
        squared_loss,
    )
    from dlbook.ops.batchnorm import batch_norm
    from dlbook.ops.boxes import (
        assign_anchor_to_bbox,
        box_area,
        box_center_to_corner,
        box_corner_to_center,
        box_iou,
        multibox_detection,
        multibox_prior,
        multibox_target,
        nms,
        offset_boxes,
        offset_inverse,
    )
    from dlbook.ops.calculus import (
        describe_graph,
        difference_quotient,
        scale_by_control_flow,
        value_and_grad_2d,
    )
    from dlbook.ops.conv import (
        conv2d_flops,
        conv_matrix,
        conv_output_shape,
        corr1d,
        corr1d_multi_in,
        corr2d,
        corr2d_multi_in,
        corr2d_multi_in_out,
        corr2d_multi_in_out_1x1,
        learn_kernel,
        max_over_time_pool,
        pool2d,
        trans_conv,
        trans_conv_by_matrix,
    )
    from dlbook.ops.layout import (
        contiguous_strides,
        describe_layout,
        satisfies_contiguity,
        shares_storage,
        storage_indices,
        storage_size,
        storage_values,
    )
    from dlbook.ops.linalg import operator_norm
    from dlbook.ops.regularization import (
        dropout_layer,
        l2_penalty,
    )
    from dlbook.ops.style import content_loss, gram, style_loss, tv_loss
    from dlbook.optim.schedulers import (
        CosineScheduler,
        FactorScheduler,
        MultiFactorScheduler,
        SquareRootScheduler,
        to_torch_scheduler,
    )
    from dlbook.optim.scratch import (
        AdadeltaScratch,
        AdaGradScratch,
        AdamScratch,
        RMSPropScratch,
        SGDMomentumScratch,
        YogiScratch,
    )
    from dlbook.optim.traces import (
        show_trace_1d,
        show_trace_2d,
        trace_1d,
        trace_optimizer,
        train_2d,
    )
    from dlbook.plotting.boxes import (
        bbox_to_rect,
        show_bboxes,
        show_image,
    )
    from dlbook.plotting.figures import (
        plot,
        set_axes,
        set_figsize,
        show_heatmaps,
        show_images,
        use_book_style,
    )
    from dlbook.plotting.liveplot import LivePlot
    from dlbook.train.autoregressive import (
        fit_autoregressive,
        k_step_predictions,
        predict_autoregressive,
    )
    from dlbook.train.bert import train_bert
    from dlbook.train.checkpoint import (
        load_checkpoint,
        save_checkpoint,
    )
    from dlbook.train.decoding import (
        beam_search,
        exhaustive_search,
        greedy_search,
    )
    from dlbook.train.detection import (
        DetectionHistory,
        evaluate_detector,
        predict_ssd,
        ssd_loss,
        train_ssd,
    )
    from dlbook.train.distributed import (
        ShardedBatches,
        init_distributed,
    )
    from dlbook.train.features import pretrained_features
    from dlbook.train.house_prices import (
        k_fold,
        k_fold_split,
        train_house_prices,
        write_submission,
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
    from dlbook.train.optimizer_comparison import (
        OptimizerHistory,
        compare_optimizers,
        train_optimizer,
    )
    from dlbook.train.perceptron import train_perceptron
    from dlbook.train.segmentation import SegmentationHistory, pixel_cross_entropy, train_segmenter
    from dlbook.train.seq2seq import (
        predict_seq2seq,
        train_seq2seq,
    )
    from dlbook.train.style_transfer import StyleTransferHistory, style_transfer
    from dlbook.train.trainer import (
        train_classifier,
        train_regression,
    )
    from dlbook.utils.devices import (
        best_device,
        cpu,
        gpu,
        list_devices,
        num_gpus,
        try_all_gpus,
        try_gpu,
    )
    from dlbook.utils.seeding import seed_everything
    from dlbook.utils.serialization import (
        CorruptFileError,
        load_state,
        save_state,
    )
    from dlbook.utils.summary import (
        format_layer_summary,
        layer_summary,
    )
    from dlbook.utils.timing import Timer
