"""IDX 文件格式（MNIST 与 Fashion-MNIST 使用的格式）的读取与检查。

IDX 文件的开头是 4 字节的“魔数”：两个 0 字节、一个元素类型字节（``0x08`` 表示无符号字节）
和一个维数字节；接着是每一维的长度（大端 32 位整数）；最后是按行优先排列的数据。
标签文件是 1 维（魔数 ``0x00000801``），图像文件是 3 维（魔数 ``0x00000803``）。
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import torch

__all__ = ["IDXFormatError", "parse_idx", "read_idx"]


class IDXFormatError(ValueError):
    """IDX 文件格式不对：信息里写明是哪个文件、哪里不对。"""


def parse_idx(
    data: bytes | bytearray, name: str = "<内存>", ndim: int | None = None
) -> torch.Tensor:
    """把 IDX 格式的字节解析成 ``uint8`` 张量，并检查魔数、维数与数据长度。

    Parameters
    ----------
    data : bytes or bytearray
        解压后的文件内容。
    name : str
        出错信息里用来指明文件的名字。
    ndim : int, optional
        期望的维数（标签为 1、图像为 3）；给出时维数不符即报错。

    Raises
    ------
    IDXFormatError
        魔数不对、维数不符、文件被截断或多出字节。

    Examples
    --------
    >>> header = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big")
    >>> parse_idx(header + bytes([9, 0, 3]), ndim=1)
    tensor([9, 0, 3], dtype=torch.uint8)
    >>> parse_idx(header + bytes([9, 0]), name="labels")
    Traceback (most recent call last):
    ...
    dlbook.data.idx.IDXFormatError: labels：文件被截断：头部声明 3 个字节的数据，实际只有 2 个
    """
    if len(data) < 4:
        raise IDXFormatError(f"{name}：文件太短（{len(data)} 字节），连 4 字节的魔数都没有")
    zero1, zero2, dtype, dims = data[0], data[1], data[2], data[3]
    magic = int.from_bytes(data[:4], "big")
    if zero1 != 0 or zero2 != 0 or dtype != 0x08:
        raise IDXFormatError(
            f"{name}：魔数 0x{magic:08x} 不是无符号字节 IDX 文件的魔数（应为 0x000008NN）"
        )
    if ndim is not None and dims != ndim:
        raise IDXFormatError(
            f"{name}：魔数 0x{magic:08x} 表示 {dims} 维数据，应为 {ndim} 维（魔数 0x{0x800 + ndim:08x}）"
        )
    if dims == 0:
        raise IDXFormatError(f"{name}：魔数 0x{magic:08x} 声明 0 维数据")
    header_len = 4 + 4 * dims
    if len(data) < header_len:
        raise IDXFormatError(
            f"{name}：文件被截断：头部应有 {header_len} 字节，实际只有 {len(data)} 个"
        )
    shape = struct.unpack(f">{dims}I", bytes(data[4:header_len]))
    expected = 1
    for size in shape:
        expected *= size
    actual = len(data) - header_len
    if actual < expected:
        raise IDXFormatError(
            f"{name}：文件被截断：头部声明 {expected} 个字节的数据，实际只有 {actual} 个"
        )
    if actual > expected:
        raise IDXFormatError(
            f"{name}：数据比头部声明的 {expected} 个字节多出 {actual - expected} 个（形状 {shape}）"
        )
    buffer = data if isinstance(data, bytearray) else bytearray(data)
    if expected == 0:
        return torch.empty(shape, dtype=torch.uint8)
    return torch.frombuffer(buffer, dtype=torch.uint8, count=expected, offset=header_len).reshape(
        shape
    )


def read_idx(path: str | os.PathLike[str], ndim: int | None = None) -> torch.Tensor:
    """读取一个 IDX 文件（可以是 ``.gz`` 压缩的），返回 ``uint8`` 张量。

    Raises
    ------
    IDXFormatError
        gzip 数据损坏或截断，或 IDX 内容不合格（见 :func:`parse_idx`）；信息里有文件路径。

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 1])))
    >>> read_idx(path, ndim=1)
    tensor([7, 1], dtype=torch.uint8)
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                data = bytearray(f.read())
        else:
            data = bytearray(path.read_bytes())
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise IDXFormatError(f"{path}：gzip 数据损坏或被截断（{err}）") from err
    return parse_idx(data, str(path), ndim)
