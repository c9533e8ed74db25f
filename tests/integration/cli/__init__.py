"""The command line in-process, one file per command module."""

TINY = ["--epochs", "2"]
"""Flags that keep a trained model tiny: these tests check the wiring, not the model."""
