"""第 12 章 计算机视觉：图像增广、微调与单发多框检测（SSD）。

本章的数据与权重都能离线安装（见 :mod:`dlbook.data.photos`、:mod:`dlbook.data.pretrained` 与
:mod:`dlbook.data.detection`）：D2L 下载的热狗数据集、香蕉检测数据集与 ImageNet 预训练的 ResNet
在这里都换成了能离线取得的对应物，各页写明换了什么、为什么。
"""

from __future__ import annotations

from dlbook.experiments.expectations import above, at_least, at_most, below
from dlbook.experiments.model_spec import FromData, ModelSpec, Setting
from dlbook.experiments.registry import Experiment, register
from dlbook.experiments.runners import (
    augmentation_run,
    fine_tuning_run,
    kaggle_classifier_run,
    kaggle_dog_run,
    segmentation_run,
    ssd_run,
    style_transfer_run,
)
from dlbook.models.fcn import fcn
from dlbook.models.lenet import lenet
from dlbook.models.mlp import mlp
from dlbook.models.mobilenet import mobilenet_v2
from dlbook.models.resnet import resnet18
from dlbook.models.ssd import tiny_ssd

# ---------------------------------------------------------------------------
# 单发多框检测（SSD）
# ---------------------------------------------------------------------------

#: SSD：完整档是 D2L 的设置（256 像素、原宽度的 TinySSD、SGD 学习率 0.2、权重衰减 5e-4、批量 32、
#: 20 轮、1000 张训练图像），数据换成三类的合成检测数据集（D2L 的香蕉数据集只有一类、要下载）；
#: 快速档把图像缩到 128 像素、通道数减半、只训练 8 轮，CPU 上一个线程约 60 秒。
register(
    Experiment(
        name="ssd",
        page="chapter_computer-vision/ssd",
        title="TinySSD 在合成的三类检测数据集上（验证集的背景照片不在训练集中）",
        full=dict(
            model=ModelSpec(tiny_ssd, 3, width=Setting("width")),
            width=1.0,
            size=256,
            num_train=1000,
            num_val=200,
            batch_size=32,
            num_epochs=20,
            lr=0.2,
            weight_decay=5e-4,
            optimizer="torch.optim.SGD",
            loss="ssd_loss",
        ),
        quick=dict(width=0.5, size=128, num_epochs=8),
        task="detection",
        run=ssd_run,
        # 完整档在 CPU 上每步约 3.4 秒（一个线程、批量 32、256 像素），20 轮约 37 分钟，超过 30 分钟：等 GPU 记录
        needs_gpu=True,
        expect=(
            at_least("val_map", 0.4, "在没见过的背景照片上，检测器的 mAP@0.5 超过 0.4"),
            at_least("val_recall", 0.7, "验证集上七成以上的目标被某个检测框以 IoU ≥ 0.5 找到"),
            below(
                "class_error_per_epoch[-1]",
                None,
                "锚框类别的错误率随训练下降",
                "class_error_per_epoch[0]",
            ),
            below(
                "bbox_mae_per_epoch[-1]",
                None,
                "偏移量的平均绝对误差随训练下降",
                "bbox_mae_per_epoch[0]",
            ),
        ),
    )
)


# ---------------------------------------------------------------------------
# 风格迁移
# ---------------------------------------------------------------------------

#: 风格迁移：宇航员照片为内容、《星月夜》为风格，特征取自 ImageNet 预训练的 MobileNetV2（VGG-19 的
#: 权重不能离线安装）。完整档用 D2L 的图像高度 300、500 步与学习率衰减（每 50 步乘 0.8）；因为特征网络
#: 不同，学习率、风格权重与全变分权重按 MobileNetV2 的特征重新选过（D2L 为 VGG-19 选的是 0.3、1e4 与 10；
#: MobileNetV2 的特征让合成图像长出更多高频噪点，全变分的权重因此加到 50）。快速档把
#: 图像缩到 192 像素、更新 400 步，CPU 上一个线程约 10 秒。这里的“轮数” ``num_epochs`` 是合成图像的更新步数。
register(
    Experiment(
        name="neural-style",
        page="chapter_computer-vision/neural-style",
        title="风格迁移：宇航员照片 × 梵高《星月夜》，MobileNetV2 的特征",
        full=dict(
            model=ModelSpec(mobilenet_v2, pretrained=True),
            height=300,
            num_epochs=500,
            optimizer="torch.optim.Adam",
            lr=0.05,
            lr_period=50,
            lr_decay=0.8,
            content_weight=1.0,
            style_weight=3e5,
            tv_weight=50.0,
        ),
        quick=dict(height=192, num_epochs=400),
        task="regression",
        run=style_transfer_run,
        expect=(
            below("style_loss", None, "风格损失在优化结束时远低于开始时", "style_loss_start"),
            below("tv_loss", None, "全变分损失在优化结束时低于开始时", "tv_loss_start"),
            below(
                "content_loss",
                None,
                "合成图像的内容损失远低于直接交出画作时的内容损失：内容保住了",
                "painting_content_loss",
            ),
        ),
    )
)


# ---------------------------------------------------------------------------
# 狗的品种识别（离线时是四类上衣）
# ---------------------------------------------------------------------------

#: 细粒度分类：ImageNet 预训练的 MobileNetV2 主体固定，特征只抽一次，在特征上训练 D2L 那样的两层输出网络
#: （256 个隐藏单元）。ImageNet Dogs 不能离线安装，数据换成 Fashion-MNIST 的四类上衣（见
#: :mod:`dlbook.data.kaggle_dog`）。完整档用全部 24,000 张训练图像（十分之一作验证集，D2L 的比例）与
#: 4,000 张测试图像、D2L 的 224 像素输入、批量 128、10 轮、动量 0.9、权重衰减 1e-4、每 2 轮学习率乘 0.9；
#: 学习率取 0.01（D2L 的 1e-4 配的是 ResNet-34 的 1000 维输出，在这里的特征上 10 轮学不动）。快速档取
#: 2,000/500/500 张、64 像素输入，CPU 上一个线程约 10 秒。
register(
    Experiment(
        name="kaggle-dog",
        page="chapter_computer-vision/kaggle-dog",
        title="细粒度分类：MobileNetV2 的特征上训练输出网络（离线时是 Fashion-MNIST 的四类上衣）",
        full=dict(
            dataset="fashion-upper-body",
            body="mobilenet_v2(pretrained=True).features",
            model=ModelSpec(mlp, 1280, Setting("num_hiddens"), FromData("num_classes")),
            num_hiddens=256,
            num_train=21_600,
            num_valid=2_400,
            num_test=4_000,
            image_size=224,
            batch_size=128,
            num_epochs=10,
            optimizer="torch.optim.SGD",
            lr=0.01,
            momentum=0.9,
            weight_decay=1e-4,
            lr_period=2,
            lr_decay=0.9,
        ),
        quick=dict(num_train=2_000, num_valid=500, num_test=500, image_size=64),
        task="classification",
        run=kaggle_dog_run,
        expect=(
            below(
                "valid_log_loss",
                None,
                "验证集上的对数损失远低于按类别频率猜的对数损失",
                "prior_log_loss",
            ),
            at_most("valid_log_loss", 0.8, "验证集上的对数损失低于 0.8（均匀地猜是 log 4 ≈ 1.39）"),
            at_least("valid_acc", 0.65, "验证集上的精度超过 0.65（猜最多的一类只有约 0.25）"),
            at_most("submission_log_loss", 0.8, "提交文件在隐藏标签上的对数损失同样低于 0.8"),
        ),
    )
)


# ---------------------------------------------------------------------------
# 全卷积网络（FCN）
# ---------------------------------------------------------------------------

#: FCN 与它从零训练的对照：两者只差主体是否载入 ImageNet 的权重，其余设置（数据、顺序、裁剪、轮数、
#: 优化器）完全相同。完整档是 D2L 的设置：批量 32、5 轮、权重衰减 1e-3，学习率 0.001 作用在一批
#: 32 张图像损失之 **和** 上（D2L 的 ``train_ch13``），换成本书对平均损失反向传播就是 0.032；数据从 VOC 的
#: 320×480 裁剪换成合成分割数据集的整张 128×128 图像。两档的主体都只用到步幅 16（128 像素的图像在
#: 步幅 32 下只剩 4×4 个位置）。快速档在 64×64 的随机裁剪上训练 3 轮、批量 16、带动量 0.9 的 SGD
#: （学习率 0.05），CPU 上一个线程每个模型约 12 秒。
_FCN_FULL = dict(
    stride=16,
    crop_size=None,
    num_train=1000,
    num_val=200,
    batch_size=32,
    num_epochs=5,
    lr=0.032,
    weight_decay=1e-3,
    momentum=0.0,
    optimizer="torch.optim.SGD",
    loss="pixel_cross_entropy",
)
_FCN_QUICK = dict(crop_size=64, batch_size=16, num_epochs=3, lr=0.05, momentum=0.9)

register(
    Experiment(
        name="fcn",
        page="chapter_computer-vision/fcn",
        title="FCN（ImageNet 预训练的 MobileNetV2 主体）在合成的分割数据集上",
        full=dict(model=ModelSpec(fcn, 4, pretrained=True, stride=Setting("stride")), **_FCN_FULL),
        quick=_FCN_QUICK,
        task="segmentation",
        run=segmentation_run,
        expect=(
            at_least(
                "val_miou",
                0.5,
                "在没见过的背景照片上，预训练的 FCN 的平均交并比超过 0.5",
            ),
            above(
                "val_miou",
                "fcn-scratch",
                "同样的预算下，主体用 ImageNet 预训练权重的 FCN 在验证集上的平均交并比高于从零训练",
            ),
            above(
                "val_miou_per_epoch[0]",
                "fcn-scratch",
                "只训练一轮之后，预训练的 FCN 的平均交并比已经高于从零训练的同一轮",
            ),
        ),
    )
)

register(
    Experiment(
        name="fcn-scratch",
        page="chapter_computer-vision/fcn",
        title="同样结构、主体随机初始化的 FCN（从零训练的对照）",
        full=dict(model=ModelSpec(fcn, 4, pretrained=False, stride=Setting("stride")), **_FCN_FULL),
        quick=_FCN_QUICK,
        task="segmentation",
        run=segmentation_run,
    )
)

# ---------------------------------------------------------------------------
# 实战 Kaggle 比赛：图像分类（CIFAR-10）
# ---------------------------------------------------------------------------

#: Kaggle 式的比赛：完整档是 D2L 的设置（为小图像改过开头的 ResNet-18、带动量 0.9 的 SGD、学习率 2e-4、
#: 权重衰减 5e-4、每 4 轮乘以 0.9、批量 128、20 轮、一成做验证集、放大 1.25 倍后随机裁剪面积的
#: 64%–100%），比赛换成 Fashion-MNIST 搭的同格式比赛（60,000 张训练图像、10,000 张测试图像）。
#: 快速档：8,000 张训练图像、2,000 张测试图像，第 6 章的 ResNet-18（7×7 开头）通道数除以 4，学习率 0.05、
#: 每 2 轮减半、5 轮，裁剪面积的 80%–100%；CPU 上一个线程约 25 秒（两次训练）。
KAGGLE_QUICK_ACC = 0.6
register(
    Experiment(
        name="kaggle-cifar10",
        page="chapter_computer-vision/kaggle-cifar10",
        title="Kaggle 式图像分类比赛的完整流程（Fashion-MNIST 写成 PNG 文件与标签 CSV）",
        full=dict(
            model=ModelSpec(
                resnet18, 10, in_channels=1, ratio=Setting("ratio"), stem=Setting("stem")
            ),
            ratio=1,
            stem="small",
            num_train=None,
            num_test=None,
            valid_ratio=0.1,
            image_size=28,
            resize=35,
            crop_scale=(0.64, 1.0),
            batch_size=128,
            num_epochs=20,
            optimizer="torch.optim.SGD",
            lr=2e-4,
            momentum=0.9,
            weight_decay=5e-4,
            lr_period=4,
            lr_decay=0.9,
        ),
        quick=dict(
            ratio=4,
            stem="imagenet",
            num_train=8000,
            num_test=2000,
            crop_scale=(0.8, 1.0),
            batch_size=64,
            num_epochs=5,
            lr=0.05,
            lr_period=2,
            lr_decay=0.5,
        ),
        needs_gpu=True,
        run=kaggle_classifier_run,
        expect=(
            at_least(
                "valid_acc",
                KAGGLE_QUICK_ACC,
                f"验证集上的精度远高于随便猜的 0.1：至少 {KAGGLE_QUICK_ACC}",
            ),
            at_least(
                "test_acc",
                KAGGLE_QUICK_ACC,
                f"提交文件对隐藏的测试标签的精度远高于随便猜的 0.1：至少 {KAGGLE_QUICK_ACC}",
            ),
            at_most(
                "submission_problems",
                0,
                "submission.csv 每个测试图像恰好一行，每个标签都是已知的类别",
            ),
        ),
    )
)


# ---------------------------------------------------------------------------
# 图像增广
# ---------------------------------------------------------------------------

#: 图像增广：D2L 在 CIFAR-10 的全部 5 万张训练图像上训练 ResNet-18，训练图像只做左右翻转（批量 256、
#: Adam 学习率 0.001、10 轮）。CIFAR-10 不能离线安装，数据换成 Fashion-MNIST；完整档沿用 D2L 的训练设置
#: （全部 6 万张训练图像、只做左右翻转）。网络在两个档位相同：现代版的 LeNet（ReLU 与最大池化，
#: ``lenet(modern=True)``）——快速档要在一个线程上训练 6 次，ResNet-18 太慢（即使通道数除以 8，
#: 每次也要多花两三倍的时间，而且提高更小）。
#:
#: 快速档是增广必定起作用的任务：只用前 200 张训练图像（每类约 20 张），训练 150 轮（约 1000 次更新），
#: 不增广的网络把训练集背下来（训练精度 100%）；增广是填充 1 个像素后随机裁剪、再随机左右翻转
#: （:func:`~dlbook.data.augmentation.fashion_mnist_augmentation`）。带动量 0.9 与权重衰减 5e-4 的 SGD，
#: 学习率 0.05 按余弦曲线在训练结束时降到 0；3 个种子各训练一次，在全部 10,000 张测试图像上评估。
#: 两个实验合计在 CPU 上一个线程约 15 秒。预期：每个种子下，增广后的测试精度都高于不增广。
_AUGMENTATION = dict(
    model=ModelSpec(lenet, modern=True),
    num_train=60_000,
    batch_size=256,
    num_epochs=10,
    optimizer="torch.optim.Adam",
    lr=0.001,
    momentum=None,
    weight_decay=0.0,
    scheduler=None,
    final_lr=None,
    augment="flip",
    padding=None,
    num_seeds=1,
)
AUGMENTATION_QUICK = dict(
    num_train=200,
    batch_size=32,
    num_epochs=150,
    optimizer="torch.optim.SGD",
    lr=0.05,
    momentum=0.9,
    weight_decay=5e-4,
    scheduler="cosine",
    final_lr=0.0,
    augment="crop-flip",
    padding=1,
    num_seeds=3,
)
register(
    Experiment(
        name="image-augmentation-plain",
        page="chapter_computer-vision/image-augmentation",
        title="对照：同样的网络与设置，训练图像不做增广",
        full=dict(_AUGMENTATION, augment=None),
        quick=dict(AUGMENTATION_QUICK, augment=None),
        run=augmentation_run,
        expect=tuple(
            at_least(
                f"train_acc_per_seed[{k}]",
                0.99,
                f"第 {k + 1} 个种子：不增广的网络背下了 200 张训练图像（最后一轮的训练精度至少 0.99）",
                profile="quick",
            )
            for k in range(AUGMENTATION_QUICK["num_seeds"])
        )
        + (
            at_most(
                "test_acc",
                0.9,
                "不增广时测试精度远低于训练精度（3 个种子平均不到 0.9）",
                profile="quick",
            ),
        ),
    )
)
register(
    Experiment(
        name="image-augmentation",
        page="chapter_computer-vision/image-augmentation",
        title="训练图像随机翻转（快速档再加填充后的随机裁剪）",
        full=_AUGMENTATION,
        quick=AUGMENTATION_QUICK,
        run=augmentation_run,
        expect=tuple(
            above(
                f"test_acc_per_seed[{k}]",
                "image-augmentation-plain",
                f"第 {k + 1} 个种子：增广后的测试精度高于不增广",
                profile="quick",
            )
            for k in range(AUGMENTATION_QUICK["num_seeds"])
        ),
    )
)


# ---------------------------------------------------------------------------
# 微调
# ---------------------------------------------------------------------------

#: 微调：D2L 在热狗数据集（2000 张训练图像、两类）上微调 ImageNet 预训练的 ResNet-18。热狗数据集与
#: ResNet 的 ImageNet 权重都不能离线安装；这里换成能离线安装的 torchvision MobileNetV2 权重
#: （:func:`~dlbook.models.mobilenet.mobilenet_v2`），任务换成只有少量标注的 Fashion-MNIST（放大、复制成
#: 三个通道、按 ImageNet 的均值与标准差规范化）。三个实验只差模型的来历与训练哪些参数：
#:
#: * ``fine-tuning``：预训练的主体 + 新的输出层，主体学习率 ``lr``，输出层 ``lr × 10``；
#: * ``fine-tuning-frozen``：预训练的主体冻结（参数与批量规范化的统计量都不变），只训练输出层；
#: * ``fine-tuning-scratch``：同样的网络随机初始化，所有参数用 10 倍的学习率（D2L 的做法）。
#:
#: 完整档是 D2L 的设置：224 像素、2000 张训练图像（热狗数据集的大小）、批量 128、5 轮、SGD、学习率
#: 5e-5（从零训练 5e-4）、权重衰减 0.001、训练图像随机裁剪与翻转。D2L 对损失之 **和** 反向传播，这里对
#: 平均损失：学习率乘以批量 128、权重衰减除以 128，两种写法的更新完全相同（0.0064 与 7.8125e-6）。
#: 测试用全部 10,000 张测试图像（热狗数据集的测试集有 1000 张）。
#: 快速档在 CPU 上一个线程约 30 秒：32×32 的输入（MobileNetV2 把高宽缩小 32 倍，最后的特征图是 1×1）、
#: 前 500 张训练图像（每类约 50 张）、批量 32、5 轮、带动量 0.9 的 SGD（主体学习率 0.001）、不做增广，
#: 两个种子各训练一次，在前 2000 张测试图像上求精度。
_FINE_TUNING = dict(
    resize=224,
    num_train=2_000,
    num_test=10_000,
    batch_size=128,
    num_epochs=5,
    optimizer="torch.optim.SGD",
    lr=5e-5 * 128,
    head_lr_scale=10,
    momentum=None,
    weight_decay=0.001 / 128,
    augment="crop-flip",
    padding=2,
    num_seeds=1,
)
FINE_TUNING_QUICK = dict(
    resize=32,
    num_train=500,
    num_test=2_000,
    batch_size=32,
    num_epochs=5,
    lr=0.001,
    momentum=0.9,
    weight_decay=1e-4,
    augment=None,
    num_seeds=2,
)
_SCRATCH_LR = dict(head_lr_scale=1)  # 从零训练：所有参数都用 10 倍的学习率


def _beats_scratch(what: str) -> tuple:
    return tuple(
        above(
            f"test_acc_per_seed[{k}]",
            "fine-tuning-scratch",
            f"第 {k + 1} 个种子：{what}的测试精度高于从零训练的同一个网络",
            profile="quick",
        )
        for k in range(FINE_TUNING_QUICK["num_seeds"])
    )


for _name, _title, _model, _full, _quick, _expect in [
    (
        "fine-tuning",
        "微调：ImageNet 预训练的 MobileNetV2 + 新的输出层（输出层 10 倍学习率）",
        ModelSpec(mobilenet_v2, 10, pretrained=True),
        {},
        {},
        _beats_scratch("微调预训练的网络"),
    ),
    (
        "fine-tuning-frozen",
        "冻结预训练的主体，只训练新的输出层（线性探测）",
        ModelSpec(mobilenet_v2, 10, pretrained=True, freeze_body=True),
        {},
        {},
        _beats_scratch("冻结预训练的主体、只训练输出层"),
    ),
    (
        "fine-tuning-scratch",
        "对照：同一个 MobileNetV2 随机初始化，从零训练（所有参数 10 倍学习率）",
        ModelSpec(mobilenet_v2, 10),
        dict(lr=5e-4 * 128, **_SCRATCH_LR),
        dict(lr=0.01, **_SCRATCH_LR),
        (),
    ),
]:
    register(
        Experiment(
            name=_name,
            page="chapter_computer-vision/fine-tuning",
            title=_title,
            full=dict(_FINE_TUNING, model=_model, **_full),
            quick=dict(FINE_TUNING_QUICK, **_quick),
            run=fine_tuning_run,
            expect=_expect,
            needs_gpu=True,  # 224 像素的 MobileNetV2：CPU 上每秒只能训练几十张
        )
    )
