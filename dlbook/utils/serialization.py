"""保存与加载张量和模型参数：原子写入，并且只用 ``weights_only=True`` 读取。

- :func:`save_state` 先写到同一目录下的临时文件，写完、刷到磁盘后再改名为目标文件，
  所以目标文件要么是旧的完整版本，要么是新的完整版本，不会只写了一半。
- :func:`load_state` 总是以 ``weights_only=True`` 调用 ``torch.load``：只接受张量、
  基本类型以及由它们组成的列表、元组、字典，拒绝会执行任意代码的 pickle 对象；
  文件不完整（例如复制或下载被打断）时抛出 :class:`CorruptFileError`，说明原因和文件大小。
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import torch

__all__ = ["atomic_write", "save_state", "load_state", "CorruptFileError"]


class CorruptFileError(RuntimeError):
    """文件存在，但不是一个完整的 ``torch.save`` 文件（被截断或已损坏）。"""


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """以原子方式写文件：写到同目录的临时文件，全部成功后才改名为 ``path``。

    出错时临时文件被删除，``path`` 保持原样（要么是旧文件，要么不存在）。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_write(target, "w") as f:
    ...     _ = f.write("你好")
    >>> target.read_text()
    '你好'
    >>> try:
    ...     with atomic_write(target, "w") as f:
    ...         _ = f.write("半截")
    ...         raise OSError("磁盘满了")
    ... except OSError:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('你好', ['a.txt'])
    """
    if mode not in {"wb", "w"}:
        raise ValueError(f"mode 只能是 'wb' 或 'w'，收到 {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # 临时文件保留目标的后缀（例如 ``.gz``），校验函数据此知道该怎样读它。
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".part{path.suffix}", dir=path.parent
    )
    os.close(fd)
    try:
        os.chmod(tmp, 0o644)  # mkstemp 建的文件只有本人可读；数据文件应与普通文件一样
        with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_state(obj: Any, path: str | os.PathLike[str]) -> Path:
    """把张量、张量的列表/字典或 ``state_dict`` 原子地写到 ``path``，返回该路径。

    父目录不存在时会被创建。

    Parameters
    ----------
    obj : object
        要保存的对象；为了能被 :func:`load_state` 读回，应只包含张量、数字、字符串
        以及由它们组成的列表、元组和字典。
    path : str 或 os.PathLike
        目标文件。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = save_state({"x": torch.arange(3)}, d / "sub" / "x.pt")
    >>> p.name, sorted(f.name for f in p.parent.iterdir())  # 没有遗留临时文件
    ('x.pt', ['x.pt'])
    >>> load_state(p)
    {'x': tensor([0, 1, 2])}
    """
    with atomic_write(path) as f:
        torch.save(obj, f)
    return Path(path)


def load_state(path: str | os.PathLike[str], map_location: Any = None) -> Any:
    """以 ``weights_only=True`` 读取 :func:`save_state` （或 ``torch.save``）写出的文件。

    Parameters
    ----------
    path : str 或 os.PathLike
        文件路径。
    map_location : 可选
        传给 ``torch.load``，例如 ``"cpu"``：把 GPU 上保存的张量加载到 CPU。

    Returns
    -------
    object
        保存时的对象。

    Raises
    ------
    FileNotFoundError
        文件不存在。
    CorruptFileError
        文件不完整或不是 ``torch.save`` 的格式。
    pickle.UnpicklingError
        文件里有张量与基本容器以外的对象（``weights_only=True`` 拒绝加载）。

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bad.pt"
    >>> _ = p.write_bytes(b"PK\\x03\\x04 half a file")
    >>> load_state(p)
    Traceback (most recent call last):
    ...
    dlbook.utils.serialization.CorruptFileError: .../bad.pt 不是完整的 torch.save 文件...
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"找不到文件 {path}")
    size = path.stat().st_size
    hint = "可能是写入或复制被中断，请重新保存或重新下载"
    # torch.save 写出的是 zip 格式；zip 的目录在文件末尾，文件被截断时首先丢失的就是它。
    if not zipfile.is_zipfile(path):
        raise CorruptFileError(
            f"{path} 不是完整的 torch.save 文件（{size} 字节，缺少 zip 目录）：{hint}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            bad_member = archive.testzip()  # 逐个成员核对 CRC 校验和，发现中途损坏的字节
    except (zipfile.BadZipFile, OSError) as err:
        raise CorruptFileError(
            f"{path} 已损坏，无法读取（{size} 字节）：{hint}；原始错误：{err}"
        ) from err
    if bad_member is not None:
        raise CorruptFileError(f"{path} 中的 {bad_member} 校验和不符（{size} 字节）：{hint}")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, OSError, EOFError) as err:
        raise CorruptFileError(
            f"{path} 已损坏，无法读取（{size} 字节）：{hint}；原始错误：{err}"
        ) from err
