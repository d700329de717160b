"""两个 torch 进程并排运行：各用全部核的线程（抢核）vs. 各用一个线程。

构建本书时页面与画廊示例各有两个进程同时执行。每个进程训练 LeNet 若干个批次（真实的计算，
不读数据）；同样的两个进程分别在 ``torch.set_num_threads(核数)`` 与 ``torch.set_num_threads(1)``
下并排运行，比较两者都完成所用的墙钟时间。

运行：``python benchmarks/oversubscription.py``；最后一行是
``oversubscription: <ratio>x (ours <t> s, all-threads <t> s)``，ours 指每个进程一个线程。
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

WORK = """
import sys, torch
from torch import nn
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
from dlbook.models import lenet
net = lenet()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
X, y = torch.rand(256, 1, 28, 28), torch.randint(0, 10, (256,))
for _ in range(int(sys.argv[2])):
    opt.zero_grad()
    nn.functional.cross_entropy(net(X), y).backward()
    opt.step()
"""


def side_by_side(threads: int, steps: int, procs: int) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    running = [
        subprocess.Popen([sys.executable, "-c", WORK, str(threads), str(steps)], env=env)
        for _ in range(procs)
    ]
    for p in running:
        if p.wait() != 0:
            sys.exit("工作进程出错")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    side_by_side(1, 2, args.procs)  # 预热：导入与磁盘缓存
    many = side_by_side(cores, args.steps, args.procs)
    one = side_by_side(1, args.steps, args.procs)
    print(f"{args.procs} 个进程并排，各 {cores} 个线程：{many:.1f} s；各 1 个线程：{one:.1f} s")
    print(f"oversubscription: {many / one:.2f}x (ours {one:.1f} s, all-threads {many:.1f} s)")


if __name__ == "__main__":
    main()
