"""The TensorFlow/Keras side: the model, the baselines it is judged against, their evaluation
(error measures, the walk-forward backtest, plots) and the tuning search.

Never imported by serving, the daily refresh or the dispatch (import-linter).
"""
