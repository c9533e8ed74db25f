"""What training and serving share, and all serving needs to forecast: the dated Forecast value,
the trading calendar, input windows, freshness, the LiteRT predictor and the ``.tflite`` metadata.

Serving-safe: nothing here imports TensorFlow, Keras, pandas or the training code (import-linter).
"""
