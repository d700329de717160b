"""第 8 章 现代循环神经网络的练习检查器：门控循环单元的一步、束搜索的一步。"""

from __future__ import annotations

from collections.abc import Callable

import torch

from dlbook.exercises.core import Case, CheckResult, check_function, seeded

#: ``check_gru_step`` 的参数字典里的键。
GRU_PARAM_NAMES = ("W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h")


def _gru_step_reference(X: torch.Tensor, H: torch.Tensor, params: dict) -> torch.Tensor:
    p = params
    Z = torch.sigmoid(X @ p["W_xz"] + H @ p["W_hz"] + p["b_z"])
    R = torch.sigmoid(X @ p["W_xr"] + H @ p["W_hr"] + p["b_r"])
    H_tilde = torch.tanh(X @ p["W_xh"] + (R * H) @ p["W_hh"] + p["b_h"])
    return Z * H + (1 - Z) * H_tilde


def _gru_params(num_inputs: int, num_hiddens: int, g: torch.Generator) -> dict:
    params = {}
    for gate in ("z", "r", "h"):
        params[f"W_x{gate}"] = torch.randn(num_inputs, num_hiddens, generator=g) * 0.8
        params[f"W_h{gate}"] = torch.randn(num_hiddens, num_hiddens, generator=g) * 0.8
        params[f"b_{gate}"] = torch.randn(num_hiddens, generator=g) * 0.5
    return params


def check_gru_step(fn: Callable[..., torch.Tensor], device: str | None = None) -> CheckResult:
    """检查 ``fn(X, H, params)``：门控循环单元（GRU）的一个时间步，返回新的隐状态。

    ``params`` 是字典，键见 :data:`GRU_PARAM_NAMES` （``W_x?`` 形状 ``(输入数, 隐藏单元数)``，``W_h?``
    ``(隐藏单元数, 隐藏单元数)``，``b_?`` ``(隐藏单元数,)``），公式与本书相同：

    .. math::
        Z = \\sigma(X W_{xz} + H W_{hz} + b_z),\\quad R = \\sigma(X W_{xr} + H W_{hr} + b_r),\\\\
        \\tilde H = \\tanh(X W_{xh} + (R \\odot H) W_{hh} + b_h),\\quad
        H' = Z \\odot H + (1 - Z) \\odot \\tilde H.

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def gru_step(X, H, params):
    ...     raise NotImplementedError
    >>> check_gru_step(gru_step).status
    '尚未完成'
    """
    g = seeded(12)
    cases = [
        Case(
            "初始隐状态为零",
            (torch.randn(2, 3, generator=g), torch.zeros(2, 4), _gru_params(3, 4, g)),
            hint="隐状态为零时只剩候选隐状态一项：H' = (1 − Z) ⊙ tanh(X W_xh + b_h)。",
        ),
        Case(
            "非零隐状态",
            (torch.randn(2, 3, generator=g), torch.randn(2, 4, generator=g), _gru_params(3, 4, g)),
            hint="更新门 Z 接近 1 时保留旧状态：H' = Z ⊙ H + (1 − Z) ⊙ H̃；重置门作用在 H 上，"
            "先算 R ⊙ H 再乘 W_hh。",
        ),
        Case(
            "批量 1、隐藏单元 2",
            (torch.randn(1, 5, generator=g), torch.randn(1, 2, generator=g), _gru_params(5, 2, g)),
            hint="三个门各用自己的权重：Z 用 W_xz、W_hz、b_z，R 用 W_xr、W_hr、b_r。",
        ),
    ]
    return check_function(
        fn, _gru_step_reference, cases, name="gru_step", device=device, rtol=1e-5, atol=1e-5
    )


def _beam_search_step_reference(
    scores: torch.Tensor, log_probs: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    vocab_size = log_probs.shape[1]
    top = (scores[:, None] + log_probs).flatten().topk(k)
    return top.values, top.indices // vocab_size, top.indices % vocab_size


def check_beam_search_step(fn: Callable[..., tuple], device: str | None = None) -> CheckResult:
    """检查 ``fn(scores, log_probs, k)``：束搜索的一步。

    ``scores`` 形状 ``(当前束数,)`` 是各候选序列至今的对数概率之和，``log_probs`` 形状
    ``(当前束数, 词表大小)`` 是每个候选下一个词的对数概率。返回三个张量 ``(new_scores, beam, token)``，
    各长 ``k``，按 ``new_scores`` 从高到低：在全部 ``当前束数 × 词表大小`` 个扩展中得分最高的 ``k`` 个，
    ``beam`` 与 ``token`` （``long``）说明每个新候选由哪个旧候选接上哪个词得到。

    Parameters
    ----------
    fn : callable
        读者写的函数。
    device : str, optional
        在这个设备上检查（默认 CPU）。

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def beam_search_step(scores, log_probs, k):
    ...     raise NotImplementedError
    >>> check_beam_search_step(beam_search_step).status
    '尚未完成'
    """
    g = seeded(13)

    def log_probs(beams: int, vocab: int) -> torch.Tensor:
        return torch.log_softmax(torch.randn(beams, vocab, generator=g) * 2, dim=1)

    cases = [
        Case(
            "第一步：1 个候选、束宽 3",
            (torch.zeros(1), log_probs(1, 5), 3),
            hint="第一步只有一个候选，k 个新候选都由它接上不同的词得到；返回值按得分从高到低。",
        ),
        Case(
            "2 个候选、束宽 2",
            (torch.tensor([-0.1, -3.0]), log_probs(2, 6), 2),
            hint="新得分是旧得分加上新词的对数概率；在全部 束数 × 词表大小 个扩展中一起选前 k 个，"
            "而不是每个候选各选一个。",
        ),
        Case(
            "3 个候选、束宽 3",
            (torch.tensor([-1.0, -1.2, -5.0]), log_probs(3, 4), 3),
            hint="把 (束数, 词表大小) 的得分展平后取前 k 个，下标整除词表大小得到旧候选，"
            "取余得到词。",
        ),
    ]
    return check_function(
        fn,
        _beam_search_step_reference,
        cases,
        name="beam_search_step",
        device=device,
        rtol=1e-5,
        atol=1e-5,
    )
