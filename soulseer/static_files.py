"""Versioned static URLs and the app shell the service worker precaches.

Every static URL carries a short hash of the file's content (`?v=...`), so browsers may cache
static files for a year and a deploy still reaches everyone at once.
"""

import functools
import hashlib
import time
from pathlib import Path

from flask import request, url_for
from flask.sessions import SecureCookieSessionInterface

STATIC_ROOT = Path(__file__).resolve().parent / "static"

# What the installed app needs to draw every page and the offline page with no network: every
# stylesheet and script of ours, htmx, the fonts and the icons the pages name. Found by pattern, so
# a new stylesheet or script is precached without being listed. Agora's SDK (1.6 MB, loaded only
# when a voice or video reading starts, docs/readings.md) is left out on purpose.
SHELL_PATTERNS = ["css/*.css", "js/*.js", "vendor/htmx/**/*.js", "vendor/fonts/*.woff2"]
SHELL_ICONS = ["icons/icon-192.png", "icons/favicon-32.png", "icons/apple-touch-icon.png"]


def _shell_files():
    found = {str(path.relative_to(STATIC_ROOT)) for pattern in SHELL_PATTERNS for path in STATIC_ROOT.glob(pattern)}
    return sorted(found) + SHELL_ICONS


SHELL_FILES = _shell_files()


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
    from soulseer.templating import remembered_url_for

    return remembered_url_for("static", filename=filename, v=file_version(filename))


def shell_files():
    return [static_url(name) for name in SHELL_FILES] + [url_for("pwa.offline")]


def shell_version():
    combined = "".join(file_version(name) for name in SHELL_FILES)
    return hashlib.sha256(combined.encode()).hexdigest()[:12]


# Responses that never carry the session cookie (see SessionInterface).
WITHOUT_SESSION = frozenset({"static", "events.stream"})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that two kinds of response never carry the session:
    - a static file's: Flask adds `Vary: Cookie` to any response whose session was looked at
      (Flask-Login looks at it after every request), and a file that varies by cookie is kept by
      no shared cache (a CDN, a proxy) and by the browser's cache only per cookie;
    - the event stream's (GET /events): a page opens it as it loads, so its answer may reach the
      browser after a later request changed the session — "Sign out" pressed at once — and its
      cookie, the session signed again as it was, would sign her back in (seen in the Auth0 sign-out
      story under load). The stream has nothing to say about the session."""

    def save_session(self, app, session, response):
        if request.endpoint in WITHOUT_SESSION:
            return
        super().save_session(app, session, response)


def init_app(app):
    app.session_interface = SessionInterface()
    app.jinja_env.globals["static_url"] = static_url
    # Versioned URLs never change content, so they may be cached for a year.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 31536000
