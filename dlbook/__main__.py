"""``python -m dlbook ...`` 的入口。"""

from dlbook.cli import main

raise SystemExit(main())
