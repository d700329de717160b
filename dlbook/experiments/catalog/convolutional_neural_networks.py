"""第 5 章 卷积神经网络：LeNet。"""

from __future__ import annotations

from dlbook.experiments.expectations import above, at_least
from dlbook.experiments.model_spec import ModelSpec
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import fashion_mnist_classifier
from dlbook.models.lenet import lenet

_CNN = "chapter_convolutional-neural-networks"

register(
    Experiment(
        name="lenet",
        page=f"{_CNN}/lenet",
        title="LeNet-5（sigmoid 激活、平均池化），Xavier 初始化",
        full=dict(
            model=ModelSpec(lenet),
            loss="nn.CrossEntropyLoss",
            optimizer="torch.optim.SGD",
            lr=0.9,
            batch_size=256,
            num_epochs=10,
            init="xavier",
        ),
        # 构建时的档位：全部训练与测试图像，批量与轮数都减半，更新次数与书中几乎相同，
        # 仍能看到 sigmoid 的平台期与书中的精度；10 轮的完整档记录在案（实验结果页与本页的表格）
        quick=dict(batch_size=128, num_epochs=5),
        reference=dict(loss=0.469, train_acc=0.823, test_acc=0.779),
        run=fashion_mnist_classifier,
        expect=(
            at_least("test_acc", 0.78, "LeNet 的测试精度达到书中的水平（书中 0.779）"),
            above(
                "test_acc_per_epoch[-1]",
                None,
                "sigmoid 的 LeNet 要几轮才走出平台期：最后一轮的测试精度远高于第 1 轮",
                other_metric="test_acc_per_epoch[0]",
            ),
        ),
    )
)
