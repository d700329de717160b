"""检查点：原子写入、weights_only 读回，以及“中断后继续”与“不中断”的结果完全相同。"""

from __future__ import annotations

import pickle

import pytest
import torch
from torch import nn

import dlbook.train.checkpoint as checkpoint_module
from dlbook.data import TensorBatches
from dlbook.train.checkpoint import (
    CHECKPOINT_NAME,
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
)
from dlbook.train.loop import History
from dlbook.train.trainer import train_classifier


def toy(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    X = torch.randn(n, 4, generator=g) + nn.functional.one_hot(y, 4).float() * 2
    return X, y


class Interrupting:
    """包装一个数据迭代器：第 ``stop_at`` 次遍历时抛出 KeyboardInterrupt，模拟训练被打断。"""

    def __init__(self, inner: TensorBatches, stop_at: int) -> None:
        self.inner, self.stop_at, self.count = inner, stop_at, 0

    def __len__(self) -> int:
        return len(self.inner)

    def set_epoch(self, epoch: int) -> None:
        self.inner.epoch = epoch

    def __iter__(self):
        self.count += 1
        if self.count == self.stop_at:
            raise KeyboardInterrupt
        return iter(self.inner)


def setup(loader_seed: int | None):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    train = TensorBatches(toy(120, 1), 16, shuffle=True, seed=loader_seed)
    test = TensorBatches(toy(60, 2), 32, shuffle=False)
    return net, opt, train, test


@pytest.mark.parametrize("loader_seed", [3, None])
def test_resume_equals_uninterrupted(tmp_path, loader_seed) -> None:
    """loader_seed=None 时打乱顺序来自全局随机数：检查点必须连同随机数状态一起恢复。"""
    epochs = 5
    net, opt, train, test = setup(loader_seed)
    full = train_classifier(
        net, train, test, epochs, optimizer=opt, seed=11, plot=False, verbose=False
    )
    reference = {k: v.clone() for k, v in net.state_dict().items()}

    net, opt, train, test = setup(loader_seed)
    with pytest.raises(KeyboardInterrupt):
        train_classifier(
            net,
            Interrupting(train, stop_at=3),  # 第 3 轮开始时被打断，检查点停在第 2 轮
            test,
            epochs,
            optimizer=opt,
            seed=11,
            plot=False,
            checkpoint_dir=tmp_path,
            verbose=False,
        )
    assert load_checkpoint(tmp_path / CHECKPOINT_NAME)["epoch"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT_NAME]

    net, opt, train, test = setup(loader_seed)  # 全新的进程里重新构造一切
    resumed = train_classifier(
        net,
        train,
        test,
        epochs,
        optimizer=opt,
        seed=11,
        plot=True,
        checkpoint_dir=tmp_path,
        resume=True,
        verbose=False,
    )
    for key, value in net.state_dict().items():
        assert torch.equal(value, reference[key]), key
    assert len(resumed) == epochs
    for name in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "num_examples"):
        assert resumed.column(name) == full.column(name), name
    assert load_checkpoint(tmp_path / CHECKPOINT_NAME)["epoch"] == epochs


def test_resume_of_finished_run_trains_nothing(tmp_path, capsys) -> None:
    net, opt, train, test = setup(3)
    first = train_classifier(
        net, train, test, 2, optimizer=opt, plot=False, checkpoint_dir=tmp_path
    )
    weights = {k: v.clone() for k, v in net.state_dict().items()}
    capsys.readouterr()
    net2, opt2, train, test = setup(3)
    again = train_classifier(
        net2, train, test, 2, optimizer=opt2, plot=False, checkpoint_dir=tmp_path, resume=True
    )
    assert again.column("train_loss") == first.column("train_loss")
    assert all(torch.equal(v, weights[k]) for k, v in net2.state_dict().items())
    assert capsys.readouterr().out.strip() == first.summary()


def test_resume_without_checkpoint_starts_fresh_and_needs_dir(tmp_path) -> None:
    net, opt, train, test = setup(3)
    h = train_classifier(
        net,
        train,
        test,
        1,
        optimizer=opt,
        plot=False,
        checkpoint_dir=tmp_path / "new",
        resume=True,
        verbose=False,
    )
    assert len(h) == 1 and (tmp_path / "new" / CHECKPOINT_NAME).exists()
    with pytest.raises(ValueError, match="checkpoint_dir"):
        train_classifier(net, train, test, 1, lr=0.1, resume=True)
    with pytest.raises(TypeError, match="nn.Module"):
        train_classifier(
            lambda X: X[:, :3],
            train,
            test,
            1,
            updater=lambda n: None,
            checkpoint_dir=tmp_path,
            verbose=False,
        )


def test_checkpoint_contents(tmp_path) -> None:
    net, opt, train, test = setup(3)
    train_classifier(
        net, train, test, 1, optimizer=opt, plot=False, checkpoint_dir=tmp_path, verbose=False
    )
    state = load_checkpoint(tmp_path / CHECKPOINT_NAME)
    assert set(state) >= {"model", "optimizer", "history", "rng", "epoch"}
    assert History.from_dict(state["history"]).final.epoch == 1
    assert "momentum_buffer" in str(state["optimizer"]["state"])


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch) -> None:
    path = save_checkpoint(tmp_path / "c.pt", {"epoch": 1})

    def broken_save(obj, f):
        f.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module.torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, {"epoch": 2})
    monkeypatch.undo()
    assert load_checkpoint(path) == {"epoch": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.pt"]


class NotAllowed:
    pass


def test_load_is_weights_only(tmp_path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"obj": NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.pt")


def test_rng_state_round_trip(tmp_path) -> None:
    import random

    import numpy as np

    state = capture_rng_state()
    save_checkpoint(tmp_path / "rng.pt", {"rng": state})
    a = (random.random(), np.random.rand(), torch.rand(2))
    restore_rng_state(load_checkpoint(tmp_path / "rng.pt")["rng"])
    b = (random.random(), np.random.rand(), torch.rand(2))
    assert a[0] == b[0] and a[1] == b[1] and torch.equal(a[2], b[2])
