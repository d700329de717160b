"""``python -m dlbook ...`` 的入口。"""

from .cli import main

raise SystemExit(main())
