"""The signed-in layout's own parts, rendered once per header version and kept (issue #20).

Every signed-in page that goes through Flask renders the same layout around its content: the site
header (the navigation for her role with the unread messages, the balance, the bell, the account
menu with its sign-out form) and the footer with the bottom bar. Rendering them was the largest
share of the signed-in floor (docs/benchmarks.md, "#20 Build 1: the signed-in floor"), and what
they show changes only when her **header version** or the global one moves
(services/core/header_versions.py: before and after every commit that changes anything her layout
shows). So each part is kept in Redis, as Flask rendered it for her, under

    her user, her session (its user, epoch and CSRF token: the account menu carries that token),
    the release, the endpoint and its arguments (the navigation marks the page it is on), and the
    page's template (a page may override a block inside a part),

with the two versions read **before** the user loader's statement read what the part shows. A
page reuses a part while both versions are those it was kept under; a part rendered from figures
the request read after a write of its own (a flush, a commit or a rollback drops them:
signed_in.py) is neither taken nor kept. GET and HEAD only, full pages only (not an HTMX request
for a fragment). Anything else — a visitor, a POST, Redis unreachable — renders the parts as
before. One Redis key per session and page, living `BROWSE_CACHE_SECONDS` (what a change made
without the session's listeners can miss is bounded by it, as for the kept responses).

The templates mark the parts with `{% call kept_part("name") %}…{% endcall %}` (base.html).
"""

import json
import logging
from dataclasses import dataclass, field

import redis
from flask import current_app, g, request, session
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from soulseer.extensions import db, get_redis
from soulseer.services.core import header_versions
from soulseer.services.marketplace import page_cache
from soulseer.signed_in_responses import session_digest

KEY = "soulseer:signed-in:{release}:{user}:{session}:layout:{root}{endpoint}:{arguments}"
G_KEY = "kept_header"

log = logging.getLogger(__name__)


@dataclass
class Kept:
    """This request's parts: those found under the versions read before the statement, those rendered."""

    key: str
    versions: bytes
    found: dict
    header: object = None  # the user loader's (user id, Header) entry the parts are rendered from
    rendered: dict = field(default_factory=dict)


def look_up(user_id, session_field):
    """In the user loader, before its statement: read the versions and this page's kept parts (one
    MGET). None when the request may not use them."""
    fragment = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    if request.method not in ("GET", "HEAD") or fragment:
        return None
    seconds = current_app.config["BROWSE_CACHE_SECONDS"]
    token = session.get("csrf_token")
    if not seconds or not isinstance(token, str):
        return None
    key = KEY.format(
        release=page_cache.release(),
        user=user_id,
        session=session_digest(session_field, token),
        root=request.script_root,
        endpoint=request.endpoint,
        arguments=json.dumps(request.view_args or {}, sort_keys=True, default=str),
    )
    try:
        found = get_redis().mget(header_versions.GLOBAL_KEY, header_versions.user_key(user_id), key)
    except redis.RedisError:
        log.warning("kept header parts unavailable; rendering them", exc_info=True)
        return None
    versions = b"|".join(version or b"0" for version in found[:2])
    parts = {}
    if found[2] is not None:
        kept_versions, _, stored = found[2].partition(b"\n")
        if kept_versions == versions:
            parts = json.loads(stored)
    return Kept(key=key, versions=versions, found=parts)


def arm(kept, header_entry):
    """The user loader read what the parts show (`header_entry`, in the session's info) after the
    versions: this request may take and keep parts while that entry stands."""
    kept.header = header_entry
    setattr(g, G_KEY, kept)


def _usable():
    from soulseer.signed_in import KEY as HEADER_KEY

    kept = g.get(G_KEY)
    if kept is None or kept.header is None:
        return None
    if db.session().info.get(HEADER_KEY) is not kept.header or current_user.get_id() is None:
        return None  # the request wrote (its figures were dropped), or she is no longer signed in
    if current_user.id != kept.header[0]:
        return None
    return kept


@pass_context
def kept_part(context, name, caller):
    """`{% call kept_part("header") %}…{% endcall %}`: the part as kept for this person and page, else
    rendered (and kept when it may be)."""
    kept = _usable()
    if kept is None:
        return caller()
    slot = f"{context.name}#{name}"
    found = kept.found.get(slot)
    if found is not None:
        return Markup(found)  # noqa: S704 (HTML this application rendered for her, kept as it was)
    html = caller()
    kept.rendered[slot] = str(html)
    return html


def _keep(response):
    """Kept for pages that exist (a 200): an address that is not a page never adds an entry."""
    kept = g.get(G_KEY)
    if kept is not None and kept.rendered and response.status_code == 200:
        try:
            get_redis().set(
                kept.key,
                kept.versions + b"\n" + json.dumps({**kept.found, **kept.rendered}).encode(),
                ex=current_app.config["BROWSE_CACHE_SECONDS"],
            )
        except redis.RedisError:
            log.warning("kept header parts: could not store %s", kept.key, exc_info=True)
    return response


def init_app(app):
    app.jinja_env.globals["kept_part"] = kept_part
    app.after_request(_keep)
