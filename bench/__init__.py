"""Benchmarks of the explorer: `python bench/run.py --quick` (see the README)."""
