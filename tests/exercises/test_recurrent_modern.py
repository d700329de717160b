import torch

from dlbook.exercises import check_beam_search_step, check_gru_step
from tests.exercises.helpers import assert_fails


def _gates(X, H, p):
    Z = torch.sigmoid(X @ p["W_xz"] + H @ p["W_hz"] + p["b_z"])
    R = torch.sigmoid(X @ p["W_xr"] + H @ p["W_hr"] + p["b_r"])
    return Z, R


def test_gru_step_rejects_swapped_update_gate():
    def swapped(X, H, p):
        Z, R = _gates(X, H, p)
        H_tilde = torch.tanh(X @ p["W_xh"] + (R * H) @ p["W_hh"] + p["b_h"])
        return (1 - Z) * H + Z * H_tilde

    assert_fails(check_gru_step(swapped), "初始隐状态为零", "上比参考")


def test_gru_step_rejects_the_reset_gate_after_the_product():
    def reset_after(X, H, p):
        Z, R = _gates(X, H, p)
        H_tilde = torch.tanh(X @ p["W_xh"] + R * (H @ p["W_hh"]) + p["b_h"])
        return Z * H + (1 - Z) * H_tilde

    assert_fails(check_gru_step(reset_after), "非零隐状态", "上比参考")


def test_gru_step_rejects_a_missing_reset_gate():
    def no_reset(X, H, p):
        Z, _ = _gates(X, H, p)
        return Z * H + (1 - Z) * torch.tanh(X @ p["W_xh"] + H @ p["W_hh"] + p["b_h"])

    assert_fails(check_gru_step(no_reset), "非零隐状态", "上比参考")


def test_beam_search_step_rejects_one_token_per_beam():
    def best_per_beam(scores, log_probs, k):
        total = scores[:, None] + log_probs
        values, tokens = total.max(dim=1)
        order = values.argsort(descending=True)[:k]
        return values[order], order, tokens[order]

    result = check_beam_search_step(best_per_beam)
    assert_fails(result, "第一步：1 个候选、束宽 3", "第 0 项的形状应为 (3,)，实际是 (1,)")


def test_beam_search_step_rejects_ignoring_the_old_scores():
    def no_scores(scores, log_probs, k):
        top = log_probs.flatten().topk(k)
        V = log_probs.shape[1]
        return top.values, top.indices // V, top.indices % V

    assert_fails(check_beam_search_step(no_scores), "2 个候选、束宽 2", "上比参考")


def test_beam_search_step_rejects_swapped_beam_and_token():
    def swapped(scores, log_probs, k):
        top = (scores[:, None] + log_probs).flatten().topk(k)
        V = log_probs.shape[1]
        return top.values, top.indices % V, top.indices // V

    assert_fails(check_beam_search_step(swapped), "第一步：1 个候选、束宽 3", "第 1 项在位置")
