"""The bars every model is judged against: persistence and drift (naive.py), GARCH (garch.py)."""
