"""英法句子对（dlbook.data.translation）：翻译目录的解析、构建、缓存与校验、Tatoeba 下载、预处理。

除了最后一个测试（读 nox 放进用户缓存的真实数据），任何测试都不访问网络：轮子包、目录和
Tatoeba 的压缩包都由测试自己写出，下载由本机回环地址上的 HTTP 服务器提供。
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import struct
import threading
import zipfile
from pathlib import Path

import pytest
import torch

from dlbook.cli import main
from dlbook.data import translation as tr
from dlbook.data.download import DataUnavailableError, data_dir
from dlbook.data.text import Vocab

REAL_CACHE = data_dir() / tr.CACHE_SUBDIR


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    # 只看这个空缓存，不去解压系统里的 Fashion-MNIST
    monkeypatch.setenv("DLBOOK_USE_SYSTEM_DATA", "0")
    return tmp_path


# ---------------------------------------------------------------------------
# 测试用的 .mo / .po / 轮子包
# ---------------------------------------------------------------------------


def write_mo(entries: list[tuple[str, str]], endian: str = "<") -> bytes:
    """按 GNU gettext 的格式写一个 .mo 文件（条目按原文排序，与 msgfmt 相同）。"""
    entries = sorted(entries)
    keys = [k.encode() for k, _ in entries]
    vals = [v.encode() for _, v in entries]
    n = len(entries)
    orig_table, trans_table = 28, 28 + 8 * n
    offset = 28 + 16 * n
    table_o, table_t, blob = b"", b"", b""
    for k in keys:
        table_o += struct.pack(endian + "2I", len(k), offset + len(blob))
        blob += k + b"\0"
    for v in vals:
        table_t += struct.pack(endian + "2I", len(v), offset + len(blob))
        blob += v + b"\0"
    head = struct.pack(endian + "7I", 0x950412DE, 0, n, orig_table, trans_table, 0, 0)
    return head + table_o + table_t + blob


def po_entry(msgid: str, msgstr: str, *, fuzzy: bool = False) -> str:
    flag = "#, fuzzy\n" if fuzzy else ""
    return f'{flag}msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


def make_wheels(directory: Path, catalogs: dict[str, dict[str, bytes]] | None = None) -> Path:
    """为 GETTEXT_SOURCES 的每个来源写一个轮子包；``catalogs`` 给出个别来源的目录文件。"""
    directory.mkdir(parents=True, exist_ok=True)
    catalogs = catalogs or {}
    for name, version in tr.GETTEXT_SOURCES:
        wheel = directory / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as z:
            z.writestr(f"{name}/__init__.py", "")
            for member, data in catalogs.get(name, {}).items():
                z.writestr(member, data)
    return directory


FIRST, SECOND = tr.GETTEXT_SOURCES[0][0], tr.GETTEXT_SOURCES[1][0]


def sample_catalogs() -> dict[str, dict[str, bytes]]:
    mo = write_mo(
        [
            ("", "Content-Type: text/plain; charset=UTF-8\n"),  # 目录头
            ("Save changes", "Enregistrer les modifications"),
            ("Delete %(name)s", "Supprimer %(name)s"),
            ("menu\x04Open", "Ouvrir"),  # 带上下文：保留
            ("One file\x00%d files", "Un fichier\x00%d fichiers"),  # 复数：丢掉
            ("Description", "Description"),  # 与原文相同：丢掉
        ]
    )
    po = (
        po_entry("Save Changes", "Sauvegarder")  # 与第一个来源重复（不分大小写）：丢掉
        + po_entry("Close", "Fermer", fuzzy=True)  # 模糊：丢掉
        + po_entry("Page not found.", "Page introuvable.")
        + po_entry("Click <b>here</b>", "Cliquez <b>ici</b>")  # 标记：丢掉
        + po_entry("Untranslated", "")
        + po_entry(" ".join(["word"] * 13), " ".join(["mot"] * 13))  # 过长：丢掉
    )
    return {
        FIRST: {f"{FIRST}/conf/locale/fr/LC_MESSAGES/django.mo": mo},
        SECOND: {
            f"{SECOND}/locale/fr/LC_MESSAGES/{SECOND}.po": po.encode(),
            f"{SECOND}/locale/de/LC_MESSAGES/{SECOND}.po": po_entry("Yes", "Ja").encode(),
        },
    }


EXPECTED_PAIRS = [
    ("Save changes", "Enregistrer les modifications"),
    ("Open", "Ouvrir"),
    ("Page not found.", "Page introuvable."),
]


# ---------------------------------------------------------------------------
# 解析
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("endian", ["<", ">"])
def test_read_mo_both_byte_orders(endian):
    data = write_mo([("A\x04B", "b"), ("x\x00xs", "y\x00ys"), ("Yes", "Oui")], endian)
    got = {(m.context, m.msgid): (m.msgstr, m.plural) for m in tr.read_mo(data)}
    assert got == {
        ("A", "B"): ("b", False),
        (None, "x"): ("y", True),
        (None, "Yes"): ("Oui", False),
    }


def test_read_mo_rejects_garbage_and_truncation():
    with pytest.raises(ValueError, match="魔数"):
        tr.read_mo(b"\0" * 40)
    with pytest.raises(ValueError, match="长度不足"):
        tr.read_mo(b"\xde\x12\x04\x95")
    data = write_mo([("Save", "Enregistrer")])
    with pytest.raises(ValueError, match="截断"):
        tr.read_mo(data[:-8])


def test_read_po_entries_flags_and_continuations():
    text = (
        '# 译者注释\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        + '#: a.py:1\n#, python-format, fuzzy\nmsgid "Hi %s"\nmsgstr "Salut %s"\n\n'
        + 'msgctxt "verb"\nmsgid "Open"\nmsgstr "Ouvrir"\n'
        + 'msgid "A \\"quoted\\" "\n"word"\nmsgstr "Un mot "\n"\\"cité\\""\n\n'
        + '#~ msgid "Old"\n#~ msgstr "Vieux"\n'
    )
    got = tr.read_po(text)
    assert [(m.msgid, m.msgstr, m.context, m.fuzzy) for m in got] == [
        ("", "Content-Type: text/plain; charset=UTF-8\n", None, False),
        ("Hi %s", "Salut %s", None, True),
        ("Open", "Ouvrir", "verb", False),
        ('A "quoted" word', 'Un mot "cité"', None, False),
    ]
    with pytest.raises(ValueError, match="第 2 行"):
        tr.read_po('msgid "ok"\nmsgstr "unterminated\n')
    with pytest.raises(ValueError, match="续行"):
        tr.read_po('"dangling"\n')


@pytest.mark.parametrize(
    ("en", "fr", "reason"),
    [
        ("Save", "Enregistrer", None),
        ("Delete {name}?", "Supprimer {name} ?", "格式占位符"),
        ("50% done", "50 % terminé", "格式占位符"),
        ("See https://example.org", "Voir https://example.org", "标记或特殊记号"),
        ("Loading...", "Chargement...", "标记或特殊记号"),
        ("Line\nbreak", "Ligne\nsaut", "多行"),
        ("123", "123", "没有字母"),
        ("Version", "Version", "译文与原文相同"),
        ("Wait", "", "未翻译或模糊"),
    ],
)
def test_reject_reason(en, fr, reason):
    assert tr.reject_reason(tr.CatalogMessage(en, fr)) == reason


# ---------------------------------------------------------------------------
# 构建、缓存与校验
# ---------------------------------------------------------------------------


def test_build_is_deterministic_and_counts_every_rejection(isolated):
    wheels = sorted(make_wheels(isolated / "w", sample_catalogs()).glob("*.whl"))
    build = tr.build_gettext_pairs(wheels)
    assert build.pairs == EXPECTED_PAIRS
    assert build.messages == 11  # 目录头不算消息；德语目录不读
    assert build.rejected == {
        "格式占位符": 1,
        "复数形式": 1,
        "译文与原文相同": 1,
        "重复": 1,
        "未翻译或模糊": 2,
        "标记或特殊记号": 1,
        "过长": 1,
    }
    assert build.kept_per_source[f"{FIRST}=={tr.GETTEXT_SOURCES[0][1]}"] == 2
    assert build.to_tsv().decode() == "".join(f"{en}\t{fr}\n" for en, fr in EXPECTED_PAIRS)
    # 轮子包给出的顺序不影响结果
    assert tr.build_gettext_pairs(reversed(wheels)).sha256() == build.sha256()


def test_build_requires_every_pinned_wheel(isolated):
    directory = make_wheels(isolated / "w")
    next(directory.glob(f"{SECOND}-*.whl")).unlink()
    with pytest.raises(ValueError, match=f"缺少这些轮子包：{SECOND}=="):
        tr.build_gettext_pairs(directory.glob("*.whl"))
    with pytest.raises(ValueError, match="不是轮子包"):
        tr.build_gettext_pairs([isolated / "django.zip"])


def test_bad_catalog_names_the_wheel_and_member(isolated):
    member = f"{FIRST}/locale/fr/LC_MESSAGES/django.mo"
    directory = make_wheels(isolated / "w", {FIRST: {member: b"not a catalog" * 3}})
    with pytest.raises(ValueError, match=f"{FIRST}.*whl!{member}"):
        tr.build_gettext_pairs(directory.glob("*.whl"))


def test_fetch_refuses_a_build_with_the_wrong_hash(isolated, capsys):
    directory = make_wheels(isolated / "w", sample_catalogs())
    assert main(["data", "fetch", "fra-eng", "--from-wheels", str(directory)]) == 1
    assert "SHA-256" in capsys.readouterr().err
    assert not (data_dir() / tr.CACHE_SUBDIR).exists() or not any(
        (data_dir() / tr.CACHE_SUBDIR).iterdir()
    )


@pytest.fixture
def built(isolated, monkeypatch):
    """用测试的轮子包构建并放进缓存（把期望的 SHA-256 换成这份小数据的）。"""
    directory = make_wheels(isolated / "w", sample_catalogs())
    digest = tr.build_gettext_pairs(directory.glob("*.whl")).sha256()
    monkeypatch.setattr(tr, "GETTEXT_PAIRS_SHA256", digest)
    assert main(["data", "fetch", "fra-eng", "--from-wheels", str(directory)]) == 0
    return data_dir() / tr.CACHE_SUBDIR


def test_fetch_via_cli_then_read_verify_and_manifest(built, capsys):
    assert tr.read_translation_pairs() == EXPECTED_PAIRS
    manifest = tr.read_gettext_manifest()
    assert manifest["pairs"] == 3 and manifest["rejected"]["重复"] == 1
    assert main(["data", "fetch", "fra-eng", "--check"]) == 0
    assert main(["data", "verify"]) == 1  # 别的数据集（Fashion-MNIST 等）在这个空缓存里找不到
    out = capsys.readouterr().out
    assert "fra-eng：" in out and "通过校验" in out and "tatoeba-fra-eng：未找到（可选" in out
    assert main(["data", "info"]) == 0
    assert "fra-eng：缓存" in capsys.readouterr().out


def test_corrupt_or_missing_pairs_give_clear_errors(built, capsys):
    path = built / tr.GETTEXT_FILE
    path.write_bytes(path.read_bytes().replace(b"Ouvrir", b"Ouvrez"))
    with pytest.raises(ValueError, match="SHA-256 为 .*，应为"):
        tr.read_translation_pairs()
    assert main(["data", "verify", "fra-eng"]) == 1
    assert "SHA-256" in capsys.readouterr().out
    path.unlink()
    with pytest.raises(DataUnavailableError) as err:
        tr.read_translation_pairs()
    message = str(err.value)
    for part in (
        "python -m dlbook data fetch fra-eng",
        "--from-wheels",
        "django==",
        "DLBOOK_OFFLINE",
    ):
        assert part in message
    with pytest.raises(FileNotFoundError):
        tr.read_translation_pairs(root=built / "nowhere")


def test_malformed_tsv_is_reported(isolated, monkeypatch):
    directory = isolated / "d"
    directory.mkdir()
    (directory / tr.GETTEXT_FILE).write_text("only one column\n", encoding="utf-8")
    digest = hashlib.sha256(b"only one column\n").hexdigest()
    monkeypatch.setattr(tr, "GETTEXT_PAIRS_SHA256", digest)
    with pytest.raises(ValueError, match="第 1 行不是"):
        tr.read_translation_pairs(root=directory)


# ---------------------------------------------------------------------------
# Tatoeba：从本机的 HTTP 服务器下载
# ---------------------------------------------------------------------------


def tatoeba_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(tr.TATOEBA_MEMBER, "Go.\tVa !\tCC-BY 2.0 (France)\nHi.\tSalut !\n")
    return buffer.getvalue()


@pytest.fixture
def server(isolated):
    """在 127.0.0.1 的随机端口上提供 ``isolated/www`` 目录；测试结束时关闭。"""
    www = isolated / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_tatoeba_download_from_local_server(server, monkeypatch):
    www, url = server
    data = tatoeba_zip()
    (www / tr.TATOEBA_FILE).write_bytes(data)
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(tr, "TATOEBA_MIRRORS", ())
    monkeypatch.setattr(tr, "TATOEBA_SHA1", hashlib.sha1(data).hexdigest())
    cache = tr.fetch_tatoeba(mirror=url, retries=0)
    assert tr.read_translation_pairs("tatoeba-fra-eng") == [("Go.", "Va !"), ("Hi.", "Salut !")]
    assert tr.verify_translation("tatoeba-fra-eng", cache) == []


def test_tatoeba_with_wrong_digest_leaves_nothing(server, monkeypatch):
    www, url = server
    (www / tr.TATOEBA_FILE).write_bytes(tatoeba_zip())
    monkeypatch.delenv("DLBOOK_OFFLINE")
    monkeypatch.setattr(tr, "TATOEBA_MIRRORS", ())
    with pytest.raises(DataUnavailableError, match=f"应为 {tr.TATOEBA_SHA1}"):
        tr.fetch_tatoeba(mirror=url, retries=0)
    assert not (data_dir() / tr.CACHE_SUBDIR / tr.TATOEBA_FILE).exists()
    assert tr.TATOEBA_SHA1 == "94646ad1522d915e7b0f9296181140edcf86a4f5"  # D2L 公布的值


def test_tatoeba_offline_message():
    with pytest.raises(DataUnavailableError, match="DLBOOK_TATOEBA_MIRROR"):
        tr.read_translation_pairs("tatoeba-fra-eng")
    with pytest.raises(ValueError, match="dataset 必须是"):
        tr.read_translation_pairs("eng-deu")


# ---------------------------------------------------------------------------
# 预处理、词表、填充与小批量
# ---------------------------------------------------------------------------


def test_normalize_and_tokenize():
    assert tr.normalize_sentence("Voulez-vous  continuer\xa0?") == "voulez-vous continuer ?"
    assert tr.normalize_sentence("Name:") == "name :"
    assert (
        tr.normalize_sentence("L\u2019utilisateur «\u202fadmin\u202f»") == "l'utilisateur « admin »"
    )
    src, tgt = tr.tokenize_pairs([("A, b!", "C\u202f!"), ("d", "e")], num_examples=1)
    assert src == [["a", ",", "b", "!"]] and tgt == [["c", "!"]]
    with pytest.raises(ValueError, match="num_examples"):
        tr.tokenize_pairs([("a", "b")], num_examples=0)


def test_truncate_pad_and_build_array():
    assert tr.truncate_pad([1, 2], 4, 0) == [1, 2, 0, 0]
    assert tr.truncate_pad([1, 2, 3, 4, 5], 4, 0) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="num_steps"):
        tr.truncate_pad([1], 0, 0)
    vocab = Vocab([["x", "y", "y"]], reserved_tokens=tr.RESERVED_TOKENS)
    pad, eos = vocab[tr.PAD], vocab[tr.EOS]
    X, valid_len = tr.build_array([["y"], ["x", "y", "z"], []], vocab, 3)
    assert X.tolist() == [
        [vocab["y"], eos, pad],
        [vocab["x"], vocab["y"], vocab.unk],  # 截断：<eos> 被截掉
        [eos, pad, pad],
    ]
    assert valid_len.tolist() == [2, 3, 1]


def test_split_pairs_is_seeded_and_disjoint():
    pairs = [(f"e{i}", f"f{i}") for i in range(50)]
    a_train, a_test = tr.split_pairs(pairs, 10, seed=1)
    b_train, b_test = tr.split_pairs(pairs, 10, seed=1)
    assert (a_train, a_test) == (b_train, b_test)
    assert not set(a_train) & set(a_test) and len(a_train) + len(a_test) == 50
    assert tr.split_pairs(pairs, 10, seed=2)[1] != a_test
    with pytest.raises(ValueError, match="num_test"):
        tr.split_pairs(pairs, 50)


def test_load_translation_on_small_data(isolated, monkeypatch):
    directory = isolated / "d"
    directory.mkdir()
    lines = [f"item {i % 7} saved.\télément {i % 7} enregistré.\n" for i in range(40)]
    data = "".join(lines).encode()
    (directory / tr.GETTEXT_FILE).write_bytes(data)
    monkeypatch.setattr(tr, "GETTEXT_PAIRS_SHA256", hashlib.sha256(data).hexdigest())
    d = tr.load_translation(8, 6, num_test=5, num_examples=30, root=directory)
    assert len(d.train_pairs) == 30 and len(d.test_pairs) == 5
    assert d.src_vocab.idx_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    batches = list(d.train_iter)
    assert len(batches) == 4
    X, X_valid_len, Y, Y_valid_len = batches[0]
    assert X.shape == (8, 6) and Y.shape == (8, 6)
    assert X_valid_len.tolist() == [5] * 8  # item k saved . <eos>
    assert Y_valid_len.tolist() == [5] * 8
    assert torch.all(Y[torch.arange(8), Y_valid_len - 1] == d.tgt_vocab[tr.EOS])


# ---------------------------------------------------------------------------
# 真实数据（nox 的 tests 任务先把它放进用户缓存）
# ---------------------------------------------------------------------------


def test_real_pairs_in_user_cache():
    problems = tr.verify_translation("fra-eng", REAL_CACHE)
    assert problems == [], f"先运行 python -m dlbook data fetch fra-eng：{problems}"
    pairs = tr.read_translation_pairs(root=REAL_CACHE)
    assert len(pairs) >= 10_000
    assert len({en.lower() for en, _ in pairs}) == len(pairs)  # 按英文去重
    assert all(en != fr and len(en.split()) <= tr.MAX_ENGLISH_WORDS for en, fr in pairs)
    manifest = tr.read_gettext_manifest(REAL_CACHE)
    assert manifest["pairs"] == len(pairs) and manifest["sha256"] == tr.GETTEXT_PAIRS_SHA256
    assert os.path.getsize(REAL_CACHE / tr.GETTEXT_FILE) > 500_000
