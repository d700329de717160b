"""从零实现的算子：书中手写的 softmax、交叉熵、卷积、池化等。"""

from dlbook.ops.activations import relu
from dlbook.ops.basic import (
    accuracy,
    count_correct,
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
from dlbook.ops.conv import (
    conv2d_flops,
    conv_matrix,
    conv_output_shape,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    learn_kernel,
    pool2d,
    trans_conv,
    trans_conv_by_matrix,
    trans_conv_output_shape,
)
from dlbook.ops.linalg import operator_norm
from dlbook.ops.losses import huber_loss, l1_loss, l2_loss
from dlbook.ops.regularization import dropout_layer, l2_penalty

__all__ = [
    "relu",
    "batch_norm",
    "box_corner_to_center",
    "box_center_to_corner",
    "box_area",
    "box_iou",
    "multibox_prior",
    "assign_anchor_to_bbox",
    "offset_boxes",
    "offset_inverse",
    "multibox_target",
    "nms",
    "multibox_detection",
    "accuracy",
    "count_correct",
    "cross_entropy",
    "linreg",
    "sgd",
    "softmax",
    "squared_loss",
    "conv_output_shape",
    "conv2d_flops",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "learn_kernel",
    "pool2d",
    "trans_conv",
    "trans_conv_output_shape",
    "conv_matrix",
    "trans_conv_by_matrix",
    "operator_norm",
    "huber_loss",
    "l1_loss",
    "l2_loss",
    "dropout_layer",
    "l2_penalty",
]
