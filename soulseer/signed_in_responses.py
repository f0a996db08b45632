"""A signed-in client's own pages of the shared kind, kept whole and answered before Flask (issues
#20, #15, #18).

The browse page and the home page are the same for everyone but for the layout around them: a
visitor's whole response is shared before Flask (visitor_responses.py), while a signed-in client's
went through all of Flask on every request — the session, the user loader's statement, the consent
check, the layout rendered with her header, the hooks — about fifteen times a visitor's cost
(docs/benchmarks.md, "Signed-in pages"). Yet her page changes only when the shared part changes
(the marketplace version) or when something of her own layout does: her name, role, consent or
session, the wallet's balance, the bell, the unread messages — each of which moves her **header
version** after its commit (services/core/header_versions.py). So her finished response, exactly as
Flask rendered it for her, is kept in Redis under her session and the three versions read *before*
Flask rendered it, and given to her again from this WSGI layer while all three are unchanged: one
Redis round trip, as for a visitor.

The same holds for the shop's catalogue and the community's pages (issues #15 and #18): the list
or the thread is the visitors' (every change to it bumps the marketplace version: products, posts,
edits, deletions, flags that hide or close, moderators' hide, lock, pin and move, authors' names
and status), and what a thread page shows *her* beyond a visitor's page depends on her (her role,
her id: her header version) and on rows the marketplace version already follows (her own hidden
post's text, her Edit and Delete links, the reply form or why the thread takes none) — with one
exception, time: her Edit link goes 24 hours after she wrote the post. So a view may say until
when its page is hers as it is (`mark_shareable(until=...)`); the entry then lives no longer and
is not answered past that moment (`clock.now()`, the clock the page was rendered by).

A page may also depend on something neither version follows: the booking page (issue #16) shows a
reader's free times, which move with her bookings and hours. Its view names one more version
(`mark_shareable(also=(key, value))`, the value read before the page read its rows): the entry
records it, and a lookup that finds such an entry reads that key too (a second round trip, for
those pages only) and answers only while it still holds the value.

Her bookings list (issue #20) shows her bookings (each change moves her version), the readers'
names on their profiles (the marketplace version) and her calendar feed (its row moves her version
too); it is kept until its first upcoming booking ends and leaves the list.

Her notifications page (issue #20) shows her notifications and the layout: every notification of
hers written, read or deleted moves her header version, and each one's time is written out (not
"5 minutes ago"). Its view marks it with no other version, for its own "Older" query only.

A client's wallet page (issue #20) shows nothing but her own: her balance, whether her wallet is
frozen, the lines of her history (each posting that moves her wallet moves her header version, and
so does a freeze and its lifting) and the layout. Its view marks it with no other version. Her
dashboard adds her readings, bookings, reviews and favourites (each change moves her header
version) and her favourites' status (the marketplace version), and changes with time: its view
marks it until the first upcoming booking ends or a review still open to her closes.

Kept and answered only when all of these hold, so nobody ever gets anything but their own page, as
fresh as Flask would make it:
- a GET of a path in SIGNED_IN_PATHS or under SIGNED_IN_PREFIXES, not from HTMX, with a Cookie
  header;
- the session cookie is Flask's own, its signature valid, signed less than REFRESH_SECONDS ago
  (older ones go to Flask, which signs them again: the rolling session lifetime is kept), holding
  only the keys of a plain signed-in session (user and epoch, freshness, Flask-Login's
  identifier, the CSRF token) — a flash message or anything else goes to Flask — and Flask-Login's
  identifier (address and User-Agent) is this request's, as its session protection demands;
- the view marked the response as this person's page of the shared kind (`mark_shareable`:
  `page_for_visitors` for a signed-in client; readers and admins, whose header shows more than the
  versions cover, are always rendered), with the request's canonical query;
- the view's `until`, if any, is more than a second away;
- the answer is a 200; its Set-Cookie (the session signed again) goes out to this request and is
  not kept.
The key holds the release digest, the user, a digest of the session (its user, epoch and CSRF
token: the page carries that token), the path, the query and the Accept-Encoding header. The CSRF
token stays valid as long as the session (WTF_CSRF_TIME_LIMIT is None). Everything else, and
everything when Redis cannot be reached, goes to Flask untouched.
"""

import hashlib
import logging
from hashlib import sha512

import redis

from soulseer import clock, session_cookies
from soulseer.services.core import header_versions
from soulseer.services.marketplace import page_cache
from soulseer.visitor_responses import (
    MAX_ACCEPT_ENCODING_LENGTH,
    MAX_QUERY_LENGTH,
    answer_and_keep,
    answer_from,
    encoding_key,
    store_answer,
)

SIGNED_IN_PATHS = frozenset(
    {"/", "/readers", "/shop", "/community", "/wallet", "/dashboard", "/notifications", "/bookings"}
)
# The community's category and thread pages (their views decide what is marked; see the docstring).
SIGNED_IN_PREFIXES = ("/community/",)
# A reader's booking page, /readers/<slug>/book (its view marks only the list of times).
BOOKING_PAGE = ("/readers/", "/book")
REFRESH_SECONDS = 3600
ENVIRON_KEY = "soulseer.signed_in_shareable"
# The keys a plain signed-in session holds (Flask-Login's, Flask-WTF's, and when she signed in:
# blueprints/auth/views.py, read only by the pages that ask for a recent sign-in); any other
# (a flash message, a remember-me instruction, a step in a flow) goes to Flask.
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "csrf_token", "_permanent", "signed_in_at"})
# Holds "<marketplace version>|<global header version>|<her header version>[|<also key>=<its value>]
# \n<kept until>\n<head JSON>\n<body>",
# <kept until> the Unix time after which the page is no longer hers as it was (her post's edit
# window closes: `mark_shareable(until=...)`), or empty.
KEY = "soulseer:signed-in:2:{release}:{user}:{session}:response:{path}?{query}#{encoding}"

log = logging.getLogger(__name__)


def mark_shareable(environ, canonical_query, user, until=None, also=None):
    """This response is `user`'s page of the shared kind: it may be given to her again, from her
    session, while the marketplace version and her header versions stay as they were, and (when
    `until`, an aware datetime, is given) until that moment only: something it shows for her
    changes with time then (the Edit of her own post). `also`: (Redis key, value as bytes) of one
    more version the page depends on, read before the page read its rows. Clients only: their
    header is what the header versions cover."""
    if user.is_client:
        environ[ENVIRON_KEY] = (canonical_query, user.id, until, also)


def keep_her_page(query_names=frozenset(), until=None, also=None):
    """From a view: its answer, a client's page of her own, may be given to her again before Flask
    (`mark_shareable`, with `until` and `also`), for the queries of the page's own links only:
    every argument one of `query_names`, each given once (none: the page without a query)."""
    from flask import request
    from flask_login import current_user

    args = request.args
    if set(args) <= query_names and all(len(args.getlist(name)) == 1 for name in args):
        mark_shareable(request.environ, request.environ.get("QUERY_STRING", ""), current_user, until, also)


def _may_keep(environ):
    path = environ.get("PATH_INFO", "")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and (
            path in SIGNED_IN_PATHS
            or path.startswith(SIGNED_IN_PREFIXES)
            or (path.startswith(BOOKING_PAGE[0]) and path.endswith(BOOKING_PAGE[1]))
        )
        and environ.get("HTTP_COOKIE")
        and not environ.get("HTTP_HX_REQUEST")
        and len(environ.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and len(environ.get("HTTP_ACCEPT_ENCODING", "")) <= MAX_ACCEPT_ENCODING_LENGTH
    )


def session_identifier(environ):
    """Flask-Login's session identifier (flask_login.utils._create_identifier) from the WSGI
    environ: its address (X-Forwarded-For's first, else the remote address) and User-Agent, each
    as Flask-Login formats them (tests/test_signed_in_responses.py compares the two)."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return sha512(f"{address}|{agent}".encode()).hexdigest()


def session_digest(user_field, token):
    """A session's part of a kept entry's key: its user and epoch (Flask-Login's `_user_id`) and its
    CSRF token, which the kept HTML carries (also soulseer/kept_header.py)."""
    return hashlib.sha256(f"{user_field}|{token}".encode()).hexdigest()[:32]


def plain_session(app, environ):
    """(user id, session digest) of a plain, recent, valid signed-in session, else None (the rules
    of the docstring's second point; the quick room reads sessions by them too)."""
    found = session_cookies.of(app).read(environ)
    if found is None:
        return None
    data, signed_at = found
    if (clock.now() - signed_at).total_seconds() >= REFRESH_SECONDS or not data.keys() <= PLAIN_SESSION_KEYS:
        return None
    user, token = data.get("_user_id"), data.get("csrf_token")
    if not isinstance(user, str) or not isinstance(token, str):
        return None
    user_id, _, epoch = user.partition(":")
    if not user_id.isdigit() or not epoch:
        return None
    protection = app.config.get("SESSION_PROTECTION", app.login_manager.session_protection)
    if protection in ("basic", "strong") and data.get("_id") != session_identifier(environ):
        return None
    return int(user_id), session_digest(user, token)


class SignedInResponses:
    """WSGI middleware around the application's wsgi_app (installed by `install`)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._release = None

    def _key(self, environ, user_id, digest):
        if self._release is None:
            with self.app.app_context():
                self._release = page_cache.release()
        return KEY.format(
            release=self._release,
            user=user_id,
            session=digest,
            path=environ["PATH_INFO"],
            query=environ.get("QUERY_STRING", ""),
            encoding=encoding_key(environ),
        )

    def __call__(self, environ, start_response):
        seconds = self.app.config["BROWSE_CACHE_SECONDS"]
        if not seconds or not _may_keep(environ):
            return self.wsgi_app(environ, start_response)
        person = plain_session(self.app, environ)
        if person is None:
            return self.wsgi_app(environ, start_response)
        user_id, digest = person
        store = self.app.extensions["redis"]
        key = self._key(environ, user_id, digest)
        try:
            found = store.mget(
                page_cache.VERSION_KEY, header_versions.GLOBAL_KEY, header_versions.user_key(user_id), key
            )
        except redis.RedisError:
            log.warning("signed-in responses unavailable; answering without them", exc_info=True)
            return self.wsgi_app(environ, start_response)
        versions = b"|".join(version or b"0" for version in found[:3])
        try:
            kept = _kept_answer(found[3], versions, start_response, store)
        except redis.RedisError:
            log.warning("signed-in responses unavailable; answering without them", exc_info=True)
            return self.wsgi_app(environ, start_response)
        if kept is not None:
            return kept

        def keep(status, headers, body):
            mark = environ.get(ENVIRON_KEY)
            if mark is None or mark[:2] != (environ.get("QUERY_STRING", ""), user_id):
                return
            until, lifetime, also = b"", seconds, mark[3]
            if also is not None:
                also_key, also_value = also
                if also_value is None or not isinstance(also_key, str) or "=" in also_key or "\n" in also_key:
                    return
            if mark[2] is not None:
                until_seconds = int(mark[2].timestamp())  # down to the second: never kept past it
                lifetime = min(seconds, until_seconds - int(clock.now().timestamp()))
                until = str(until_seconds).encode()
            if lifetime > 0:
                # The session signed again goes out to this request only.
                headers = [(name, value) for name, value in headers if name.lower() != "set-cookie"]
                kept_at = versions if also is None else versions + b"|" + also_key.encode() + b"=" + also_value
                store_answer(store, key, kept_at + b"\n" + until, status, headers, body, lifetime)

        return answer_and_keep(self.wsgi_app, environ, start_response, keep)


def _kept_answer(found, versions, start_response, store):
    """Her kept page ("<versions>\n<kept until>\n<head JSON>\n<body>", or None), started, if it was
    kept at exactly `versions` (and the `also` version it names, if any, still holds its value) and
    its `until` (if any) has not come; else None."""
    if found is None:
        return None
    found_versions, _, stored = found.partition(b"\n")
    until, _, stored = stored.partition(b"\n")
    if until and clock.now().timestamp() >= int(until):
        return None
    if found_versions != versions:
        if not found_versions.startswith(versions + b"|"):
            return None
        also_key, _, also_value = found_versions[len(versions) + 1 :].partition(b"=")
        if (store.get(also_key.decode()) or b"0") != also_value:
            return None
    return answer_from(stored, start_response)


def install(app):
    """Inside ProxyFix (Flask-Login's identifier needs the forwarded address), inside the visitor
    responses (a request with a cookie never is one of theirs)."""
    app.wsgi_app = SignedInResponses(app, app.wsgi_app)
