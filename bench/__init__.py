"""Benchmarks behind `make bench`: figures for BENCHMARKS.md, never assertions in tests."""
