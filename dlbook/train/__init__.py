"""训练、评估与预测的循环。

:mod:`~dlbook.train.loop` 是书中讲的那个循环（``train_step``、``train_epoch``）；
:mod:`~dlbook.train.trainer` 的 ``train_classifier`` 与 ``train_regression`` 每轮调用的就是它，
分布式、检查点、进度条、学习率调度与实时绘图是包在它外面的层，
各章的专门循环（感知机、房价的 K 折、自回归预测、语言模型、seq2seq、比较优化器）各占一个文件。
"""
