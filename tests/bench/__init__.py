"""Benchmarks (`make bench`): each figure beside a baseline measured in the same run, in one table.

Benchmarks report; they never assert on timing. To add a row, write a function that takes the
shared `Servers` and returns a `table.Row`, and append it to `BENCHMARKS` in `__main__.py`.
"""
