from dlbook.exercises import check_batch_norm_train, check_conv1x1
from tests.exercises.helpers import assert_fails


def _bn(X, gamma, beta, eps, *, unbiased=False, dims=None, eps_outside=False):
    if X.dim() == 2:
        dims, shape = dims or (0,), (1, -1)
    else:
        dims, shape = dims or (0, 2, 3), (1, -1, 1, 1)
    mean = X.mean(dim=dims, keepdim=True)
    var = X.var(dim=dims, keepdim=True, unbiased=unbiased)
    std = var.sqrt() + eps if eps_outside else (var + eps).sqrt()
    return gamma.reshape(shape) * (X - mean) / std + beta.reshape(shape)


def test_batch_norm_train_rejects_the_unbiased_variance():
    result = check_batch_norm_train(lambda *a: _bn(*a, unbiased=True))
    assert_fails(result, "全连接层的输入 (8, 3)", "上比参考")


def test_batch_norm_train_rejects_statistics_per_sample_and_channel():
    result = check_batch_norm_train(lambda X, *a: _bn(X, *a, dims=(0,) if X.dim() == 2 else (2, 3)))
    assert_fails(result, "卷积层的输入 (4, 2, 3, 3)", "上比参考")


def test_batch_norm_train_rejects_epsilon_outside_the_square_root():
    result = check_batch_norm_train(lambda *a: _bn(*a, eps_outside=True))
    assert_fails(result, "方差很小的输入", "上比参考")


def test_conv1x1_rejects_the_transposed_kernel():
    def transposed(X, K):
        c, h, w = X.shape
        return (K.T @ X.reshape(c, h * w)).reshape(-1, h, w)

    assert_fails(check_conv1x1(transposed), "3 个输入通道、2 个输出通道、3×3", "RuntimeError")


def test_conv1x1_rejects_swapped_height_and_width():
    def swapped(X, K):
        c, h, w = X.shape
        return (K @ X.reshape(c, h * w)).reshape(-1, w, h)

    assert_fails(check_conv1x1(swapped), "高和宽不同：2×4", "形状应为 (2, 2, 4)，实际是 (2, 4, 2)")


def test_conv1x1_rejects_summing_over_input_channels_only():
    def channel_sum(X, K):
        return K.sum(dim=1)[:, None, None] * X.sum(dim=0)

    assert_fails(check_conv1x1(channel_sum), "3 个输入通道、2 个输出通道、3×3", "上比参考")
