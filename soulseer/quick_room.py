"""A client's reading room, answered before Flask around a panel rendered for this request (issue #20).

The room's page (`GET /readings/<id>`) cannot be kept whole: its live panel shows the meter's
clock, the cost, the balance and the countdowns as of the moment it is asked for. But everything
around the panel — the layout, the bar with Leave and End, the top-up form, the chat lines, the
composer — changes only with a handful of facts: the reading's state, mode, rate and cap, the
people's names and the client's role, and the chat (which lines there are, which are hidden and
how). Through Flask the page cost about seventy-five times a visitor's page in one process (the session,
Flask-Login's statement, the consent check, the reading, the names, the balance, the chat, the whole
template, the hooks; docs/benchmarks.md, "The reading room's page").

So when Flask renders a client's room, its view (`render_room`) renders the page once with a slot
where the panel goes and keeps that **shell** in Redis for her session and reading, beside a digest
of those facts as the page showed them (`shell_facts`). The next request for the page is answered
here: one statement on an autocommit connection reads the reading, the client's epoch, status and
consent figures, both names, the wallet's balance and the chat's fingerprint (`statement`), the
panel is computed and rendered from that row by the room's own rules (`room.status`, the panel's
template), and the kept shell is used only when the facts just read give the digest it was kept
under. Nothing is trusted from the entry but the HTML of what did not change: a new chat line, a
line hidden, a state change or a renamed partner gives another digest, and Flask renders the page.

Taken here only when all of these hold, else Flask answers as it always did:
- a GET of `/readings/<id>` with no query, not from HTMX, with a cookie;
- the session is a plain, recent, valid signed-in one (the rules of the kept responses:
  signed_in_responses.py — a flash message or any other key, an old signature, another address or
  User-Agent under Flask-Login's session protection go to Flask);
- the statement finds the reading with the session's user as its **client** (a reader's room shows
  her guidance notes and her status: always through Flask), the user active, under the epoch the
  shell was kept for (it is part of the key), owing no consent;
- the reading is in the room (accepted, active, paused) and not a booked one (its panel reads the
  booking's price);
- Redis has her shell for this release, session, reading and epoch, kept under the facts' digest.
PostgreSQL or Redis unreachable: Flask.

The statement runs on the few connections of the layers before Flask (extensions.get_quick_engine),
without the application pool's pre-ping (a dropped connection fails its statement: Flask answers
that page), on psycopg's own cursor; each process keeps a copy of the shells it read, checked
against the same digest.

What the quick answer leaves out, as the quick heartbeats do: the session cookie is not signed
again (a session signed more than REFRESH_SECONDS ago goes to Flask, which signs it), and the
response is compressed here for the request's Accept-Encoding as Flask-Compress would.
"""

import hashlib
import hmac
import logging
import re
from types import SimpleNamespace

import psycopg
import redis
import sqlalchemy as sa
from flask import current_app, render_template, request, session
from flask_compress.flask_compress import _choose_algorithm, _compress_data
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from soulseer import clock, security
from soulseer.compression import compress
from soulseer.extensions import db, get_quick_engine, get_redis
from soulseer.ledger import reads
from soulseer.models import User
from soulseer.models.reading import Reading, ReadingMessage
from soulseer.models.user import Role, UserStatus
from soulseer.services import accounts
from soulseer.services.marketplace import page_cache
from soulseer.services.readings import metering, room
from soulseer.signed_in_responses import plain_session, session_digest
from soulseer.views import ID_MAX

PATH = re.compile(r"/readings/(\d{1,10})")
# Holds "<facts digest>\n<shell>"; the shell has the panel's slot once.
KEY = "soulseer:room:{release}:{user}:{session}:{epoch}:{reading}"
PANEL_TEMPLATE = "readings/_status.html"
# The settings the shell shows beyond the release's (page_cache.release): the heartbeat's period, the
# grace period Leave tells of, the top-up form's amounts.
SHELL_SETTINGS = (
    "HEARTBEAT_SECONDS",
    "RECONNECT_GRACE_SECONDS",
    "TOPUP_PRESETS_CENTS",
    "TOPUP_MIN_CENTS",
    "TOPUP_MAX_CENTS",
)
# Shells a process keeps a copy of (each about 8 KB), beside Redis's.
SHELLS_MAX = 1000
# The reading's columns the page's panel (`room.status`, the heartbeat's columns and the request's
# deadline) and its shell's facts (`shell_facts`) read: no more, each is a column to decode.
READING_COLUMNS = (*room.HEARD_COLUMNS, "request_expires_at", "booking_id", "mode", "spend_cap_cents")

log = logging.getLogger(__name__)

_statement = None


def statement():
    """Built once per process, with the reading and the user as parameters: the reading where the
    user is its client, her epoch, status and consent figures, both names, the wallet's balance and
    the chat's fingerprint (`chat_fingerprint`, as SQL)."""
    global _statement  # noqa: PLW0603 (a per-process cache of a built statement, as signed_in.py keeps)
    if _statement is None:
        reading_id = sa.bindparam("reading_id", type_=sa.Integer)
        user_id = sa.bindparam("user_id", type_=sa.Integer)
        terms, agreement, accepted = accounts.consent_clauses(user_id)
        reader = aliased(User)
        line = (
            sa.cast(ReadingMessage.id, sa.Text)
            + ":"
            + sa.case((ReadingMessage.hidden_at.is_(None), "0"), else_="1")
            + ":"
            + sa.case((ReadingMessage.hidden_by_id.is_(None), "1"), else_="0")
        )
        # In the lines' ids' order, as `chat_fingerprint` writes it.
        ordered = aggregate_order_by(sa.literal_column("','"), ReadingMessage.id)
        chat = (
            sa.select(sa.func.coalesce(sa.func.string_agg(line, ordered), ""))
            .where(ReadingMessage.reading_id == Reading.id)
            .scalar_subquery()
        )
        _statement = (
            sa.select(
                *(getattr(Reading, name) for name in READING_COLUMNS),
                User.session_epoch.label("user_epoch"),
                User.status.label("user_status"),
                User.adult_confirmed_at.label("user_adult_confirmed_at"),
                User.terms_version.label("user_terms_version"),
                User.role.label("user_role"),
                User.display_name.label("client_name"),
                reader.display_name.label("reader_name"),
                terms.label("terms"),
                agreement.label("agreement"),
                accepted.label("accepted"),
                reads.wallet_balance_clause(Reading.client_id).label("client_balance"),
                chat.label("chat"),
            )
            .join(User, User.id == Reading.client_id)
            .join(reader, reader.id == Reading.reader_id)
            .where(Reading.id == reading_id, Reading.client_id == user_id)
        )
    return _statement


# --- what the page shows around its panel ------------------------------------------------------


def chat_fingerprint(messages):
    """Which lines the chat has and how each is hidden (by a moderator, or automatically): all that
    can change of what the chat shows (a line's sender, words and time never change; the sender's
    name is a fact of its own). The statement's `chat` column, written in Python."""
    return ",".join(
        f"{message.id}:{0 if message.hidden_at is None else 1}:{1 if message.hidden_by_id is None else 0}"
        for message in sorted(messages, key=lambda message: message.id)
    )


def shell_facts(reading, client_name, reader_name, client_role, chat):
    """A digest of everything a client's room shows around its panel that can change: the shell is
    used only under the digest of the facts it was rendered from. (The templates and the settings
    that shape every page are the release's, in the key; the room's own settings are here.)"""
    config = current_app.config
    parts = (
        *(config[name] for name in SHELL_SETTINGS),
        str(reading.state),
        str(reading.mode),
        reading.rate_cents,
        reading.spend_cap_cents,
        reading.booking_id,
        reading.client_id,
        reading.reader_id,
        client_name,
        reader_name,
        str(client_role),
        chat,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest().encode()


def panel_slot():
    """What stands in for the panel in a kept shell: derived from SECRET_KEY, so a chat line cannot
    carry it (as visitor_responses.csrf_slot)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"soulseer room panel slot", hashlib.sha256).hexdigest()


def render_panel(info):
    """The live panel (`room.status`'s `info`) as the page includes it. Its template reads only `s`,
    `ended_text` and the settings (and filters), so it is rendered in a context of those alone: a
    template's own context copies every global of the environment first (a tenth of a quick page)."""
    env = current_app.jinja_env
    template = env.get_template(PANEL_TEMPLATE)
    values = {"s": info, "ended_text": room.ended_text, "config": current_app.config}
    return env.concat(template.root_render_func(template.new_context(values, shared=True)))


def _key(user_id, digest, epoch, reading_id):
    return KEY.format(release=page_cache.release(), user=user_id, session=digest, epoch=epoch, reading=reading_id)


# --- the view's side: render and keep -----------------------------------------------------------


def _may_keep(info, reading, user):
    return (
        info["is_client"]
        and info["phase"] == "room"
        and not metering.prepaid(reading)
        and user.is_client
        and request.method == "GET"
        and not request.headers.get("HX-Request")
        and not request.query_string
        and current_app.config["BROWSE_CACHE_SECONDS"]
    )


def render_room(context, messages, user):
    """readings/show.html with `context` (the view's). A client's room is rendered around the panel's
    slot, the shell kept for her session under the digest of its facts, and the panel put in."""
    from markupsafe import Markup

    reading, info = context["reading"], context["s"]
    if not _may_keep(info, reading, user):
        return render_template("readings/show.html", **context)
    slot = panel_slot()
    shell = render_template("readings/show.html", panel=Markup(slot), **context)  # noqa: S704 (our own slot)
    token, user_field = session.get("csrf_token"), session.get("_user_id")
    if shell.count(slot) == 1 and isinstance(token, str) and isinstance(user_field, str):
        facts = shell_facts(
            reading, reading.client.display_name, reading.reader.display_name, user.role, chat_fingerprint(messages)
        )
        key = _key(user.id, session_digest(user_field, token), user.session_epoch, reading.id)
        try:
            get_redis().set(key, facts + b"\n" + shell.encode(), ex=current_app.config["BROWSE_CACHE_SECONDS"])
        except redis.RedisError:
            log.warning("room shell: could not keep %s", key, exc_info=True)
    return shell.replace(slot, render_panel(info))


# --- before Flask ----------------------------------------------------------------------------------


def _may_be_quick(environ):
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and environ.get("HTTP_COOKIE")
        and not environ.get("HTTP_HX_REQUEST")
        and not environ.get("QUERY_STRING")
        and PATH.fullmatch(environ.get("PATH_INFO", ""))
    )


def _query():
    """The statement as psycopg runs it, compiled once per process: (SQL, its fixed parameters, the
    names of its columns). It runs on the driver's own cursor, each row a plain tuple: SQLAlchemy's
    execution and result machinery, and the column descriptions psycopg builds for them, were a
    third of a quick page's CPU (docs/benchmarks.md, "The reading room's page")."""
    global _compiled  # noqa: PLW0603 (a per-process cache of a compiled statement)
    if _compiled is None:
        built = statement()
        compiled = built.compile(dialect=db.engine.dialect)
        fixed = {name: value for name, value in compiled.params.items() if name not in ("reading_id", "user_id")}
        _compiled = (str(compiled), fixed, tuple(built.selected_columns.keys()))
    return _compiled


_compiled = None


def _row(reading_id, user_id):
    """The statement's row as attributes (the reading's columns under their names, so `room.status`
    reads it as it reads the model, with both people's names), or None."""
    sql, fixed, names = _query()
    parameters = {**fixed, "reading_id": reading_id, "user_id": user_id}
    connection = get_quick_engine().raw_connection()
    try:
        values = connection.driver_connection.execute(sql, parameters, prepare=True).fetchone()
    finally:
        connection.close()  # back to the pool
    if values is None:
        return None
    row = SimpleNamespace(**dict(zip(names, values, strict=True)))
    row.client = SimpleNamespace(display_name=row.client_name)
    row.reader = SimpleNamespace(display_name=row.reader_name)
    return row


def quick_page(reading_id, user_id, digest, shells):
    """The page's bytes, its panel rendered now, when her kept shell stands; else None. `shells`:
    this process's copies of the shells it read from Redis ({key: (facts, before, after)})."""
    row = _row(reading_id, user_id)
    if row is None or row.user_status != UserStatus.ACTIVE or row.user_role != Role.CLIENT:
        return None
    consent = SimpleNamespace(
        adult_confirmed_at=row.user_adult_confirmed_at, terms_version=row.user_terms_version, is_reader=False
    )
    if accounts.consent_missing(consent, row.terms, row.agreement, row.accepted):
        return None
    if row.state not in room.ROOM_STATES or row.booking_id is not None:
        return None
    facts = shell_facts(row, row.client_name, row.reader_name, row.user_role, row.chat)
    key = _key(user_id, digest, row.user_epoch, reading_id)
    kept = shells.get(key)
    if kept is None or kept[0] != facts:
        # Kept by Flask in this process or another: Redis has the latest.
        found = get_redis().get(key)
        if found is None:
            return None
        kept_facts, _, shell = found.partition(b"\n")
        before, slot, after = shell.partition(panel_slot().encode())
        if not slot:
            return None
        if len(shells) >= SHELLS_MAX:
            shells.clear()  # a bound, not a policy
        kept = shells[key] = (kept_facts, before, after)
        if kept_facts != facts:
            return None
    info = room.status(row, user_id, now=clock.now(), wallet_cents=row.client_balance)
    return kept[1] + render_panel(info).encode() + kept[2]


class QuickRoom:
    """WSGI middleware around the application's wsgi_app (installed by `install`)."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._headers = None
        self._shells = {}

    def __call__(self, environ, start_response):
        if _may_be_quick(environ) and self.app.config["BROWSE_CACHE_SECONDS"]:
            person = plain_session(self.app, environ)  # the kept responses' session rules
            reading_id = int(PATH.fullmatch(environ["PATH_INFO"]).group(1))
            if person is not None and 1 <= reading_id <= ID_MAX:
                with self.app.app_context():
                    try:
                        page = quick_page(reading_id, *person, self._shells)
                    except (redis.RedisError, sa.exc.DBAPIError, sa.exc.TimeoutError, psycopg.Error):
                        log.warning("quick room unavailable; answering through Flask", exc_info=True)
                        page = None
                if page is not None:
                    return self._answer(environ, start_response, page)
        return self.wsgi_app(environ, start_response)

    def _answer(self, environ, start_response, page):
        """200 with the headers Flask gives the page, compressed as Flask-Compress would."""
        headers = list(self._page_headers())
        algorithm = _choose_algorithm(compress.enabled_algorithms, environ.get("HTTP_ACCEPT_ENCODING", ""))
        if algorithm is not None and len(page) >= self.app.config["COMPRESS_MIN_SIZE"]:
            page = _compress_data(self.app, page, algorithm)
            headers.append(("Content-Encoding", algorithm))
        headers.append(("Content-Length", str(len(page))))
        start_response("200 OK", headers)
        return [page]

    def _page_headers(self):
        if self._headers is None:
            self._headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("Vary", "HX-Request, Accept-Encoding, Cookie"),  # as Flask's hooks leave it
                *security.headers(self.app),
            ]
        return self._headers


def install(app):
    """Inside ProxyFix (Flask-Login's identifier needs the forwarded address), beside the quick
    heartbeats."""
    app.wsgi_app = QuickRoom(app, app.wsgi_app)
