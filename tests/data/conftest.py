"""``tests/data`` 共用的夹具。"""

import functools
import http.server
import threading

import pytest


@pytest.fixture
def http_dir(tmp_path):
    """本机回环地址上的一个静态文件服务器，返回（目录，网址）。"""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - 覆盖基类的方法
        pass
