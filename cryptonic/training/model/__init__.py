"""The LSTM forecaster: its spec, networks, quantile head, interval calibration, the stored
models as forecasters, and the LiteRT export."""
