"""The room's heartbeats that change nothing, answered before Flask (issue #20).

Each open room posts a heartbeat every 10 s; 10,000 readings are 2,000 a second. Most of them
change nothing but the time this side was last heard (kept in Redis: services/readings/presence.py)
and carry the version of the panel the page shows, still the current one: the answer is a 204 with
nothing in it but the meter's limit (`X-Limit-Ms`: the page's clock runs up to it; reserving the
next minute moves it on without changing the panel, room.panel_version). Through Flask such a
request cost about four times its own work (the session, Flask-Login's loader reading the user and
the whole header, the consent check, the hooks, the commit machinery; docs/benchmarks.md,
"Heartbeats at scale"). This WSGI layer answers those 204s itself, after the same checks, and hands
every other request to Flask untouched.

Taken here only when all of these hold, else Flask answers as it always did:
- `POST /readings/<id>/heartbeat` with no body, an `X-Panel-Version` header and a cookie;
- the session (Flask's own signed cookie, younger than the session's lifetime: session_cookies.py)
  names a user and the epoch they signed in under, and the CSRF token checks out (Flask-WTF's
  `protect`, as Flask would run it; a request whose token, session token, scheme, host and
  referrer all equal one that passed passes again without it, since the token never expires:
  WTF_CSRF_TIME_LIMIT is None);
- the reading of which the user is a participant, the user still active under the same epoch and
  owing no consent (`accounts.consent_missing`), and `room.heard` — the one rule, which the Flask
  view also follows — says the heartbeat was recorded and the page's panel is current.

Those facts are read in **one statement**, on the quick layers' own connections (autocommit, no
pre-ping: extensions.get_quick_engine):
the reading, the user's epoch, status and consent figures, the client's balance. The row is then
kept in this process with the **header versions** read just before it (the global one, the
user's, the reading's client's: services/core/header_versions.py), which every commit that could
change it moves — the reading's row (its client's version; the billing tick's minutes included),
a posting to the client's wallet (the client's), the user's status, epoch or consent (the user's),
a new Terms version (the global one). The next heartbeat of that user in that reading, while the
session's epoch is the kept one and the row is less than ROW_KEPT_SECONDS old, needs no
statement: one Redis script checks the three versions and, only if none moved, records the
presence (and a reader's activity) — one round trip. Any moved version, and everything but an
unchanged panel on the database path, drops the kept row. ROW_KEPT_SECONDS bounds what a version
bump that never happened (SQL outside the session that does not bump; a process that died between
its commit and its bump) could leave unnoticed here.

A stranger's reading, a forged or missing token, an ended session, a suspended user, consent owed,
a heartbeat that starts or resumes the meter, a changed panel: all go to Flask and get its answer
(404, 400, the sign-in or consent redirect, the locked row, the panel). So does everything when
PostgreSQL or Redis cannot be reached.

What a quick 204 leaves out, on purpose: the session cookie is not signed again (the room's other
requests, its page and its messages, refresh it; a session lasts PERMANENT_SESSION_LIFETIME), and
Flask-Login's "basic" session protection (which only marks a session from another address as not
fresh, never refuses it) waits for the next request through Flask. A reader's heartbeat counts as
her activity, as any request of hers does (blueprints/events: `note_reader_activity`).
"""

import logging
import re
from datetime import timedelta
from typing import NamedTuple

import redis
import sqlalchemy as sa
from flask_wtf.csrf import CSRFError

from soulseer import clock, security, session_cookies
from soulseer.extensions import csrf, get_quick_engine, get_redis
from soulseer.ledger import reads
from soulseer.models import User
from soulseer.models.reading import Reading
from soulseer.models.user import Role, UserStatus
from soulseer.services import accounts
from soulseer.services.core import events, header_versions
from soulseer.services.readings import metering, presence, room
from soulseer.views import ID_MAX

PATH = re.compile(r"/readings/(\d{1,10})/heartbeat")
SESSION_USER = "_user_id"  # Flask-Login's key: "<user id>:<session epoch>" (User.get_id)
ROW_KEPT_SECONDS = 60
KEPT_MAX = 40_000  # rows, readings' clients, passed CSRF checks: a bound, not a policy
# KEYS: the global, the user's and the client's header versions, the reading's presence hash
# [, the reader's activity]. ARGV: the three versions as read with the row ('0': none yet), the
# side, the time heard, the presence's lifetime [, the activity's time and lifetime].
RECORD_IF_UNCHANGED = """
for i = 1, 3 do
  if (redis.call('GET', KEYS[i]) or '0') ~= ARGV[i] then return 0 end
end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
redis.call('EXPIRE', KEYS[4], ARGV[6])
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[7], 'EX', ARGV[8]) end
return 1
"""

log = logging.getLogger(__name__)

_statement = None


def statement():
    """Built once per process, with the reading and the user as parameters."""
    global _statement  # noqa: PLW0603 (a per-process cache of a built statement, as signed_in.py keeps)
    if _statement is None:
        reading_id = sa.bindparam("reading_id", type_=sa.Integer)
        user_id = sa.bindparam("user_id", type_=sa.Integer)
        terms, agreement, accepted = accounts.consent_clauses(user_id)
        _statement = (
            sa.select(
                *(getattr(Reading, name) for name in room.HEARD_COLUMNS),
                User.session_epoch,
                User.status,
                User.adult_confirmed_at,
                User.terms_version,
                (User.role == Role.READER).label("is_reader"),
                terms.label("terms"),
                agreement.label("agreement"),
                accepted.label("accepted"),
                reads.wallet_balance_clause(Reading.client_id).label("client_balance"),
            )
            .join(User, User.id == user_id)
            .where(Reading.id == reading_id, sa.or_(Reading.client_id == user_id, Reading.reader_id == user_id))
        )
    return _statement


def _may_be_quick(environ):
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and environ.get("HTTP_X_PANEL_VERSION")
        and environ.get("HTTP_COOKIE")
        and environ.get("CONTENT_LENGTH", "0") in ("", "0")
        and not environ.get("HTTP_TRANSFER_ENCODING")  # a chunked body has no length
        and PATH.fullmatch(environ.get("PATH_INFO", ""))
    )


class Heartbeat(NamedTuple):
    reading_id: int
    user_id: int
    epoch: str
    page_version: str


class KeptRow(NamedTuple):
    epoch: str
    row: sa.Row
    versions: tuple  # the global, the user's and the client's header versions read before the row
    read_at: object  # datetime


def _bounded_put(mapping, key, value):
    if len(mapping) >= KEPT_MAX:
        mapping.clear()
    mapping[key] = value


class QuickHeartbeats:
    """WSGI middleware around the application's wsgi_app (installed by `install`)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._headers = None
        self._script = None
        self.forget()

    def forget(self):
        """What this process remembers, gone (as in a new process). The tests' database starts its
        ids again after each test; production never gives an id twice."""
        self._rows = {}  # (reading id, user id) -> KeptRow
        self._clients = {}  # reading id -> its client's id (a reading's participants never change)
        self._passed = {}  # what a CSRF check that passed depended on -> True

    def __call__(self, environ, start_response):
        if _may_be_quick(environ):
            with self.app.app_context():
                try:
                    limit_ms = self._recorded(environ)
                except (redis.RedisError, sa.exc.DBAPIError, sa.exc.TimeoutError):
                    log.warning("quick heartbeat unavailable; answering through Flask", exc_info=True)
                    limit_ms = None
            if limit_ms is not None:
                start_response("204 NO CONTENT", [*self._no_content_headers(), ("X-Limit-Ms", str(limit_ms))])
                return []
        return self.wsgi_app(environ, start_response)

    def _recorded(self, environ):
        """The meter's limit when this heartbeat was recorded and the page's panel is current, else
        None (Flask answers)."""
        heartbeat = self._heartbeat(environ)
        if heartbeat is None:
            return None
        at = clock.now()
        key = (heartbeat.reading_id, heartbeat.user_id)
        kept = self._rows.pop(key, None)
        if kept is not None and kept.epoch == heartbeat.epoch and self._recorded_on_kept(kept, heartbeat, at):
            self._rows[key] = kept
            return metering.limit_ms(kept.row)
        return self._recorded_through_database(heartbeat, at)

    def _heartbeat(self, environ):
        """Who sends it, from a valid session whose CSRF token checks out, else None."""
        found = session_cookies.of(self.app).read(environ)
        if found is None:
            return None
        data = found[0]
        reading_id = int(PATH.fullmatch(environ["PATH_INFO"]).group(1))
        user_id, _, epoch = str(data.get(SESSION_USER, "")).partition(":")
        if not user_id.isdigit() or not 1 <= reading_id <= ID_MAX or not 1 <= int(user_id) <= ID_MAX:
            return None
        if not self._csrf_passes(environ, data):
            return None
        return Heartbeat(reading_id, int(user_id), epoch, environ["HTTP_X_PANEL_VERSION"])

    def _csrf_passes(self, environ, data):
        config = self.app.config
        depends_on = (
            data.get("csrf_token"),
            *(environ.get("HTTP_" + name.upper().replace("-", "_")) for name in config["WTF_CSRF_HEADERS"]),
            *(environ.get(name) for name in ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")),
            environ.get("HTTP_REFERER"),
        )
        if depends_on in self._passed:
            return True
        with self.app.request_context(environ):
            try:
                csrf.protect()
            except CSRFError:
                return False
        if config["WTF_CSRF_TIME_LIMIT"] is None:
            _bounded_put(self._passed, depends_on, True)
        return True

    def _recorded_on_kept(self, kept, heartbeat, at):
        """The kept row still holds (no version moved, not too old) and says this heartbeat changes
        nothing: recorded, in one round trip."""
        row = kept.row
        if not timedelta(0) <= at - kept.read_at < timedelta(seconds=ROW_KEPT_SECONDS):
            return False
        side = metering.quiet_side(row, heartbeat.user_id)
        if side is None or not room.page_is_current(row, heartbeat.page_version, lambda _: row.client_balance, at):
            return False
        keys = [*self._version_keys(heartbeat.user_id, row.client_id), presence.KEY.format(reading_id=row.id)]
        args = [*kept.versions, side, presence.stored_time(at), presence.KEEP_SECONDS]
        if row.is_reader:
            keys.append(events.PRESENCE_KEY.format(user_id=heartbeat.user_id))
            args += [at.timestamp(), events.PRESENCE_TTL_SECONDS]
        if self._script is None:
            self._script = get_redis().register_script(RECORD_IF_UNCHANGED)
        return self._script(keys, args, client=get_redis()) == 1

    def _recorded_through_database(self, heartbeat, at):
        # The versions are read before the row, so that a change committed after moves them. The
        # reading's client is not known before its first heartbeat here: then the user is taken
        # for the client, and the row is kept only if she is.
        client_id = self._clients.get(heartbeat.reading_id, heartbeat.user_id)
        versions = tuple(
            (value or b"0").decode() for value in get_redis().mget(self._version_keys(heartbeat.user_id, client_id))
        )
        with get_quick_engine().connect() as connection:
            row = connection.execute(
                statement(), {"reading_id": heartbeat.reading_id, "user_id": heartbeat.user_id}
            ).one_or_none()
        if row is None or row.status != UserStatus.ACTIVE or str(row.session_epoch) != heartbeat.epoch:
            return None
        if accounts.consent_missing(row, row.terms, row.agreement, row.accepted):
            return None
        heard = room.heard(row, heartbeat.user_id, heartbeat.page_version, lambda _: row.client_balance, at)
        if heard != room.HEARD_UNCHANGED:
            return None
        if row.is_reader:
            events.record_presence(get_redis(), heartbeat.user_id)
        _bounded_put(self._clients, heartbeat.reading_id, row.client_id)
        if client_id == row.client_id:
            _bounded_put(
                self._rows, (heartbeat.reading_id, heartbeat.user_id), KeptRow(heartbeat.epoch, row, versions, at)
            )
        return metering.limit_ms(row)

    @staticmethod
    def _version_keys(user_id, client_id):
        return [header_versions.GLOBAL_KEY, header_versions.user_key(user_id), header_versions.user_key(client_id)]

    def _no_content_headers(self):
        if self._headers is None:
            self._headers = [
                ("Cache-Control", "no-store"),
                ("Vary", "Cookie"),
                *security.headers(self.app),
            ]
        return self._headers


def install(app):
    """Inside ProxyFix (the CSRF check's secure-origin test needs the forwarded scheme and host),
    inside the visitor responses (a POST never is one)."""
    app.wsgi_app = app.extensions["quick_heartbeats"] = QuickHeartbeats(app, app.wsgi_app)
