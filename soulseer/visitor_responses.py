"""Whole pages and whole responses for visitors: the web layer of the browse cache.

The home page and the browse page look the same to every visitor, and visitors are most of a
marketplace's traffic. `page_for_visitors` renders such a page once for all visitors at the
current marketplace version (through `services/marketplace/page_cache.py`, which never reads the
request: who is a visitor is decided here). The page cache already
spares them the database and the templates; what was left was Flask's own work around every
request — the session, Flask-Login, the before/after hooks, the security headers — several times
the cost of fetching the page (docs/benchmarks.md). So the finished response of such a page
(status, headers and body, exactly as Flask sent it) is kept in Redis beside the pages, under the
same release digest, marketplace version check and lifetime (`BROWSE_CACHE_SECONDS`), and the next
visitor asking for the same URL gets it from this WSGI layer in one round trip to Redis.

Shared only when all of these hold, so no one ever gets another person's response:
- the request is a GET of a path in SHARED_PATHS or under SHARED_PREFIXES (the community), with
  **no Cookie header at all** (a cookie may carry a session: a sign-in, a flash, a CSRF token) and
  not from HTMX (fragments share the URL);
- it is kept per Accept-Encoding header, as it went out compressed for that header;
- the view marked the response shareable (`mark_shareable`, called by `page_for_visitors` for a
  visitor without a flash message) and gave the canonical form of its query string, which must be
  the request's own (so one list is one entry, however its URL was written);
- the answer is a 200 that sets no cookie.
Everything else goes to Flask untouched, and so does everything when Redis cannot be reached.

A change is seen at once, as with the pages: a hit needs the entry's version to be the current
marketplace version, and an entry is stored with the version read *before* Flask rendered it.
"""

import hashlib
import hmac
import json
import logging

import redis
from flask import current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from soulseer.services.marketplace import page_cache

SHARED_PATHS = frozenset({"/", "/readers", "/shop", "/community"})
# The community's pages for visitors (a view still has to mark its response shareable).
SHARED_PREFIXES = ("/community/",)
MAX_QUERY_LENGTH = 300
ENVIRON_KEY = "soulseer.shareable_query"
# Holds "<version>\n<head JSON>\n<body>". The body is compressed (compression.py) for the request's
# Accept-Encoding, which is part of the key: the same header always gets the same encoding.
KEY = "soulseer:browse:{release}:response:{path}?{query}#{encoding}"
MAX_ACCEPT_ENCODING_LENGTH = 100

log = logging.getLogger(__name__)


def page_for_visitors(template, variant, context, query="", keep_until=None):
    """`render_template(template, **context())`, shared whole by every visitor at the current
    marketplace version: a visitor's page differs from another's only by a flash message (then it
    is rendered for them) and carries no session. Signed-in people get it rendered per request
    (their header, their CSRF token). Should the page ask for a CSRF token, a slot stands in for
    it in the cache and this request's token fills it. `query` is the canonical query string of
    this page's URL: the whole response may then be shared too (below).

    A signed-in client's page is kept for her (signed_in_responses.py) while nothing of it
    changes: the page may show her more than a visitor sees only where a version covers it (the
    marketplace version, her header version). `keep_until(values)`, given the context's values,
    returns when something it shows her changes with time alone (None: never)."""
    if current_user.is_authenticated or session.get("_flashes"):
        values = context()
        if current_user.is_authenticated and not session.get("_flashes"):
            # Her own page of this shared kind, kept for her while nothing of it changes.
            from soulseer import signed_in_responses

            until = keep_until(values) if keep_until else None
            signed_in_responses.mark_shareable(request.environ, query, current_user, until=until)
        return render_template(template, **values)
    mark_shareable(request.environ, query)
    slot = csrf_slot()
    page = str(page_cache.html(template, variant, lambda: _render(template, slot, context)))
    return page.replace(slot, generate_csrf()) if slot in page else page


def _render(template, slot, context):
    return render_template(template, csrf_token=lambda: slot, **context())


def csrf_slot():
    """What stands in for the CSRF token in a cached page: derived from SECRET_KEY, so it is the
    same in every process and nobody can plant it in a profile to have it replaced."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"soulseer browse csrf slot", hashlib.sha256).hexdigest()


def mark_shareable(environ, canonical_query=""):
    """The response to this request may be given as it is to every visitor asking for this path
    with `canonical_query` as its query string."""
    environ[ENVIRON_KEY] = canonical_query


def encoding_key(environ):
    """The Accept-Encoding header, normalised: browsers send a handful of distinct values."""
    return "".join(environ.get("HTTP_ACCEPT_ENCODING", "").lower().split())


def _may_share(environ):
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and (environ.get("PATH_INFO") in SHARED_PATHS or environ.get("PATH_INFO", "").startswith(SHARED_PREFIXES))
        and not environ.get("HTTP_COOKIE")
        and not environ.get("HTTP_HX_REQUEST")
        and len(environ.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and len(environ.get("HTTP_ACCEPT_ENCODING", "")) <= MAX_ACCEPT_ENCODING_LENGTH
    )


class VisitorResponses:
    """WSGI middleware around the application's wsgi_app (installed by `install`)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._release = None

    def _key(self, environ):
        if self._release is None:
            with self.app.app_context():
                self._release = page_cache.release()
        return KEY.format(
            release=self._release,
            path=environ["PATH_INFO"],
            query=environ.get("QUERY_STRING", ""),
            encoding=encoding_key(environ),
        )

    def __call__(self, environ, start_response):
        seconds = self.app.config["BROWSE_CACHE_SECONDS"]
        if not seconds or not _may_share(environ):
            return self.wsgi_app(environ, start_response)
        store = self.app.extensions["redis"]
        key = self._key(environ)
        try:
            version, found = store.mget(page_cache.VERSION_KEY, key)
        except redis.RedisError:
            log.warning("visitor responses unavailable; answering without them", exc_info=True)
            return self.wsgi_app(environ, start_response)
        version = version or b"0"
        kept = kept_answer(found, version, start_response)
        if kept is not None:
            return kept

        def keep(status, headers, body):
            if environ.get(ENVIRON_KEY) == environ.get("QUERY_STRING", "") and not any(
                name.lower() == "set-cookie" for name, _ in headers
            ):
                store_answer(store, key, version, status, headers, body, seconds)

        return answer_and_keep(self.wsgi_app, environ, start_response, keep)


def kept_answer(found, versions, start_response):
    """The response kept in `found` ("<versions>\n<head JSON>\n<body>", or None), started, if it was
    kept at exactly `versions`; else None."""
    if found is None:
        return None
    found_versions, _, stored = found.partition(b"\n")
    if found_versions != versions:
        return None
    return answer_from(stored, start_response)


def answer_from(stored, start_response):
    """A kept response ("<head JSON>\n<body>"), started."""
    head, _, body = stored.partition(b"\n")
    status, headers = json.loads(head)
    start_response(status, [tuple(header) for header in headers])
    return [body]


def answer_and_keep(wsgi_app, environ, start_response, keep):
    """Flask's answer to this request, passed on as it is; when it is a 200, `keep(status, headers,
    body)` then decides whether to store it (`store_answer`)."""
    answered = {}

    def keep_head(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, headers
        return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

    iterable = wsgi_app(environ, keep_head)
    try:
        body = b"".join(iterable)
    finally:
        if hasattr(iterable, "close"):
            iterable.close()
    if answered.get("status", "").startswith("200 "):
        keep(answered["status"], answered["headers"], body)
    return [body]


def store_answer(store, key, versions, status, headers, body, seconds):
    """Keep a response under `key` at `versions` for `seconds` (read back by `kept_answer`); a
    Redis failure costs only the keeping."""
    head = json.dumps([status, headers]).encode()
    try:
        store.set(key, versions + b"\n" + head + b"\n" + body, ex=seconds)
    except redis.RedisError:
        log.warning("could not keep the response %s", key, exc_info=True)


def install(app):
    """Outermost, so a shared answer costs no other middleware either."""
    app.wsgi_app = VisitorResponses(app, app.wsgi_app)
