"""The browse page's shared cache, and the "marketplace version" that invalidates it.

`/readers` is read far more often than anything on it changes, so its viewer-independent HTML
(the filter form and the list of cards, or the list alone for HTMX) is kept in Redis, shared by
every web process, under a key made of:

- the **marketplace version**: an integer in Redis (`soulseer:marketplace:version`), INCR'd after
  every committed change to anything a list of readers shows or is filtered by;
- a digest of the templates (a deploy that changes them starts with an empty cache);
- the normalized filters, the page size and the modes SoulSeer can run (configuration).

A change never has to find the entries it makes stale: the next request reads the new version,
misses, renders from the database and stores under the new key; old entries expire
(`BROWSE_CACHE_SECONDS`). The version is bumped **after the commit**, in the same after-commit
hook that publishes the live events (`events.after_commit`), and before the request that made the
change returns. A page rendered from rows read before the commit can only be stored under the old
version, which nobody reads any more, so a page loaded after a change is never stale.

What bumps it is found by the ORM, not by remembering to call something: `init_app` listens to
every session flush and every ORM statement (`do_orm_execute`) and marks the transaction when it
writes
- a reader profile (any column but the ones the lists never show: `IGNORED_PROFILE_COLUMNS`; its
  specialties, a new or deleted profile): status, profile edits, hiding, ratings, rates, photos;
- the specialties list (names on cards, the filter form's choices);
- a user's `status` or `role` (a suspended or deleted reader leaves the list);
- any bulk INSERT/UPDATE/DELETE through the session on those tables.
SQL that bypasses the session (`db.engine`, raw connections) must call `bump()` itself after it
commits.

Nothing viewer-specific is ever stored: cards render from a profile alone (docs/marketplace.md),
the header, flashes and the CSRF token are rendered per request around the cached part. The
anonymous full page is cached with a slot in place of the CSRF token, filled per request.
"""

import functools
import hashlib
import hmac
import json
import logging
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from soulseer.extensions import get_redis

VERSION_KEY = "soulseer:marketplace:version"
KEY = "soulseer:browse:{release}:{version}:{part}:{variant}"
# Reader profile columns no list shows or filters by: writing them leaves the cache alone.
# (last_seen_at is written every minute for online readers by the idle job.)
IGNORED_PROFILE_COLUMNS = frozenset(
    {"bio", "tools", "languages", "years_of_practice", "share_override_bp", "readings_count", "last_seen_at"}
) | {"created_at", "updated_at"}
WATCHED_USER_COLUMNS = frozenset({"status", "role"})
WATCHED_TABLES = frozenset({"reader_profiles", "reader_profile_specialties", "specialties"})

log = logging.getLogger(__name__)


# --- the version ---------------------------------------------------------------------------


def bump():
    """Everything cached so far is stale. Call after the commit (or use `changed()`)."""
    get_redis().incr(VERSION_KEY)


def changed(session=None):
    """The current transaction changes what the lists show: bump the version once it commits."""
    from soulseer.extensions import db

    session = session if session is not None else db.session
    # The list events.after_commit keeps (run after COMMIT, dropped on ROLLBACK). First in it, so
    # the version has moved before any tab hears of the change and reloads; once is enough.
    pending = session.info.setdefault("events_after_commit", [])
    if not any(func is bump for func, _ in pending):
        pending.insert(0, (bump, ()))


def _profile_changed(profile):
    state = sa.inspect(profile)
    for attr in state.mapper.attrs:
        if attr.key in IGNORED_PROFILE_COLUMNS:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def _user_changed(user):
    state = sa.inspect(user)
    return any(state.attrs[key].history.has_changes() for key in WATCHED_USER_COLUMNS)


def _flush_changes_lists(session):
    from soulseer.models import ReaderProfile, Specialty, User

    for obj in session.new:
        if isinstance(obj, ReaderProfile | Specialty):
            return True
    for obj in session.deleted:
        if isinstance(obj, ReaderProfile | Specialty) or (isinstance(obj, User) and obj.role == "reader"):
            return True
    for obj in session.dirty:
        if isinstance(obj, Specialty) and session.is_modified(obj):
            return True
        if isinstance(obj, ReaderProfile) and _profile_changed(obj):
            return True
        if isinstance(obj, User) and _user_changed(obj):
            return True
    return False


def _before_flush(session, flush_context, instances):
    if _flush_changes_lists(session):
        changed(session)


def _do_orm_execute(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in WATCHED_TABLES or name == "users":
        changed(state.session)


def init_app(app):
    from flask_sqlalchemy.session import Session

    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "do_orm_execute", _do_orm_execute)


# --- the cache -----------------------------------------------------------------------------


@functools.cache
def _templates_digest(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*.html")):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def current_version():
    return int(get_redis().get(VERSION_KEY) or 0)


def _key(part, variant=""):
    release = _templates_digest(Path(current_app.root_path) / current_app.template_folder)
    return KEY.format(release=release, version=current_version(), part=part, variant=variant)


def value(name, compute):
    """`compute()`'s value (anything JSON can hold) at the current marketplace version, shared like
    the HTML: the specialties for the filter form are read once per version, not once per page."""
    seconds = current_app.config["BROWSE_CACHE_SECONDS"]
    if not seconds:
        return compute()
    try:
        store, key = get_redis(), _key(name)
        found = store.get(key)
    except redis.RedisError:
        return compute()
    if found is not None:
        return json.loads(found)
    result = compute()
    try:
        store.set(key, json.dumps(result), ex=seconds)
    except redis.RedisError:
        log.warning("browse cache: could not store %s", key, exc_info=True)
    return result


def csrf_slot():
    """What stands in for the CSRF token in a cached page: derived from SECRET_KEY, so it is the
    same in every process and nobody can plant it in a profile to have it replaced."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"soulseer browse csrf slot", hashlib.sha256).hexdigest()


def html(part, variant, render):
    """`render()`'s HTML for (`part`, `variant`) at the current marketplace version, from Redis when
    another request already rendered it. Without Redis the page is rendered, not refused."""
    text = _cached_text(part, variant, render)
    return Markup(text)  # noqa: S704 (our templates' output, escaped when it was rendered)


def _cached_text(part, variant, render):
    seconds = current_app.config["BROWSE_CACHE_SECONDS"]
    if not seconds:
        return str(render())
    try:
        store, key = get_redis(), _key(part, variant)
        found = store.get(key)
    except redis.RedisError:
        log.warning("browse cache unavailable; rendering without it", exc_info=True)
        return str(render())
    if found is not None:
        return found.decode()
    text = str(render())
    try:
        store.set(key, text.encode(), ex=seconds)
    except redis.RedisError:
        log.warning("browse cache: could not store %s", key, exc_info=True)
    return text
