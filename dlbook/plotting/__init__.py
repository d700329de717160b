"""绘图：书中统一的图形风格与画图函数（:mod:`~dlbook.plotting.figures`），训练时的实时曲线（:mod:`~dlbook.plotting.liveplot`），以及在图像上画边界框（:mod:`~dlbook.plotting.boxes`）。"""
