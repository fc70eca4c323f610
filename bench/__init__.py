"""The benchmarks (scripts run as `python bench/run.py`); a package so tests can import the
Brown loader as `bench.corpus`."""
