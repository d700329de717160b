"""整个测试套件共用的夹具。"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """每个测试结束后恢复环境变量。

    构建扩展等代码直接写 ``os.environ`` （例如把 ``DLBOOK_DOCS_BUILD`` 设为 1）；测试若只用
    ``monkeypatch.delenv`` 清掉原本不存在的变量，新写入的值就会留给后面的测试，让它们以为自己在构建书。
    """
    saved = dict(os.environ)
    yield
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value
