"""Debian's Chromium for Playwright: where it is and the flags it runs with (the browser tests'
fixtures and tests/support/close_race.py)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Less of Chromium's own work per page, which the suite is bound by (docs/testing.md, "The
    # suite's time"): compositing inside the browser process instead of a GPU process of its own,
    # and one renderer for our single origin. test_live_reading.py: Chromium 24.6 and 24.5 CPU-s
    # without these, 20.0 and 22.0 with them, the file's wall time unchanged.
    "--in-process-gpu",
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
    "--disable-smooth-scrolling",
]


def chromium_path():
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail("Chromium is missing: run `make test` (it installs Debian's chromium) or set CHROME_PATH.")
    return path
