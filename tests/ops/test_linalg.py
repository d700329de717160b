"""矩阵的算子范数：与 torch.linalg.matrix_norm(ord=2) 对照，并检查定义中的不等式。"""

from __future__ import annotations

import pytest
import torch

from dlbook.ops.linalg import operator_norm


@pytest.mark.parametrize("m, n", [(1, 1), (1, 5), (5, 1), (3, 3), (4, 7), (8, 2), (16, 16)])
@pytest.mark.parametrize("seed", range(5))
def test_matches_spectral_norm(m: int, n: int, seed: int) -> None:
    A = torch.randn(m, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    torch.testing.assert_close(
        operator_norm(A, num_iters=500), torch.linalg.matrix_norm(A, ord=2), rtol=1e-6, atol=1e-9
    )


def test_is_the_smallest_constant_in_the_inequality() -> None:
    g = torch.Generator().manual_seed(1)
    A = torch.randn(6, 4, generator=g, dtype=torch.float64)
    c = operator_norm(A)
    b = torch.randn(4, 1000, generator=g, dtype=torch.float64)
    ratios = (A @ b).norm(dim=0) / b.norm(dim=0)
    assert (ratios <= c + 1e-12).all()  # ‖Ab‖ ≤ ‖A‖‖b‖
    top = torch.linalg.svd(A).Vh[0]  # 第一个右奇异向量取到等号，再小的常数都不行
    torch.testing.assert_close((A @ top).norm(), c)
    assert c <= torch.linalg.matrix_norm(A) + 1e-12  # 不超过弗罗贝尼乌斯范数


def test_special_matrices() -> None:
    assert operator_norm(torch.zeros(3, 2)).item() == 0.0
    assert operator_norm(torch.eye(4)).item() == pytest.approx(1.0)
    assert operator_norm(torch.tensor([[1, 2], [3, 4]])).dtype == torch.float32
    torch.testing.assert_close(operator_norm(torch.tensor([[0.0, -5.0]])), torch.tensor(5.0))


@pytest.mark.parametrize(
    "args, match",
    [
        ((torch.ones(3),), "二维"),
        ((torch.ones(2, 2, 2),), "二维"),
        ((torch.ones(2, 2), 0), "num_iters"),
    ],
)
def test_bad_arguments(args, match) -> None:
    with pytest.raises(ValueError, match=match):
        operator_norm(*args)
