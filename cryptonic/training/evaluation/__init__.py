"""How a forecaster is judged: error measures, the walk-forward backtest, its plots."""
