"""Fashion-MNIST：查找、校验、下载、解码缓存与小批量读取。

数据按以下顺序查找，找到即用：

1. 调用时给出的目录 ``root`` （给出时只在这里找；可直接放四个文件，也可以是
   ``root/fashion-mnist/`` 或 torchvision 的 ``root/FashionMNIST/raw/`` 布局）；
2. 用户缓存 ``<data_dir()>/fashion-mnist`` （见 :func:`dlbook.data.data_dir`）；
3. Debian/Ubuntu 软件包 ``dataset-fashion-mnist`` 安装的系统副本
   ``/usr/share/datasets/fashion-mnist``；
4. 从镜像下载到用户缓存（环境变量 ``DLBOOK_FASHION_MNIST_MIRROR`` 可指定镜像）。

文件的校验针对 **解压后的内容**：Debian 包里的 ``.gz`` 是重新压缩过的，压缩包的摘要与上游不同，
但内容逐字节相同。四个文件第一次被读到时整体解码成 ``uint8`` 张量，存进
``<data_dir()>/fashion-mnist/decoded.pt``；之后直接加载这个文件。
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import torch
import torch.nn.functional as F

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
from dlbook.data.idx import IDXFormatError, read_idx
from dlbook.data.loader import TensorBatches

__all__ = [
    "FASHION_MNIST_LABELS",
    "FashionMNIST",
    "describe_fashion_mnist_source",
    "fashion_mnist_labels",
    "fetch_fashion_mnist",
    "load_fashion_mnist",
    "locate_fashion_mnist",
    "read_fashion_mnist",
    "verify_fashion_mnist",
]

#: 十个类别的英文名，顺序与标签 0–9 对应。
FASHION_MNIST_LABELS: tuple[str, ...] = (
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)

#: 四个文件（不含 ``.gz`` 后缀）解压后内容的 SHA-256。它们由 Debian 包中的文件算出，
#: 与上游压缩包（torchvision 记录的 MD5 为 8d4fb7e6…、25c81989…、bef4ecab…、bb300cfd…）
#: 解压后的内容相同：解压内容的 MD5 f4a8712d…、9018921c…、8181f547…、15d48437… 两边一致。
CONTENT_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
FILE_NAMES: tuple[str, ...] = tuple(CONTENT_SHA256)
#: torchvision 使用的两个镜像；环境变量 ``DLBOOK_FASHION_MNIST_MIRROR`` 给出的镜像排在最前。
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/fashion-mnist/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
MIRROR_ENV = "DLBOOK_FASHION_MNIST_MIRROR"
#: 页脚里的数据名称（见 :func:`dlbook.data.download.note_data_use`）。
TITLE = "Fashion-MNIST"
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
#: 设为 ``0`` （或 ``false``、``no``）时不使用系统副本，只用缓存或下载。
SYSTEM_DATA_ENV = "DLBOOK_USE_SYSTEM_DATA"
CACHE_SUBDIR = "fashion-mnist"
DECODED_NAME = "decoded.pt"
_DECODED_VERSION = 1
_LAYOUTS = ("", "fashion-mnist", os.path.join("FashionMNIST", "raw"))
_IMAGE_SIZE = (28, 28)


def fashion_mnist_labels(labels: Iterable[int] | torch.Tensor) -> list[str]:
    """把数字标签（0–9）换成类别名。

    Examples
    --------
    >>> fashion_mnist_labels(torch.tensor([9, 0, 0, 3]))
    ['ankle boot', 't-shirt', 't-shirt', 'dress']
    """
    if isinstance(labels, torch.Tensor):
        labels = labels.reshape(-1).tolist()
    names = []
    for label in labels:
        i = int(label)
        if not 0 <= i < len(FASHION_MNIST_LABELS):
            raise ValueError(f"Fashion-MNIST 的标签应在 0–9 之间，收到 {label!r}")
        names.append(FASHION_MNIST_LABELS[i])
    return names


@dataclasses.dataclass
class FashionMNIST:
    """解码后的 Fashion-MNIST：四个张量与数据来源。"""

    train_images: torch.Tensor
    """``uint8``，形状 ``(60000, 28, 28)``。"""
    train_labels: torch.Tensor
    """``int64``，形状 ``(60000,)``。"""
    test_images: torch.Tensor
    """``uint8``，形状 ``(10000, 28, 28)``。"""
    test_labels: torch.Tensor
    """``int64``，形状 ``(10000,)``。"""
    source: str
    """数据从哪里读到，例如 ``"系统副本 /usr/share/datasets/fashion-mnist（已校验）"``。"""
    verified: bool = False
    """四个文件解压后的内容是否与官方数据的摘要一致。"""


def _find_in(directory: Path) -> dict[str, Path] | None:
    """在 ``directory`` 及其常见子布局中找齐四个文件；找不齐返回 ``None``。"""
    for layout in _LAYOUTS:
        base = directory / layout if layout else directory
        files = {}
        for name in FILE_NAMES:
            for candidate in (base / f"{name}.gz", base / name):
                if candidate.is_file():
                    files[name] = candidate
                    break
        if len(files) == len(FILE_NAMES):
            return files
    return None


def use_system_copy(use_system: bool | None = None) -> bool:
    """是否使用系统副本 :data:`SYSTEM_DIR`：``use_system`` 优先，否则看环境变量 ``DLBOOK_USE_SYSTEM_DATA``。

    Examples
    --------
    >>> use_system_copy(False), use_system_copy(True)
    (False, True)
    """
    if use_system is not None:
        return bool(use_system)
    return os.environ.get(SYSTEM_DATA_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def locate_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, use_system: bool | None = None
) -> DataSource | None:
    """按查找顺序（``root``、用户缓存、系统副本）找 Fashion-MNIST，不解码、不下载。

    给出 ``root`` 时只在 ``root`` 里找。``use_system=False`` （或环境变量
    ``DLBOOK_USE_SYSTEM_DATA=0``）时跳过系统副本，只找缓存。找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_fashion_mnist(tempfile.mkdtemp()) is None
    True
    """
    if root is not None:
        files = _find_in(Path(root))
        return None if files is None else DataSource("目录", Path(root), files)
    cache = data_dir() / CACHE_SUBDIR
    places = [("缓存", cache)] + ([("系统副本", SYSTEM_DIR)] if use_system_copy(use_system) else [])
    for kind, directory in places:
        files = _find_in(directory)
        if files is not None:
            return DataSource(kind, directory, files)
    return None


def describe_fashion_mnist_source(root: str | os.PathLike[str] | None = None) -> str:
    """一句话说明 Fashion-MNIST 会从哪里读取（只查看文件是否存在，不解码、不下载）。

    Examples
    --------
    >>> import tempfile
    >>> describe_fashion_mnist_source(tempfile.mkdtemp())
    'Fashion-MNIST（本机未找到，首次使用时下载）'
    """
    found = locate_fashion_mnist(root)
    if found is None:
        return "Fashion-MNIST（本机未找到，首次使用时下载）"
    return f"Fashion-MNIST（{found.describe()}）"


def _mirrors(mirror: str | None = None) -> list[str]:
    mirrors = [m for m in (mirror, os.environ.get(MIRROR_ENV)) if m]
    mirrors += [m for m in MIRRORS if m not in mirrors]
    return [m if m.endswith("/") else m + "/" for m in mirrors]


def _how_to_get(detail: str = "") -> str:
    cache = data_dir() / CACHE_SUBDIR
    names = "、".join(f"{n}.gz" for n in FILE_NAMES)
    text = (
        "找不到 Fashion-MNIST 数据。获取它的办法（任选其一）：\n"
        "  1. 安装 Debian/Ubuntu 软件包：sudo apt-get install dataset-fashion-mnist"
        f"（文件装到 {SYSTEM_DIR}）；\n"
        f"  2. 把四个文件 {names} 放进缓存目录 {cache}"
        "（环境变量 DLBOOK_DATA_DIR 可改变缓存位置），或调用时用 root= 指定所在目录；\n"
        f"  3. 联网时运行 python -m dlbook data fetch fashion-mnist；镜像不可用时用环境变量 "
        f"{MIRROR_ENV} 指定一个镜像（网址下直接放着这四个文件）。"
    )
    if downloads_disabled():
        text += "\n（环境变量 DLBOOK_OFFLINE 已设置，所以没有尝试下载。）"
    if detail:
        text += f"\n下载失败的详情：\n{detail}"
    return text


def _check_images(images: torch.Tensor, path: Path) -> None:
    if tuple(images.shape[1:]) != _IMAGE_SIZE:
        raise IDXFormatError(
            f"{path}：Fashion-MNIST 图像应为 28×28，文件头声明 {tuple(images.shape[1:])}"
        )


def _check_labels(labels: torch.Tensor, path: Path) -> None:
    if len(labels) and int(labels.max()) >= len(FASHION_MNIST_LABELS):
        bad = int(torch.nonzero(labels >= len(FASHION_MNIST_LABELS))[0, 0])
        raise IDXFormatError(f"{path}：第 {bad} 个标签是 {int(labels[bad])}，超出了 0–9 的范围")


def _decode(files: dict[str, Path]) -> dict[str, torch.Tensor]:
    """读取并检查四个文件，返回 ``uint8`` 图像与 ``int64`` 标签。"""
    out = {}
    for split, (image_name, label_name) in _SPLITS.items():
        images = read_idx(files[image_name], ndim=3)
        _check_images(images, files[image_name])
        labels = read_idx(files[label_name], ndim=1)
        _check_labels(labels, files[label_name])
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{files[image_name]} 有 {len(images)} 张图像，而 {files[label_name]} 有 "
                f"{len(labels)} 个标签：数量应当相同"
            )
        out[f"{split}_images"] = images.clone()
        out[f"{split}_labels"] = labels.to(torch.int64)
    return out


def _source_key(files: dict[str, Path]) -> list[str]:
    """源文件的身份（绝对路径、大小、修改时间）：任何一个变了，解码缓存就作废。"""
    key = []
    for name in FILE_NAMES:
        st = files[name].stat()
        key.append(f"{files[name].resolve()}|{st.st_size}|{st.st_mtime_ns}")
    return key


def _digests(files: dict[str, Path]) -> dict[str, str]:
    return {name: content_digest(path) for name, path in files.items()}


def verify_fashion_mnist(directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里的 Fashion-MNIST 文件，返回发现的问题（空列表表示一切正常）。

    每个文件都检查：存在与否、gzip 是否完整、IDX 魔数与长度、图像尺寸、标签范围、
    图像与标签数量是否一致，以及解压后内容的 SHA-256 是否与官方数据一致。

    Examples
    --------
    >>> import tempfile
    >>> problems = verify_fashion_mnist(tempfile.mkdtemp())
    >>> len(problems), problems[0].startswith("缺少文件")
    (4, True)
    """
    directory = Path(directory)
    problems = []
    files = _find_in(directory)
    if files is None:  # 没找齐：检查已有的文件，并列出缺少的
        files = {}
        for name in FILE_NAMES:
            for candidate in (directory / f"{name}.gz", directory / name):
                if candidate.is_file():
                    files[name] = candidate
                    break
            else:
                problems.append(f"缺少文件 {directory / name}.gz（或未压缩的 {name}）")
    for image_name, label_name in _SPLITS.values():
        counts = {}
        for name, ndim in ((image_name, 3), (label_name, 1)):
            path = files.get(name)
            if path is None:
                continue
            try:
                tensor = read_idx(path, ndim=ndim)
                (_check_images if ndim == 3 else _check_labels)(tensor, path)
                counts[name] = len(tensor)
                digest = content_digest(path)
            except (IDXFormatError, ValueError, OSError) as err:
                problems.append(str(err))
                continue
            if digest != CONTENT_SHA256[name]:
                problems.append(
                    f"{path}：解压后内容的 SHA-256 为 {digest}，与官方 Fashion-MNIST 的 "
                    f"{CONTENT_SHA256[name]} 不符"
                )
        if len(counts) == 2 and counts[image_name] != counts[label_name]:
            problems.append(
                f"{files[image_name]} 有 {counts[image_name]} 张图像，而 {files[label_name]} 有 "
                f"{counts[label_name]} 个标签"
            )
    return problems


def _verify_download(name: str) -> object:
    def verify(path: Path) -> None:
        tensor = read_idx(path, ndim=3 if "images" in name else 1)
        (_check_images if "images" in name else _check_labels)(tensor, path)
        digest = content_digest(path)
        if digest != CONTENT_SHA256[name]:
            raise ValueError(
                f"{name}.gz 解压后内容的 SHA-256 为 {digest}，应为 {CONTENT_SHA256[name]}"
            )

    return verify


def fetch_fashion_mnist(
    *,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
    copy_from: str | os.PathLike[str] | None = None,
) -> Path:
    """把 Fashion-MNIST 的四个文件放进用户缓存，返回缓存目录。

    缓存里已有且内容正确的文件不再处理。其余文件：给出 ``copy_from`` 时从这个目录复制；
    否则下载，镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_FASHION_MNIST_MIRROR``、torchvision
    的两个镜像。每个文件都先校验（IDX 格式与解压后内容的 SHA-256），通过后才原子地放进缓存；
    下载失败不会在缓存里留下任何文件。

    Raises
    ------
    DataUnavailableError
        下载失败或已禁止下载（``DLBOOK_OFFLINE``）；信息列出获取数据的全部办法。

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> cache = tempfile.mkdtemp()
    >>> def offline(url, timeout):
    ...     raise OSError("没有网络")
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": cache}):
    ...     fetch_fashion_mnist(opener=offline, retries=0)
    Traceback (most recent call last):
    ...
    dlbook.data.download.DataUnavailableError: 找不到 Fashion-MNIST 数据。获取它的办法（任选其一）：...
    >>> [p for p in Path(cache).rglob("*") if p.is_file()]
    []
    """
    cache = data_dir() / CACHE_SUBDIR
    for name in FILE_NAMES:
        dest = cache / f"{name}.gz"
        if dest.is_file():
            try:
                if content_digest(dest) == CONTENT_SHA256[name]:
                    continue
            except ValueError:
                pass
        verify = _verify_download(name)
        if copy_from is not None:
            files = _find_in(Path(copy_from))
            if files is None:
                raise FileNotFoundError(f"{copy_from} 里没有找齐 Fashion-MNIST 的四个文件")
            src = files[name]
            with atomic_write(dest) as out, open(src, "rb") as f:
                if src.suffix == ".gz":
                    shutil.copyfileobj(f, out)
                else:  # 未压缩的文件压缩后再放进缓存，缓存里总是 .gz
                    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
                        shutil.copyfileobj(f, gz)
                out.flush()
                verify(Path(out.name))
            continue
        if downloads_disabled():
            raise DataUnavailableError(_how_to_get())
        urls = [m + f"{name}.gz" for m in _mirrors(mirror)]
        try:
            download(
                f"{name}.gz", urls, dest, verify, timeout=timeout, retries=retries, opener=opener
            )
        except DownloadError as err:
            raise DataUnavailableError(_how_to_get(str(err))) from err
    return cache


#: 本进程里最近一次解码（或加载）的结果：同一份源文件再次读取时直接复用，不再碰磁盘。
_MEMO: dict[str, dict] = {}


def _load_decoded(path: Path, key: list[str]) -> dict | None:
    memo = _MEMO.get(str(path))
    if memo is not None and memo["key"] == key:
        return memo
    if not path.is_file():
        return None
    try:
        cached = torch.load(path, weights_only=True, mmap=True)
    except Exception:  # noqa: BLE001 - 损坏或过时的缓存只是重新解码
        return None
    if not isinstance(cached, dict) or cached.get("version") != _DECODED_VERSION:
        return None
    if cached.get("key") != key:
        return None
    _MEMO.clear()
    _MEMO[str(path)] = cached
    return cached


def read_fashion_mnist(
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    use_system: bool | None = None,
) -> FashionMNIST:
    """读取整个 Fashion-MNIST，返回四个张量（图像为 ``uint8``，标签为 ``int64``）。

    查找顺序见本模块说明（``use_system`` 见 :func:`locate_fashion_mnist`）；都找不到且
    ``download=True`` 时下载到用户缓存。解码结果缓存在
    ``<data_dir()>/fashion-mnist/decoded.pt``，源文件不变时第二次读取只需加载这个文件；同一进程里
    再次读取直接复用内存中的张量（它们在各次调用之间共享，请不要原地修改）。

    Raises
    ------
    FileNotFoundError
        给出的 ``root`` 里没有找齐四个文件。
    dlbook.data.idx.IDXFormatError
        文件格式不对（魔数、数量、截断、标签越界），信息里有文件名与问题。
    DataUnavailableError
        本机没有数据且无法下载；信息列出获取数据的全部办法。

    Examples
    --------
    >>> data = read_fashion_mnist()
    >>> data.train_images.shape, data.train_labels[:4].tolist()
    (torch.Size([60000, 28, 28]), [9, 0, 0, 3])
    """
    note_data_use(TITLE)
    found = locate_fashion_mnist(root, use_system=use_system)
    if found is None and root is not None:
        raise FileNotFoundError(
            f"{root} 里没有找齐 Fashion-MNIST 的四个文件（{', '.join(FILE_NAMES)}，可带 .gz 后缀，"
            "也可以在 fashion-mnist/ 或 FashionMNIST/raw/ 子目录中）"
        )
    if found is None:
        if not download or downloads_disabled():
            raise DataUnavailableError(_how_to_get())
        cache = fetch_fashion_mnist()
        found = DataSource("缓存（刚下载）", cache, _find_in(cache) or {})
    key = _source_key(found.files)
    decoded_path = data_dir() / CACHE_SUBDIR / DECODED_NAME
    cached = _load_decoded(decoded_path, key)
    if cached is None:
        tensors = _decode(found.files)
        digests = _digests(found.files)
        verified = digests == CONTENT_SHA256
        cached = {"version": _DECODED_VERSION, "key": key, "digests": digests, "verified": verified}
        cached.update(tensors)
        with contextlib.suppress(OSError):  # 缓存目录不可写时照常返回，只是下次还要解码
            with atomic_write(decoded_path) as f:
                torch.save(cached, f)
        _MEMO.clear()
        _MEMO[str(decoded_path)] = cached
    verified = bool(cached["verified"])
    status = "已校验" if verified else "内容与官方数据的摘要不符，未校验"
    return FashionMNIST(
        train_images=cached["train_images"],
        train_labels=cached["train_labels"],
        test_images=cached["test_images"],
        test_labels=cached["test_labels"],
        source=f"{found.describe()}（{status}）",
        verified=verified,
    )


def _resize_arg(resize: int | tuple[int, int] | None) -> tuple[int, int] | None:
    if resize is None:
        return None
    if isinstance(resize, int) and not isinstance(resize, bool):
        size = (resize, resize)
    elif isinstance(resize, tuple | list) and len(resize) == 2:
        size = tuple(resize)
    else:
        raise ValueError(f"resize 必须是正整数或 (高, 宽)，收到 {resize!r}")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size):
        raise ValueError(f"resize 必须是正整数或 (高, 宽)，收到 {resize!r}")
    return size  # type: ignore[return-value]


#: 缩放后的整个数据集（``uint8``）最多占可用内存（或显存）的这个比例，超过时改为每批缩放。
RESIZE_CACHE_FRACTION = 0.25


def _available_bytes(device: torch.device) -> int:
    """``device`` 上现在还能用的内存字节数；无法得知时返回 0（于是不缓存）。"""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    if device.type == "cpu":
        with contextlib.suppress(OSError, ValueError):  # Linux：可用内存（含可回收的页缓存）
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
        with contextlib.suppress(ValueError, OSError, AttributeError):
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return 0


def _resize_uint8(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """把 ``(N, H, W)`` 的 ``uint8`` 图像双线性缩放成 ``(N, 1, *size)`` 的 ``uint8``。

    CPU 上直接在 ``uint8`` 上插值（PyTorch 为它实现了定点运算，比先转浮点快两三倍，写出的字节也只有
    浮点的四分之一）；其他设备先转浮点插值再四舍五入。两种做法与浮点插值的差别都不超过 1/255。
    """
    X = images.unsqueeze(1)
    if X.device.type == "cpu":
        return F.interpolate(X, size=size, mode="bilinear", align_corners=False, antialias=False)
    Y = F.interpolate(X.float(), size=size, mode="bilinear", align_corners=False, antialias=False)
    return Y.round_().clamp_(0, 255).to(torch.uint8)


def _resize_all(images: torch.Tensor, size: tuple[int, int], chunk: int = 256) -> torch.Tensor:
    """一次缩放整个数据集（在它所在的设备上，分块进行以限制临时内存），结果是 ``uint8``。

    块不大（224×224 时每块约 13 MB），每块的临时结果可以反复使用同一块内存，而不必每次向操作系统申请新页。
    """
    out = torch.empty((len(images), 1, *size), dtype=torch.uint8, device=images.device)
    for start in range(0, len(images), chunk):
        out[start : start + chunk] = _resize_uint8(images[start : start + chunk], size)
    return out


def _image_transform(size: tuple[int, int] | None):
    """每个批次：``uint8`` 图像 → ``[0, 1]`` 的 ``float32``，加通道维，按需双线性缩放。

    已经缩放并缓存好的批次（四维的 ``uint8``）只做类型转换。
    """

    def transform(batch: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        images, labels = batch
        if images.dim() == 4:  # 已缓存：(B, 1, H, W) 的 uint8
            return images.to(torch.float32).div_(255), labels
        if size is None or tuple(images.shape[-2:]) == size:
            return images.unsqueeze(1).to(torch.float32).div_(255), labels
        # 与缓存时完全相同的缩放（先得到 uint8），再转浮点：只转换一次最终大小的张量
        return _resize_uint8(images, size).to(torch.float32).div_(255), labels

    return transform


def _take(name: str, value: int | None, total: int) -> int:
    if value is None:
        return total
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= total:
        raise ValueError(f"{name} 必须是 1 到 {total} 之间的整数，收到 {value!r}")
    return value


def load_fashion_mnist(
    batch_size: int,
    resize: int | tuple[int, int] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    num_train: int | None = None,
    num_test: int | None = None,
    use_system: bool | None = None,
    cache_resized: bool | None = None,
) -> tuple[TensorBatches, TensorBatches]:
    """返回 Fashion-MNIST 训练集与测试集的小批量迭代器。

    每个批次是 ``(X, y)``：``X`` 为 ``float32``、取值 ``[0, 1]``、形状 ``(B, 1, H, W)``，
    ``y`` 为 ``int64``、形状 ``(B,)``，都在 ``device`` 上。整个数据集以 ``uint8`` 张量一次性放到
    ``device``，每批只做一次索引，再在 ``device`` 上转成浮点数并按需缩放；没有逐样本的变换，
    也不需要工作进程。

    需要缩放（``resize``）时，若缩放后的 ``uint8`` 数据集放得下（见 ``cache_resized``），就在构造时
    在 ``device`` 上一次缩放好并保存，之后每一轮只剩索引与类型转换；否则每批在 ``device`` 上缩放
    （CPU 上直接在 ``uint8`` 上插值）。两种方式给出的批次完全相同。

    Parameters
    ----------
    batch_size : int
        每批样本数。
    resize : int or (int, int), optional
        把图像双线性缩放到这个大小（例如 AlexNet 用 224）；``None`` 保持 28×28。
    root : path, optional
        数据所在目录；不给时按“缓存 → 系统副本 → 下载”的顺序查找。
    use_system : bool, optional
        ``False`` 时跳过系统副本（默认看环境变量 ``DLBOOK_USE_SYSTEM_DATA``），见
        :func:`locate_fashion_mnist`。
    seed : int
        训练集的打乱顺序：第 ``e`` 轮由 ``(seed, e)`` 决定，可复现。测试集不打乱。
    device : torch.device or str, optional
        批次所在的设备，默认 CPU。
    num_train, num_test : int, optional
        只取前 ``num_train`` / ``num_test`` 个样本（用于快速试跑）。
    cache_resized : bool, optional
        是否把缩放后的数据集缓存为 ``uint8`` （224×224 时训练集约 3 GB）。默认在它不超过 ``device``
        上可用内存的 :data:`RESIZE_CACHE_FRACTION` 时缓存。

    Returns
    -------
    train_iter, test_iter : TensorBatches
        可以反复遍历，``len()`` 是批次数。

    Examples
    --------
    >>> train_iter, test_iter = load_fashion_mnist(256)
    >>> X, y = next(iter(train_iter))
    >>> X.shape, X.dtype, y.shape, len(train_iter), len(test_iter)
    (torch.Size([256, 1, 28, 28]), torch.float32, torch.Size([256]), 235, 40)
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size 必须是正整数，收到 {batch_size!r}")
    size = _resize_arg(resize)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed 必须是非负整数，收到 {seed!r}")
    data = read_fashion_mnist(root, use_system=use_system)
    n_train = _take("num_train", num_train, len(data.train_labels))
    n_test = _take("num_test", num_test, len(data.test_labels))
    device = torch.device("cpu") if device is None else torch.device(device)
    transform = _image_transform(size)
    train_images, test_images = data.train_images[:n_train], data.test_images[:n_test]
    if size is not None and size != _IMAGE_SIZE:
        needed = (n_train + n_test) * size[0] * size[1]
        if cache_resized is None:
            cache_resized = needed <= RESIZE_CACHE_FRACTION * _available_bytes(device)
        if cache_resized:  # 在目标设备上一次缩放好，之后每轮只需索引与转换类型
            train_images = _resize_all(train_images.to(device), size)
            test_images = _resize_all(test_images.to(device), size)
    train_iter = TensorBatches(
        (train_images, data.train_labels[:n_train]),
        batch_size,
        shuffle=True,
        seed=seed,
        device=device,
        transform=transform,
    )
    test_iter = TensorBatches(
        (test_images, data.test_labels[:n_test]),
        batch_size,
        shuffle=False,
        device=device,
        transform=transform,
    )
    return train_iter, test_iter
