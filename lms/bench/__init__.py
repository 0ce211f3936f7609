"""Benchmarks: `lms bench lrs` and `lms bench lab`."""
