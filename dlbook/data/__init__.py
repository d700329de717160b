"""数据：Fashion-MNIST、合成的回归数据、Kaggle 房价、语言模型的文本语料、翻译的句子对（英中）、
第 12 章的照片、预训练权重与目标检测数据集，以及缓存、校验与下载的工具。

导入本包不会访问网络、不会读写任何文件。
"""

from dlbook.data.corpus import CORPORA, fetch_corpus, locate_corpus, read_corpus, verify_corpus
from dlbook.data.detection import DETECTION_CLASSES, load_detection, read_detection
from dlbook.data.download import DataUnavailableError, DownloadError, data_dir
from dlbook.data.fashion_mnist import (
    FASHION_MNIST_LABELS,
    FashionMNIST,
    fashion_mnist_labels,
    fetch_fashion_mnist,
    load_fashion_mnist,
    locate_fashion_mnist,
    read_fashion_mnist,
    verify_fashion_mnist,
)
from dlbook.data.house_prices import (
    HousePriceFeatures,
    fetch_house_prices,
    load_house_prices,
    load_house_regression,
    locate_house_prices,
    preprocess_house_prices,
    verify_house_prices,
)
from dlbook.data.idx import IDXFormatError, parse_idx, read_idx
from dlbook.data.loader import TensorBatches
from dlbook.data.packaged import PACKAGED, fetch_packaged, locate_packaged, verify_packaged
from dlbook.data.photos import PHOTOS, quokka_annotation, read_image, read_photo
from dlbook.data.pretrained import mobilenet_v2_state_dict
from dlbook.data.synthetic import (
    lag_features,
    load_array,
    noisy_sine,
    polynomial_data,
    synthetic_linear_data,
)
from dlbook.data.translation import (
    fetch_cmn_eng,
    fetch_tatoeba,
    locate_translation,
    read_translation_pairs,
    verify_translation,
)

__all__ = [
    "CORPORA",
    "DETECTION_CLASSES",
    "PACKAGED",
    "PHOTOS",
    "fetch_packaged",
    "load_detection",
    "locate_packaged",
    "mobilenet_v2_state_dict",
    "quokka_annotation",
    "read_detection",
    "read_image",
    "read_photo",
    "verify_packaged",
    "fetch_corpus",
    "locate_corpus",
    "read_corpus",
    "verify_corpus",
    "FASHION_MNIST_LABELS",
    "DataUnavailableError",
    "DownloadError",
    "FashionMNIST",
    "HousePriceFeatures",
    "IDXFormatError",
    "TensorBatches",
    "data_dir",
    "fashion_mnist_labels",
    "fetch_fashion_mnist",
    "fetch_house_prices",
    "lag_features",
    "load_array",
    "load_fashion_mnist",
    "load_house_prices",
    "load_house_regression",
    "locate_fashion_mnist",
    "locate_house_prices",
    "noisy_sine",
    "parse_idx",
    "polynomial_data",
    "preprocess_house_prices",
    "read_fashion_mnist",
    "read_idx",
    "synthetic_linear_data",
    "fetch_cmn_eng",
    "fetch_tatoeba",
    "locate_translation",
    "read_translation_pairs",
    "verify_translation",
    "verify_fashion_mnist",
    "verify_house_prices",
]
