"""语言模型的语料：从源码包取出并校验、pip 下载的桩、本地 HTTP 服务器上的《时间机器》、
损坏与缺失时的错误信息。除了本机回环地址上的测试服务器，任何测试都不访问网络。"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from dlbook.cli import main
from dlbook.data import DataUnavailableError, data_dir
from dlbook.data import corpus as tc

# 真实文件：nox 会话把它放进真正的用户缓存（见 noxfile.py 的 _corpus）。
REAL_CACHE = data_dir() / tc.CORPORA["alice"].cache_subdir
FAKE_ALICE = b"  ALICE'S ADVENTURES IN WONDERLAND\r\n\r\nDown the Rabbit-Hole\r\n"
FAKE_TIME_MACHINE = b"The Time Machine, by H. G. Wells\n\nThe Time Traveller\n"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")
    # 只看这个空缓存，不去解压系统里的 Fashion-MNIST
    monkeypatch.setenv("DLBOOK_USE_SYSTEM_DATA", "0")
    monkeypatch.delenv("DLBOOK_TIME_MACHINE_MIRROR", raising=False)
    return tmp_path


def fake_spec(monkeypatch, name: str, content: bytes, **changes) -> tc.CorpusSpec:
    """把语料 ``name`` 的期望 SHA-1 换成假内容的。"""
    spec = dataclasses.replace(tc.CORPORA[name], sha1=hashlib.sha1(content).hexdigest(), **changes)
    monkeypatch.setitem(tc.CORPORA, name, spec)
    return spec


def make_sdist(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def alice_sdist(path: Path, content: bytes = FAKE_ALICE) -> Path:
    return make_sdist(
        path,
        {
            "brotli-1.2.1/setup.py": b"",
            "brotli-1.2.1/tests/testdata/alice29.txt": content,
        },
    )


def cache_files(isolated):
    return [p for p in (isolated / "cache").rglob("*") if p.is_file()]


def test_fetch_from_sdist_via_cli_then_read(isolated, monkeypatch, capsys):
    fake_spec(monkeypatch, "alice", FAKE_ALICE)
    sdist = alice_sdist(isolated / "brotli-1.2.1.tar.gz")
    assert main(["data", "fetch", "alice", "--check"]) == 3
    assert capsys.readouterr().out.startswith("missing alice")
    assert main(["data", "fetch", "alice", "--from-sdist", str(sdist)]) == 0
    assert "已校验" in capsys.readouterr().out
    assert main(["data", "fetch", "alice", "--check"]) == 0
    assert main(["data", "verify", "alice"]) == 0
    assert "alice：" in capsys.readouterr().out
    text = tc.read_corpus("alice")
    assert text == FAKE_ALICE.decode().replace("\r\n", "\n")
    assert tc.locate_corpus("alice").kind == "缓存"


def test_sdist_with_wrong_or_missing_member_leaves_nothing(isolated, monkeypatch, capsys):
    fake_spec(monkeypatch, "alice", FAKE_ALICE)
    bad = alice_sdist(isolated / "bad.tar.gz", FAKE_ALICE.replace(b"ALICE", b"ALICF"))
    assert main(["data", "fetch", "alice", "--from-sdist", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.tar.gz!tests/testdata/alice29.txt" in err and "SHA-1" in err
    other = make_sdist(isolated / "other.tar.gz", {"brotli-1.2.1/README.md": b"hi"})
    with pytest.raises(FileNotFoundError, match="tests/testdata/alice29.txt.*brotli==1.2.1"):
        tc.fetch_corpus("alice", from_sdist=other)
    truncated = isolated / "truncated.tar.gz"
    truncated.write_bytes(alice_sdist(isolated / "ok.tar.gz").read_bytes()[:40])
    with pytest.raises(ValueError, match="不是完整的 .tar.gz"):
        tc.fetch_corpus("alice", from_sdist=truncated)
    assert cache_files(isolated) == []
    # 只有随源码包发布的语料才能 --from-sdist
    assert main(["data", "fetch", "kaggle-house", "--from-sdist", str(bad)]) == 1
    assert "--from-sdist 只适用于 alice" in capsys.readouterr().err


def test_pip_download_path(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")
    fake_spec(monkeypatch, "alice", FAKE_ALICE)
    calls = []

    def fake_pip(args, timeout):
        calls.append(list(args))
        alice_sdist(Path(args[args.index("-d") + 1]) / "brotli-1.2.1.tar.gz")

    cache = tc.fetch_corpus("alice", runner=fake_pip)
    assert calls == [["--no-deps", "--no-binary", ":all:", "brotli==1.2.1", "-d", calls[0][-1]]]
    assert (cache / "alice29.txt").read_bytes() == FAKE_ALICE
    tc.fetch_corpus("alice", runner=fake_pip)  # 已在缓存：不再下载
    assert len(calls) == 1


def test_pip_download_failure_lists_every_way(isolated, monkeypatch):
    monkeypatch.delenv("DLBOOK_OFFLINE")

    def failing_pip(args, timeout):
        raise tc.DownloadError("pip download 以状态 1 退出：\nNo matching distribution found")

    with pytest.raises(DataUnavailableError) as info:
        tc.fetch_corpus("alice", runner=failing_pip)
    message = str(info.value)
    assert "No matching distribution" in message and "--from-sdist" in message

    def empty_pip(args, timeout):  # pip 成功了，却没有留下源码包
        return None

    with pytest.raises(DataUnavailableError, match="没有留下 brotli-1.2.1.tar.gz"):
        tc.fetch_corpus("alice", runner=empty_pip)
    assert cache_files(isolated) == []


def test_offline_with_nothing_cached_gives_one_clear_message(isolated):
    with pytest.raises(DataUnavailableError) as info:
        tc.read_corpus("alice")
    message = str(info.value)
    for part in (
        str(isolated / "cache" / "alice"),
        "pip download --no-deps --no-binary :all: brotli==1.2.1",
        "--from-sdist",
        "DLBOOK_OFFLINE",
    ):
        assert part in message
    with pytest.raises(DataUnavailableError, match="DLBOOK_TIME_MACHINE_MIRROR"):
        tc.read_corpus("time-machine")
    with pytest.raises(FileNotFoundError, match="alice29.txt"):
        tc.read_corpus("alice", isolated)
    with pytest.raises(ValueError, match="name 必须是"):
        tc.read_corpus("alice30")


def test_corrupt_cached_file_is_reported(isolated, monkeypatch, capsys):
    spec = fake_spec(monkeypatch, "alice", FAKE_ALICE)
    path = isolated / "cache" / spec.cache_subdir / spec.file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(FAKE_ALICE[:-5])  # 被截断
    with pytest.raises(
        ValueError, match="SHA-1 为 .*删除它后运行 python -m dlbook data fetch alice"
    ):
        tc.read_corpus("alice")
    assert tc.verify_corpus("alice", path.parent)[0].startswith(str(path))
    assert main(["data", "verify", "alice"]) == 1
    assert "1 个问题" in capsys.readouterr().out
    assert main(["data", "fetch", "alice", "--check"]) == 3


def test_copy_from_directory(isolated, monkeypatch):
    fake_spec(monkeypatch, "alice", FAKE_ALICE)
    source = isolated / "src"
    source.mkdir()
    with pytest.raises(FileNotFoundError, match="alice29.txt"):
        tc.fetch_corpus("alice", copy_from=source)
    (source / "alice29.txt").write_bytes(FAKE_ALICE)
    assert tc.verify_corpus("alice", source) == []
    assert tc.read_corpus("alice", source).startswith("  ALICE'S")
    tc.fetch_corpus("alice", copy_from=source)
    assert tc.locate_corpus("alice") is not None
    with pytest.raises(ValueError, match="只能给出一个"):
        tc.fetch_corpus("alice", copy_from=source, from_sdist=source / "x.tar.gz")


def test_time_machine_download_from_local_server(isolated, monkeypatch, http_dir, capsys):
    root, url = http_dir
    monkeypatch.delenv("DLBOOK_OFFLINE")
    # 默认地址换成本地服务器上不存在的文件：测试不会连到 D2L 的服务器
    fake_spec(monkeypatch, "time-machine", FAKE_TIME_MACHINE, urls=(url + "missing.txt",))
    (root / "timemachine.txt").write_bytes(FAKE_TIME_MACHINE[:-3])  # 内容不对
    monkeypatch.setenv("DLBOOK_TIME_MACHINE_MIRROR", url)
    with pytest.raises(DataUnavailableError) as info:
        tc.fetch_corpus("time-machine", retries=0)
    message = str(info.value)
    assert "SHA-1" in message and "404" in message and "missing.txt" in message
    assert cache_files(isolated) == []

    (root / "timemachine.txt").write_bytes(FAKE_TIME_MACHINE)
    assert main(["data", "fetch", "time-machine"]) == 0
    assert "已校验" in capsys.readouterr().out
    assert tc.read_corpus("time-machine").startswith("The Time Machine")


def test_time_machine_spec_matches_d2l():
    spec = tc.CORPORA["time-machine"]
    assert spec.sha1 == "090b5e7e70c295757f55df93cb0a180b9691891a"
    assert spec.urls == ("http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",)
    assert spec.optional and not tc.CORPORA["alice"].optional
    with pytest.raises(ValueError, match="from_sdist 只适用于"):
        tc.fetch_corpus("time-machine", from_sdist="x.tar.gz")


def test_verify_without_names_treats_time_machine_as_optional(isolated, monkeypatch, capsys):
    fake_spec(monkeypatch, "alice", FAKE_ALICE)
    main(["data", "verify"])
    assert "time-machine：未找到（可选" in capsys.readouterr().out
    assert main(["data", "verify", "time-machine"]) == 1  # 点名要它时，找不到就是错误
    (isolated / "d").mkdir()
    (isolated / "d" / "alice29.txt").write_bytes(FAKE_ALICE)
    assert main(["data", "verify", "--dir", str(isolated / "d")]) == 0
    out = capsys.readouterr().out
    assert "alice：" in out and "kaggle-house" not in out


def test_real_alice_in_user_cache():
    # nox 的 tests 与 docs 会话先把真实文件放进缓存（见 noxfile.py 的 _corpus）。
    problems = tc.verify_corpus("alice", REAL_CACHE)
    assert problems == [], f"先运行 python -m dlbook data fetch alice：{problems}"
    text = tc.read_corpus("alice", REAL_CACHE)
    # 文件以 DOS 的文件结束符 Ctrl-Z（\x1a）结尾；清洗时它和标点一样被去掉
    assert len(text) == 148_481 and text.endswith("THE END\n\x1a")
    assert "Down the Rabbit-Hole" in text
