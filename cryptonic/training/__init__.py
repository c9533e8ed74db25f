"""The TensorFlow/Keras side: the forecaster contract (forecaster.py), the model, the baselines it
is judged against, their evaluation (error measures, the walk-forward backtest), the tuning
search, and the charts of the last two (plots.py).

Never imported by serving, the daily refresh or the dispatch (import-linter).
"""
