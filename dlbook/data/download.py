"""数据缓存目录、原子写入与带超时、重试、进度条和校验的下载。

所有数据集共用这里的工具：

* :func:`data_dir` 给出用户缓存目录（环境变量 ``DLBOOK_DATA_DIR`` 优先）；
* :func:`atomic_write` 先写到同目录的临时文件，成功后才改名为目标文件，半截文件永远不会出现在缓存里；
* :func:`download` 依次尝试若干镜像，带连接/读取超时与重试；下载内容先校验，通过后才放进缓存。

导入本模块不会访问网络，也不会创建任何目录。
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dlbook.book.environment import DATA_LOG_ENV
from dlbook.utils.serialization import atomic_write

__all__ = [
    "DataSource",
    "DataUnavailableError",
    "DownloadError",
    "atomic_write",
    "content_digest",
    "data_dir",
    "download",
    "downloads_disabled",
    "note_data_use",
    "pip_download",
]

#: ``pip download`` 最多等待的秒数。
PIP_TIMEOUT = 300.0


@dataclasses.dataclass(frozen=True)
class DataSource:
    """在哪里找到了一份数据的文件（只查看文件是否存在，不读取）：Fashion-MNIST、房价、语料、句子对都用它。"""

    kind: str
    """``"目录"`` （调用者给出）、``"缓存"``、``"系统副本"`` 等。"""
    directory: Path
    files: dict[str, Path]
    """文件的名字（或用途）到实际路径的映射。"""

    @property
    def size(self) -> int:
        """这些文件在磁盘上的总字节数。"""
        return sum(p.stat().st_size for p in self.files.values())

    def describe(self) -> str:
        return f"{self.kind} {self.directory}"


#: 下载时一次连接或一次读取最多等待的秒数。
DEFAULT_TIMEOUT = 5.0
#: 同一个网址在出错后再试的次数（连不上的网址不重试，直接换下一个镜像）。
DEFAULT_RETRIES = 2

Opener = Callable[[str, float], Any]


class DownloadError(RuntimeError):
    """所有镜像都没能给出一份通过校验的文件。"""


class DataUnavailableError(RuntimeError):
    """本机找不到数据，也无法下载；信息里列出获取数据的全部办法。"""


def data_dir() -> Path:
    """返回 dlbook 的数据缓存目录（不会创建它）。

    环境变量 ``DLBOOK_DATA_DIR`` 优先；否则使用操作系统的用户缓存目录：Linux 上是
    ``$XDG_CACHE_HOME/dlbook`` （默认 ``~/.cache/dlbook``），macOS 上是
    ``~/Library/Caches/dlbook``，Windows 上是 ``%LOCALAPPDATA%\\dlbook\\Cache``。

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": "/tmp/dlbook-doctest"}):
    ...     print(data_dir())
    /tmp/dlbook-doctest
    >>> with mock.patch.dict(os.environ):
    ...     _ = os.environ.pop("DLBOOK_DATA_DIR", None)
    ...     print(data_dir().name in {"dlbook", "Cache"})
    True
    """
    env = os.environ.get("DLBOOK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "dlbook" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "dlbook"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dlbook"


def downloads_disabled() -> bool:
    """环境变量 ``DLBOOK_OFFLINE`` 设为 ``1``/``true``/``yes`` 时不尝试任何下载。

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"DLBOOK_OFFLINE": "1"}):
    ...     print(downloads_disabled())
    True
    """
    return os.environ.get("DLBOOK_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def note_data_use(title: str) -> None:
    """记下这一次执行读取了数据集 ``title``：构建本书时页脚据此写明每页用了哪些数据。

    只有构建本书时（环境变量 ``DLBOOK_DATA_LOG`` 给出记录文件，见 :mod:`dlbook.book.environment`）
    才写，每次一行；平时什么也不做。每个读取数据集的函数都应调用它。

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> log = os.path.join(tempfile.mkdtemp(), "data.txt")
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_LOG": log}):
    ...     note_data_use("Fashion-MNIST")
    >>> Path(log).read_text(encoding="utf-8").splitlines()
    ['Fashion-MNIST']
    """
    log = os.environ.get(DATA_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{title}\n")


def content_digest(path: str | os.PathLike[str], algorithm: str = "sha256") -> str:
    """文件内容的摘要；``.gz`` 文件先解压，所以摘要与 gzip 怎样打包无关。

    截断或损坏的 gzip 文件抛出 ``ValueError``，信息里有文件名。

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "x").write_bytes(b"abc")
    3
    >>> _ = (d / "x.gz").write_bytes(gzip.compress(b"abc", compresslevel=9))
    >>> content_digest(d / "x") == content_digest(d / "x.gz")
    True
    >>> content_digest(d / "x", "sha1")
    'a9993e364706816aba3e25717850c26c9cd0d89d'
    """
    path = Path(path)
    h = hashlib.new(algorithm)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(f"{path}：gzip 数据损坏或被截断（{err}）") from err
    return h.hexdigest()


def _urlopen(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "dlbook"})
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310


def _progress(total: int | None, desc: str) -> Any:
    """终端里显示 tqdm 进度条；不在终端（文档构建、测试、日志）时什么也不显示。"""
    if sys.stderr is not None and sys.stderr.isatty():
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False)
    return contextlib.nullcontext(None)


def _is_connect_error(err: BaseException) -> bool:
    """连不上服务器（域名解析失败、拒绝连接、连接超时）：换镜像，不在同一网址上重试。"""
    return isinstance(err, urllib.error.URLError) and not isinstance(err, urllib.error.HTTPError)


def download(
    name: str,
    urls: Sequence[str],
    dest: str | os.PathLike[str],
    verify: Callable[[Path], None],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """依次从 ``urls`` 下载 ``name``，用 ``verify`` 校验后原子地放到 ``dest``。

    ``verify(path)`` 检查临时文件，不合格就抛出异常；只有通过校验的文件才会出现在 ``dest``，
    任何失败都不会在缓存里留下文件。连不上的网址立刻换下一个；连上了但中途出错（读取超时、
    内容不完整、校验失败）的网址最多再试 ``retries`` 次。``opener(url, timeout)`` 返回一个带
    ``read(n)`` 的响应对象，默认是 :func:`urllib.request.urlopen`，测试里可以换成本地桩。

    Raises
    ------
    DownloadError
        所有网址都失败；信息逐条列出每个网址的错误。

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> dest = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> def opener(url, timeout):
    ...     return io.BytesIO(b"hello")
    >>> def verify(path):
    ...     if path.read_bytes() != b"hello":
    ...         raise ValueError("内容不对")
    >>> download("hello.txt", ["stub://a"], dest, verify, opener=opener).read_bytes()
    b'hello'
    """
    if not urls:
        raise ValueError("urls 不能为空：至少需要一个下载地址")
    if timeout <= 0:
        raise ValueError(f"timeout 必须为正数（秒），收到 {timeout!r}")
    if not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries 必须是非负整数，收到 {retries!r}")
    opener = _urlopen if opener is None else opener
    dest = Path(dest)
    errors: list[str] = []
    for url in urls:
        for attempt in range(retries + 1):
            try:
                with atomic_write(dest) as out:
                    with contextlib.closing(opener(url, timeout)) as response:
                        length = getattr(response, "headers", {}).get("Content-Length")
                        with _progress(int(length) if length else None, name) as bar:
                            while chunk := response.read(1 << 16):
                                out.write(chunk)
                                if bar is not None:
                                    bar.update(len(chunk))
                    out.flush()
                    verify(Path(out.name))
                return dest
            except Exception as err:  # noqa: BLE001 - 逐条记录后换下一个地址
                errors.append(f"{url}（第 {attempt + 1} 次）：{type(err).__name__}: {err}")
                if _is_connect_error(err):
                    break
    detail = "\n  ".join(errors)
    raise DownloadError(f"无法下载 {name}：\n  {detail}")


def pip_download(args: Sequence[str], timeout: float = PIP_TIMEOUT) -> None:
    """运行 ``python -m pip download ...`` （语料的源码包、句子对的轮子包都这样取得）。

    失败或超时时抛出 :class:`DownloadError`，信息里有 pip 输出的最后几行。
    """
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise DownloadError(f"pip download 没有完成：{err}") from err
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
        raise DownloadError(f"pip download 以状态 {result.returncode} 退出：\n{tail}")
