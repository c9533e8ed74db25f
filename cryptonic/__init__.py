"""cryptonic: a serverless LSTM forecaster of the next 7 daily closes of a Yahoo Finance ticker."""

__version__ = "0.1.0"
