"""The room's heartbeats that change nothing, answered before Flask (issue #20).

Each open room posts a heartbeat every 10 s; 10,000 readings are 2,000 a second. Most of them
change nothing but the time this side was last heard (kept in Redis: services/readings/presence.py)
and carry the version of the panel the page shows, still the current one: the answer is a 204 with
nothing in it. Through Flask such a request cost about four times its own work (the session,
Flask-Login's loader reading the user and the whole header, the consent check, the hooks, the
commit machinery; docs/benchmarks.md, "Heartbeats at scale"). This WSGI layer answers those 204s
itself, after the same checks, and hands every other request to Flask untouched.

Taken here only when all of these hold, else Flask answers as it always did:
- `POST /readings/<id>/heartbeat` with no body, an `X-Panel-Version` header and a cookie;
- the session (Flask's own signed cookie, read by Flask's session interface) names a user and
  the epoch they signed in under, and the CSRF token checks out (Flask-WTF's `protect`, as Flask
  would run it);
- one statement, on a connection in autocommit (no BEGIN, no ROLLBACK): the reading of which the
  user is a participant, the user's epoch, status and consent figures, the client's balance. The
  user is still active under the same epoch and owes no consent (`accounts.consent_missing`);
- `room.heard` — the one rule, which the Flask view also follows — says the heartbeat was recorded
  and the page's panel is current.
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

import redis
import sqlalchemy as sa
from flask import session
from flask_wtf.csrf import CSRFError

from soulseer import clock, security
from soulseer.extensions import csrf, db, get_redis
from soulseer.ledger import reads
from soulseer.models import User
from soulseer.models.reading import Reading
from soulseer.models.user import Role, UserStatus
from soulseer.services import accounts
from soulseer.services.core import events
from soulseer.services.readings import room
from soulseer.views import ID_MAX

PATH = re.compile(r"/readings/(\d{1,10})/heartbeat")
SESSION_USER = "_user_id"  # Flask-Login's key: "<user id>:<session epoch>" (User.get_id)

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


class QuickHeartbeats:
    """WSGI middleware around the application's wsgi_app (installed by `install`)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._headers = None

    def __call__(self, environ, start_response):
        if _may_be_quick(environ):
            with self.app.request_context(environ):
                try:
                    unchanged = self._unchanged(environ)
                except (redis.RedisError, sa.exc.DBAPIError):
                    log.warning("quick heartbeat unavailable; answering through Flask", exc_info=True)
                    unchanged = False
            if unchanged:
                start_response("204 NO CONTENT", self._no_content_headers())
                return []
        return self.wsgi_app(environ, start_response)

    def _unchanged(self, environ):
        """True when this heartbeat was recorded and the page's panel is current."""
        reading_id = int(PATH.fullmatch(environ["PATH_INFO"]).group(1))
        user_id, _, epoch = str(session.get(SESSION_USER, "")).partition(":")
        if not user_id.isdigit() or not 1 <= reading_id <= ID_MAX or not 1 <= int(user_id) <= ID_MAX:
            return False
        try:
            csrf.protect()
        except CSRFError:
            return False
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            row = connection.execute(statement(), {"reading_id": reading_id, "user_id": int(user_id)}).one_or_none()
        if row is None or row.status != UserStatus.ACTIVE or str(row.session_epoch) != epoch:
            return False
        if accounts.consent_missing(row, row.terms, row.agreement, row.accepted):
            return False
        at = clock.now()
        heard = room.heard(row, int(user_id), environ["HTTP_X_PANEL_VERSION"], lambda _: row.client_balance, at)
        if heard == room.HEARD_UNCHANGED and row.is_reader:
            events.record_presence(get_redis(), int(user_id))
        return heard == room.HEARD_UNCHANGED

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
    app.wsgi_app = QuickHeartbeats(app, app.wsgi_app)
