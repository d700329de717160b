r"""从零实现的优化算法：动量法、AdaGrad、RMSProp、Adadelta、Adam 与 Yogi。

每个算法都是 ``torch.optim.Optimizer`` 的子类，可以直接交给任何 PyTorch 训练循环。
共同的骨架 :class:`ScratchOptimizer` 逐个参数组、逐个参数调用 ``update``；各算法只写
``update``：在 ``state`` 字典里保存自己的状态（动量、平方梯度的累加或平均……），然后按书中的公式
原地更新参数。代码特意写得直白，公式一行对应一行代码。

除 Yogi 以外，每个算法都与 ``torch.optim`` 中的同名算法**一步一步相同**（见
:func:`max_step_differences` 与测试）。要点如下：

* :class:`SGDMomentumScratch` 与 ``torch.optim.SGD(momentum=β)`` （``dampening=0``）相同：
  :math:`\mathbf{v} \leftarrow \beta \mathbf{v} + \mathbf{g}`，
  :math:`\mathbf{w} \leftarrow \mathbf{w} - \eta \mathbf{v}`。
* :class:`AdaGradScratch` 与 ``torch.optim.Adagrad`` （``lr_decay=0``、``initial_accumulator_value=0``）相同，
  :math:`\epsilon` 加在平方根**外面**：:math:`\eta \mathbf{g} / (\sqrt{\mathbf{s}} + \epsilon)`。
  D2L 把 :math:`\epsilon` 放在平方根里面，两者只在 :math:`\mathbf{s}` 极小时有差别。
* :class:`RMSPropScratch` 的 ``gamma`` 就是 ``torch.optim.RMSprop`` 的 ``alpha``，:math:`\epsilon`
  同样加在平方根外面（D2L 放在里面）。
* :class:`AdadeltaScratch` 与 ``torch.optim.Adadelta`` 相同；原始算法没有学习率，相当于 ``lr=1``
  （两者的默认值）。
* :class:`AdamScratch` 与 ``torch.optim.Adam`` 相同（含偏差修正）；PyTorch 把修正因子换了个位置相乘，
  数学上相同，浮点结果只差舍入误差。
* :class:`YogiScratch` 在 PyTorch 中没有对应的实现。

各算法的默认超参数与 ``torch.optim`` 的默认值相同（学习率除外：除 Adadelta 外都必须给出），
书中的实验在登记表里写明 D2L 的设置。
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from dlbook.utils.checks import check_positive, check_positive_number, check_probability

__all__ = [
    "AdaGradScratch",
    "AdadeltaScratch",
    "AdamScratch",
    "RMSPropScratch",
    "SGDMomentumScratch",
    "ScratchOptimizer",
    "YogiScratch",
    "max_step_differences",
]

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


def _check_betas(betas: object) -> None:
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"betas 必须是两个数 (β1, β2)，收到 {betas!r}")
    check_probability("betas[0]", betas[0])
    check_probability("betas[1]", betas[1])


class ScratchOptimizer(torch.optim.Optimizer):
    """本模块各优化器的共同骨架：``step`` 对每个有梯度的参数调用一次 ``update``。

    子类实现 ``update(p, g, state, group)``：``p`` 是参数，``g`` 是它的梯度，``state`` 是这个参数
    自己的状态字典（第一次为空），``group`` 是它所在参数组的超参数（``group["lr"]`` 等）。
    ``step`` 在 ``torch.no_grad()`` 下运行，所以 ``update`` 可以直接原地修改 ``p`` 与状态。
    与 ``torch.optim`` 的优化器一样，``step`` 不清零梯度，那是 ``zero_grad`` 的事。
    """

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """更新一次全部参数；给出 ``closure`` 时先调用它（重新计算损失与梯度），返回它的结果。"""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, p.grad, self.state[p], group)
        return loss

    def update(
        self, p: torch.Tensor, g: torch.Tensor, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        """按算法的公式原地更新一个参数 ``p``，由子类实现。"""
        raise NotImplementedError


class SGDMomentumScratch(ScratchOptimizer):
    r"""动量法（带动量的小批量随机梯度下降）。

    .. math::

        \mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_t, \qquad
        \mathbf{w}_t = \mathbf{w}_{t-1} - \eta \mathbf{v}_t,

    :math:`\mathbf{v}_0 = 0`。与 ``torch.optim.SGD(params, lr, momentum=β)`` 一步一步相同。
    ``momentum=0`` 时就是普通的小批量随机梯度下降。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        学习率 :math:`\eta`，必须为正。
    momentum : float
        动量 :math:`\beta`，在 :math:`[0, 1)` 之间。

    Examples
    --------
    >>> w = torch.tensor([1.0, 1.0], requires_grad=True)
    >>> opt = SGDMomentumScratch([w], lr=0.1, momentum=0.5)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w ** 2).sum().backward()      # 梯度 2w
    ...     opt.step()
    >>> w      # 第一步 v = 2，w = 0.8；第二步 v = 0.5 * 2 + 1.6 = 2.6，w = 0.54
    tensor([0.5400, 0.5400], requires_grad=True)
    >>> SGDMomentumScratch([w], lr=0.1, momentum=1.0)
    Traceback (most recent call last):
    ...
    ValueError: momentum 必须在 [0, 1) 之间，收到 1.0
    """

    def __init__(self, params: Params, lr: float, momentum: float = 0.0) -> None:
        check_positive_number("lr", lr)
        check_probability("momentum", momentum)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def update(self, p, g, state, group):
        if not state:
            state["v"] = torch.zeros_like(p)  # 速度（梯度的泄漏平均，未乘 1 - β）
        v = state["v"]
        v.mul_(group["momentum"]).add_(g)  # v ← βv + g
        p.sub_(group["lr"] * v)  # w ← w − ηv


class AdaGradScratch(ScratchOptimizer):
    r"""AdaGrad：每个坐标的学习率除以它历史梯度平方和的平方根。

    .. math::

        \mathbf{s}_t = \mathbf{s}_{t-1} + \mathbf{g}_t^2, \qquad
        \mathbf{w}_t = \mathbf{w}_{t-1} - \frac{\eta}{\sqrt{\mathbf{s}_t} + \epsilon} \odot \mathbf{g}_t,

    :math:`\mathbf{s}_0 = 0`。与 ``torch.optim.Adagrad(params, lr, eps=ε)`` （其余参数取默认值）
    一步一步相同。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        学习率 :math:`\eta`，必须为正。
    eps : float
        防止除以 0 的小常数，必须为正；默认值与 PyTorch 相同。

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdaGradScratch([w], lr=0.5)
    >>> (w ** 2).sum().backward()          # 梯度 [2, -4]，s = [4, 16]
    >>> opt.step()
    >>> w      # 第一步每个坐标都移动 η = 0.5（方向与梯度相反），与梯度大小无关
    tensor([ 0.5000, -1.5000], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float, eps: float = 1e-10) -> None:
        check_positive_number("lr", lr)
        check_positive_number("eps", eps)
        super().__init__(params, dict(lr=lr, eps=eps))

    def update(self, p, g, state, group):
        if not state:
            state["s"] = torch.zeros_like(p)  # 梯度平方的累加
        s = state["s"]
        s.add_(g * g)  # s ← s + g²
        p.sub_(group["lr"] * g / (s.sqrt() + group["eps"]))  # w ← w − η g / (√s + ε)


class RMSPropScratch(ScratchOptimizer):
    r"""RMSProp：把 AdaGrad 的累加换成梯度平方的泄漏平均。

    .. math::

        \mathbf{s}_t = \gamma \mathbf{s}_{t-1} + (1 - \gamma) \mathbf{g}_t^2, \qquad
        \mathbf{w}_t = \mathbf{w}_{t-1} - \frac{\eta}{\sqrt{\mathbf{s}_t} + \epsilon} \odot \mathbf{g}_t,

    :math:`\mathbf{s}_0 = 0`。与 ``torch.optim.RMSprop(params, lr, alpha=γ, eps=ε)`` （其余参数取默认值）
    一步一步相同。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        学习率 :math:`\eta`，必须为正。
    gamma : float
        泄漏平均的衰减率 :math:`\gamma` （PyTorch 叫它 ``alpha``），在 :math:`[0, 1)` 之间。
    eps : float
        防止除以 0 的小常数，必须为正。

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = RMSPropScratch([w], lr=0.01, gamma=0.9)
    >>> (w ** 2).sum().backward()          # 梯度 [2, -4]，s = 0.1 g²
    >>> opt.step()
    >>> w      # 第一步移动 η / √0.1 ≈ 0.0316，同样与梯度大小无关
    tensor([ 0.9684, -1.9684], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float, gamma: float = 0.99, eps: float = 1e-8) -> None:
        check_positive_number("lr", lr)
        check_probability("gamma", gamma)
        check_positive_number("eps", eps)
        super().__init__(params, dict(lr=lr, gamma=gamma, eps=eps))

    def update(self, p, g, state, group):
        if not state:
            state["s"] = torch.zeros_like(p)  # 梯度平方的泄漏平均
        s, gamma = state["s"], group["gamma"]
        s.mul_(gamma).add_((1 - gamma) * g * g)  # s ← γs + (1 − γ)g²
        p.sub_(group["lr"] * g / (s.sqrt() + group["eps"]))  # w ← w − η g / (√s + ε)


class AdadeltaScratch(ScratchOptimizer):
    r"""Adadelta：用参数变化量平方的泄漏平均代替学习率。

    .. math::

        \mathbf{s}_t &= \rho \mathbf{s}_{t-1} + (1 - \rho) \mathbf{g}_t^2, \\
        \mathbf{g}'_t &= \frac{\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}}{\sqrt{\mathbf{s}_t + \epsilon}} \odot \mathbf{g}_t, \\
        \mathbf{w}_t &= \mathbf{w}_{t-1} - \eta\, \mathbf{g}'_t, \\
        \Delta\mathbf{x}_t &= \rho \Delta\mathbf{x}_{t-1} + (1 - \rho) {\mathbf{g}'_t}^2,

    :math:`\mathbf{s}_0 = \Delta\mathbf{x}_0 = 0`。原始算法没有学习率，即 :math:`\eta = 1` （默认值）；
    与 ``torch.optim.Adadelta(params, lr=η, rho=ρ, eps=ε)`` 一步一步相同。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        乘在更新量上的系数，默认 1（原始算法）。
    rho : float
        两个泄漏平均的衰减率 :math:`\rho`，在 :math:`[0, 1)` 之间。
    eps : float
        小常数 :math:`\epsilon`，必须为正；它也决定了第一步的步长（约 :math:`\sqrt{\epsilon}` 的量级）。

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdadeltaScratch([w], rho=0.9, eps=1e-4)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w      # 第一步约移动 √ε / √(1 − ρ) ≈ 0.0316
    tensor([ 0.9684, -1.9684], requires_grad=True)
    """

    def __init__(
        self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6
    ) -> None:
        check_positive_number("lr", lr)
        check_probability("rho", rho)
        check_positive_number("eps", eps)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    def update(self, p, g, state, group):
        if not state:
            state["s"] = torch.zeros_like(p)  # 梯度平方的泄漏平均
            state["delta"] = torch.zeros_like(p)  # 参数变化量平方的泄漏平均 Δx
        s, delta, rho, eps = state["s"], state["delta"], group["rho"], group["eps"]
        s.mul_(rho).add_((1 - rho) * g * g)  # s ← ρs + (1 − ρ)g²
        g_rescaled = (delta + eps).sqrt() / (s + eps).sqrt() * g  # g' ← √(Δx + ε) / √(s + ε) ⊙ g
        p.sub_(group["lr"] * g_rescaled)  # w ← w − η g'
        delta.mul_(rho).add_((1 - rho) * g_rescaled * g_rescaled)  # Δx ← ρΔx + (1 − ρ)g'²


class AdamScratch(ScratchOptimizer):
    r"""Adam：梯度与梯度平方各取一个泄漏平均，修正偏差后再像 RMSProp 那样缩放。

    .. math::

        \mathbf{v}_t &= \beta_1 \mathbf{v}_{t-1} + (1 - \beta_1) \mathbf{g}_t, \qquad
        \mathbf{s}_t = \beta_2 \mathbf{s}_{t-1} + (1 - \beta_2) \mathbf{g}_t^2, \\
        \hat{\mathbf{v}}_t &= \frac{\mathbf{v}_t}{1 - \beta_1^t}, \qquad
        \hat{\mathbf{s}}_t = \frac{\mathbf{s}_t}{1 - \beta_2^t}, \qquad
        \mathbf{w}_t = \mathbf{w}_{t-1} - \frac{\eta\, \hat{\mathbf{v}}_t}{\sqrt{\hat{\mathbf{s}}_t} + \epsilon},

    :math:`\mathbf{v}_0 = \mathbf{s}_0 = 0`，:math:`t` 是这个参数已更新的步数。
    与 ``torch.optim.Adam(params, lr, betas=(β1, β2), eps=ε)`` 一步一步相同（差别只在舍入误差）。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        学习率 :math:`\eta`，必须为正。
    betas : tuple of float
        :math:`(\beta_1, \beta_2)`，都在 :math:`[0, 1)` 之间。
    eps : float
        防止除以 0 的小常数，必须为正。

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdamScratch([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w      # 修正偏差之后，第一步每个坐标都移动 η
    tensor([ 0.9000, -1.9000], requires_grad=True)
    >>> opt.state[w]["step"]
    1
    """

    def __init__(
        self,
        params: Params,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        check_positive_number("lr", lr)
        _check_betas(betas)
        check_positive_number("eps", eps)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps))

    def update(self, p, g, state, group):
        if not state:
            state["step"] = 0
            state["v"] = torch.zeros_like(p)  # 梯度的泄漏平均（动量）
            state["s"] = torch.zeros_like(p)  # 梯度平方的泄漏平均
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t, v, s = state["step"], state["v"], state["s"]
        v.mul_(beta1).add_((1 - beta1) * g)  # v ← β1 v + (1 − β1) g
        self.update_s(s, g, beta2)
        v_hat = v / (1 - beta1**t)  # 偏差修正
        s_hat = s / (1 - beta2**t)
        p.sub_(group["lr"] * v_hat / (s_hat.sqrt() + group["eps"]))

    def update_s(self, s: torch.Tensor, g: torch.Tensor, beta2: float) -> None:
        """梯度平方的泄漏平均：s ← β2 s + (1 − β2) g²（原地修改 ``s``）。"""
        s.mul_(beta2).add_((1 - beta2) * g * g)


class YogiScratch(AdamScratch):
    r"""Yogi（Zaheer 等人，2018）：把 Adam 中 :math:`\mathbf{s}` 的更新换成只按符号移动的加性更新。

    .. math::

        \mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)\, \mathbf{g}_t^2 \odot
        \operatorname{sgn}(\mathbf{g}_t^2 - \mathbf{s}_{t-1}),

    其余（:math:`\mathbf{v}`、偏差修正、更新参数）与 :class:`AdamScratch` 相同，所以它是 Adam 的
    子类，只换掉 ``update_s``。Adam 的更新可以写成
    :math:`\mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)(\mathbf{g}_t^2 - \mathbf{s}_{t-1})`：
    :math:`\mathbf{s}_{t-1}` 远大于 :math:`\mathbf{g}_t^2` 时它一步减去很多，有效学习率突然变大；
    Yogi 每步的变化不超过 :math:`(1 - \beta_2) \mathbf{g}_t^2`。PyTorch 没有 Yogi；
    与 D2L 一样，:math:`\mathbf{v}_0 = \mathbf{s}_0 = 0`，并沿用 Adam 的偏差修正。这个修正对 Yogi 并不准确：
    :math:`\mathbf{s} < \mathbf{g}^2` 时 :math:`\mathbf{s}_t = t (1 - \beta_2) \mathbf{g}^2` 线性增长，
    除以 :math:`1 - \beta_2^t` 后高估 :math:`\mathbf{g}^2` （:math:`\beta_2 = 0.99`、第 100 步约 1.58 倍）。

    Parameters
    ----------
    params : 可迭代的张量或参数组字典
        要优化的参数。
    lr : float
        学习率 :math:`\eta`，必须为正。
    betas : tuple of float
        :math:`(\beta_1, \beta_2)`，都在 :math:`[0, 1)` 之间。
    eps : float
        防止除以 0 的小常数，必须为正；默认值取论文中的 :math:`10^{-3}`。

    Examples
    --------
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = YogiScratch([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w      # s 从 0 开始，第一步与 Adam 相同（ε 较大，步长略小于 η）
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: Params,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-3,
    ) -> None:
        super().__init__(params, lr, betas, eps)

    def update_s(self, s: torch.Tensor, g: torch.Tensor, beta2: float) -> None:
        g2 = g * g
        s.add_((1 - beta2) * g2 * torch.sign(g2 - s))  # s ← s + (1 − β2) g² sgn(g² − s)


def max_step_differences(
    make_ours: Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer],
    make_theirs: Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer],
    num_steps: int = 20,
    *,
    batch_size: int = 16,
    dtype: torch.dtype = torch.float64,
    seed: int = 0,
) -> list[float]:
    """让两个优化器在同一个小网络、同一串小批量上各走 ``num_steps`` 步，返回每步之后参数的最大绝对差。

    网络是一个 5-8-1 的多层感知机（tanh 激活），数据是随机生成的回归问题，损失是均方误差；
    两个网络从同样的参数出发，每一步读同一个小批量。两个优化器的定义一致时，每步的差都只是舍入误差。

    Parameters
    ----------
    make_ours, make_theirs : callable
        ``make(params)`` 返回优化器，例如 ``lambda p: AdamScratch(p, lr=0.01)``。
    num_steps : int
        步数。
    batch_size : int
        小批量大小。
    dtype : torch.dtype
        参数与数据的类型；默认 ``float64``，舍入误差可以忽略。
    seed : int
        生成初值与数据的种子。

    Examples
    --------
    >>> diffs = max_step_differences(lambda p: SGDMomentumScratch(p, lr=0.1, momentum=0.9),
    ...                              lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))
    >>> len(diffs), max(diffs) < 1e-12
    (20, True)
    """
    check_positive("num_steps", num_steps)
    check_positive("batch_size", batch_size)
    g = torch.Generator().manual_seed(seed)
    ours = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1)).to(dtype)
    with torch.no_grad():
        for p in ours.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=dtype) * 0.5)
    theirs = copy.deepcopy(ours)
    opt_ours, opt_theirs = make_ours(ours.parameters()), make_theirs(theirs.parameters())
    true_w = torch.randn(5, 1, generator=g, dtype=dtype)
    diffs = []
    for _ in range(num_steps):
        X = torch.randn(batch_size, 5, generator=g, dtype=dtype)
        y = torch.sin(X @ true_w)
        for net, opt in ((ours, opt_ours), (theirs, opt_theirs)):
            opt.zero_grad()
            nn.functional.mse_loss(net(X), y).backward()
            opt.step()
        diffs.append(
            max((a - b).abs().max().item() for a, b in zip(ours.parameters(), theirs.parameters()))
        )
    return diffs
