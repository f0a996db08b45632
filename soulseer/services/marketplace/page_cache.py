"""The browse page's shared cache, and the "marketplace version" that invalidates it.

`/readers` is read far more often than anything on it changes, so its viewer-independent HTML
(the filter form and the list of cards, or the list alone for HTMX) is kept in Redis, shared by
every web process. An entry's key is made of a digest of the templates (a deploy that changes
them starts afresh), the part and the normalized filters (with the page size and the modes
SoulSeer can run); its value starts with the **marketplace version** it was rendered at: an
integer in Redis (`soulseer:marketplace:version`), INCR'd after every committed change to anything
a list of readers shows or is filtered by. A lookup is one MGET of the version and the entry, a
hit only when the two versions agree.

A change never has to find the entries it makes stale: the next request reads the new version,
misses, renders from the database and stores the entry again; entries also expire
(`BROWSE_CACHE_SECONDS`). The version is bumped **after the commit**, in the same after-commit
queue that publishes the live events (`services/core/after_commit.py`), and before the request that made the
change returns. A page rendered from rows read before the commit is stored with the version read
before it, which is already old, so a page loaded after a change is never stale.

What bumps it is found by the ORM, not by remembering to call something: `init_app` listens to
every session flush and every ORM statement (`do_orm_execute`) and marks the transaction when it
writes
- a reader profile (any column but the ones the lists never show: `IGNORED_PROFILE_COLUMNS`; its
  specialties, a new or deleted profile): status, profile edits, hiding, ratings, rates, photos;
- the specialties list (names on cards, the filter form's choices);
- a user's `status`, `role` or `display_name` (a suspended or deleted reader leaves the list; the
  community's pages name their authors);
- any bulk INSERT/UPDATE/DELETE through the session on those tables.
SQL that bypasses the session (`db.engine`, raw connections) must call `bump()` itself after it
commits.

Nothing viewer-specific is ever stored: cards render from a profile alone (docs/marketplace.md),
the header, flashes and the CSRF token are rendered per request around the cached part. A
visitor's whole page (browse, home) is cached once for all visitors (`soulseer/visitor_responses.py`,
`page_for_visitors`, which decides from the request who is a visitor; nothing here reads it).
"""

import hashlib
import json
import logging
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from soulseer.extensions import get_redis
from soulseer.services.core import after_commit

VERSION_KEY = "soulseer:marketplace:version"
KEY = "soulseer:browse:{release}:{part}:{variant}"  # holds "<version>\n<data>"
# Reader profile columns no list shows or filters by: writing them leaves the cache alone.
# (last_seen_at is written every minute for online readers by the idle job.)
IGNORED_PROFILE_COLUMNS = frozenset(
    {"bio", "tools", "languages", "years_of_practice", "share_override_bp", "readings_count", "last_seen_at"}
    | {"created_at", "updated_at"}
)
# A suspended or deleted reader leaves the list; the community's pages name every author (and mark
# a suspended one), shared by visitors and kept for signed-in clients.
WATCHED_USER_COLUMNS = frozenset({"status", "role", "display_name"})
# Bulk statements (no objects to inspect) on these tables always count as a change.
WATCHED_TABLES = frozenset({"reader_profiles", "reader_profile_specialties", "specialties", "users"})

log = logging.getLogger(__name__)


# --- the version ---------------------------------------------------------------------------


def bump():
    """Everything cached so far is stale. Call after the commit (or use `changed()`)."""
    get_redis().incr(VERSION_KEY)


def changed(session=None):
    """The current transaction changes what the lists show: bump the version once it commits."""
    # First in the after-commit queue, so the version has moved before any tab hears of the change
    # and reloads; once is enough.
    after_commit.run_once(bump, first=True, session=session)


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
    if name in WATCHED_TABLES:
        changed(state.session)


def init_app(app):
    from flask_sqlalchemy.session import Session

    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "do_orm_execute", _do_orm_execute)


# --- the cache -----------------------------------------------------------------------------


def release():
    """SHA-256 of every template and of the settings that shape a page or its headers, computed
    once per application (a deploy or a changed setting restarts the processes): entries made by
    another release or configuration are never read."""
    release = current_app.extensions.get("browse_cache_release")
    if release is None:
        from soulseer import security
        from soulseer.services.readings import agora

        digest = hashlib.sha256()
        for path in sorted((Path(current_app.root_path) / current_app.template_folder).rglob("*.html")):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
        config = current_app.config
        settings = [
            security.content_security_policy(current_app),
            config["ENV_PRODUCTION"],
            config["TEST_PAYMENTS_ENABLED"],
            agora.configured(config),
        ]
        digest.update(json.dumps(settings).encode())
        release = current_app.extensions["browse_cache_release"] = digest.hexdigest()[:12]
    return release


def current_version():
    return int(get_redis().get(VERSION_KEY) or 0)


def _key(part, variant=""):
    return KEY.format(release=release(), part=part, variant=variant)


def _cached(part, variant, render, encode, decode):
    """One round trip (MGET of the version and the entry): the entry is `<version>\n<data>`, a hit
    only when its version is the current one. Rendered from the database otherwise, and stored
    with the version read *before* rendering, so rows read before a change's commit are never
    stored under the version that follows it."""
    seconds = current_app.config["BROWSE_CACHE_SECONDS"]
    if not seconds:
        return render()
    key = _key(part, variant)
    try:
        store = get_redis()
        version, found = store.mget(VERSION_KEY, key)
    except redis.RedisError:
        log.warning("browse cache unavailable; rendering without it", exc_info=True)
        return render()
    version = version or b"0"
    if found is not None:
        found_version, _, data = found.partition(b"\n")
        if found_version == version:
            return decode(data)
    result = render()
    try:
        store.set(key, version + b"\n" + encode(result), ex=seconds)
    except redis.RedisError:
        log.warning("browse cache: could not store %s", key, exc_info=True)
    return result


def value(name, compute):
    """`compute()`'s value (anything JSON can hold) at the current marketplace version, shared like
    the HTML: the specialties for the filter form are read once per version, not once per page."""
    return _cached(name, "", compute, lambda result: json.dumps(result).encode(), json.loads)


def html(part, variant, render):
    """`render()`'s HTML for (`part`, `variant`) at the current marketplace version, from Redis when
    another request already rendered it. Without Redis the page is rendered, not refused."""
    text = _cached(part, variant, lambda: str(render()), str.encode, bytes.decode)
    return Markup(text)  # noqa: S704 (our templates' output, escaped when it was rendered)
