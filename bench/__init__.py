"""Benchmarks (`make bench`): speed and memory figures, written to bench/results.json."""
