"""边训练边画图的开销：在真实的 Jupyter 内核里，400 轮多项式拟合画图与不画图各跑一次。

内核由 ``jupyter_client`` 启动（与 Jupyter Notebook 里的内核相同，``LivePlot`` 在其中原地刷新图像）；
同一个内核里先预热一次，再交替测量 ``plot=True`` 与 ``plot=False`` 各 ``--repeat`` 次、取最短。
不设置 ``DLBOOK_DOCS_BUILD``，所以测的是交互使用时的开销（构建本书时训练中根本不画）。

运行：``python benchmarks/liveplot_overhead.py``；最后一行是
``liveplot_overhead: <ratio>x (ours <t> s, no-plot <t> s)``，ours 指边训练边画图。
另外打印训练过程中重绘的次数与时间（不含结束时画出结果的最后一次）占整次运行的比例。
"""

from __future__ import annotations

import argparse
import json
import os

from jupyter_client.manager import start_new_kernel

SETUP = """
import time, json
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from dlbook.data import polynomial_data
from dlbook.train.fitting import train_polynomial
data = polynomial_data([5, 1.2, -3.4, 5.6], seed=0)

from dlbook.plotting.liveplot import LivePlot

def timed(plot, epochs):
    live = LivePlot(xlabel="epoch", legend=["train", "test"], yscale="log") if plot else False
    start = time.perf_counter()
    _, history = train_polynomial(20, *data, num_epochs=epochs, lr=0.01, batch_size=10,
                                  plot=live, verbose=False)
    seconds = time.perf_counter() - start
    return seconds, (live.draws, live.draw_seconds) if plot else (0, 0.0)
"""


def run(client, code: str) -> str:
    """在内核里执行代码，返回标准输出；出错时抛出异常。"""
    msg_id = client.execute(code)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            raise RuntimeError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.pop("DLBOOK_DOCS_BUILD", None)
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        run(client, SETUP)
        run(client, "timed(True, 20); timed(False, 20)")  # 预热
        code = f"""
best = {{True: (float("inf"), None), False: (float("inf"), None)}}
for _ in range({args.repeat}):
    for plot in (True, False):
        best[plot] = min(best[plot], timed(plot, {args.epochs}), key=lambda r: r[0])
print(json.dumps({{"plot": best[True], "no_plot": best[False]}}))
"""
        times = json.loads(run(client, code).strip().splitlines()[-1])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    (ours, (draws, drawing)), (bare, _) = times["plot"], times["no_plot"]
    print(
        f"{args.epochs} 轮：画图 {ours:.2f} s，不画图 {bare:.2f} s；训练中重绘 {draws} 次、共 {drawing:.2f} s"
        f"（占画图那次运行的 {drawing / ours:.1%}），其余差别主要是结束时画出结果图的那一次"
    )
    print(f"liveplot_overhead: {ours / bare:.2f}x (ours {ours:.2f} s, no-plot {bare:.2f} s)")


if __name__ == "__main__":
    main()
