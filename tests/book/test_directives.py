"""书中展示源码的方式：去掉文档字符串与参数检查，不展示私有名字。"""

from dlbook.book.directives import book_source, private_part


def _example(x: int, p: float = 0.5) -> int:
    """文档字符串。

    多行。
    """
    if x < 0:
        raise ValueError("x 必须非负")
    check_probability("p", p)  # noqa: F821  不会被调用
    # 真正的计算
    return x + 1


class _Block:
    """类的文档字符串。"""

    def forward(self, x):
        """方法的文档字符串。"""
        if not isinstance(x, int):
            raise TypeError("x 必须是整数")
        return x * 2


def test_book_source_drops_docstrings_and_argument_checks():
    text = book_source(_example)
    assert text.splitlines() == [
        "def _example(x: int, p: float = 0.5) -> int:",
        "    # 真正的计算",
        "    return x + 1",
    ]


def test_book_source_of_a_class_drops_every_docstring():
    text = book_source(_Block)
    assert "文档字符串" not in text and "TypeError" not in text
    assert "return x * 2" in text and text.startswith("class _Block:")


def test_private_names_are_found_but_special_methods_are_public():
    assert private_part("dlbook.models._common.init_normal") == "_common"
    assert private_part("dlbook.train.loop.train_epoch") is None
    assert private_part("dlbook.data.loader.TensorBatches.__iter__") is None
