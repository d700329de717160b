"""各章的实验目录：每章一个模块，以章节的 slug 命名；导入即登记。

新的一章只需在这里加一个模块，不必在别处登记它：下面按文件名导入所有模块。
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
