"""The spinner simulator with ground truth (spin), for tests and benchmarks: not used by detection
or restoration."""
