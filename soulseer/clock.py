"""The one clock the code asks. Tests move time with `frozen` instead of sleeping."""

import contextlib
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_fixed = None


def now():
    """The current time, timezone-aware UTC."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC) + _offset


@contextlib.contextmanager
def frozen(at):
    """Hold the clock at `at` (an aware datetime) inside the block."""
    global _fixed
    previous, _fixed = _fixed, at
    try:
        yield
    finally:
        _fixed = previous


def advance(delta):
    """Move the clock forward by `delta` (a timedelta), for tests."""
    global _offset, _fixed
    if _fixed is not None:
        _fixed += delta
    else:
        _offset += delta


def reset():
    global _offset, _fixed
    _offset, _fixed = timedelta(0), None
