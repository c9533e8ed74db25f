"""How a forecaster is judged: error measures and the walk-forward backtest (its chart is
training/plots.py)."""
