"""Versioned static URLs and the app shell the service worker precaches.

Every static URL carries a short hash of the file's content (`?v=...`), so browsers may cache
static files for a year and a deploy still reaches everyone at once.
"""

import functools
import hashlib
import time
from pathlib import Path

from flask import url_for

STATIC_ROOT = Path(__file__).resolve().parent / "static"

# What the installed app needs to draw its shell and the offline page with no network.
SHELL_FILES = [
    "css/app.css",
    "js/app.js",
    "vendor/htmx/htmx.min.js",
    "vendor/htmx/ext/sse.js",
    "vendor/fonts/alex-brush-latin-400-normal.woff2",
    "vendor/fonts/playfair-display-latin-400-normal.woff2",
    "vendor/fonts/playfair-display-latin-400-italic.woff2",
    "vendor/fonts/playfair-display-latin-700-normal.woff2",
    "icons/icon-192.png",
    "icons/favicon-32.png",
]


@functools.cache
def _digest(filename, _mtime):
    return hashlib.sha256((STATIC_ROOT / filename).read_bytes()).hexdigest()[:12]


# filename -> (when checked, version): a page names a dozen static files, and a stat() each per
# request cost more than the rest of a cached page. A file edited in development shows within a second.
_checked = {}
RECHECK_SECONDS = 1.0
_monotonic = time.monotonic  # replaced in tests


def file_version(filename):
    now = _monotonic()
    found = _checked.get(filename)
    if found is not None and now - found[0] < RECHECK_SECONDS:
        return found[1]
    version = _digest(filename, (STATIC_ROOT / filename).stat().st_mtime_ns)
    _checked[filename] = (now, version)
    return version


def static_url(filename):
    return url_for("static", filename=filename, v=file_version(filename))


def shell_files():
    return [static_url(name) for name in SHELL_FILES] + [url_for("pwa.offline")]


def shell_version():
    combined = "".join(file_version(name) for name in SHELL_FILES)
    return hashlib.sha256(combined.encode()).hexdigest()[:12]


def init_app(app):
    app.jinja_env.globals["static_url"] = static_url
    # Versioned URLs never change content, so they may be cached for a year.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 31536000
