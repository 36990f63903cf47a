"""Benchmarks: speed and memory measurements that are run by hand, never as timed tests."""
