"""The LSTM forecaster: its spec, the networks it builds, their quantile head, training and
interval calibration, saved networks, the stored models as forecasters, and the LiteRT export."""
