"""The live reading as people see it: the request alert, the room's status, chat, the summary
(PRODUCT.md §4; docs/readings.md). The money and the meter are services/metering.py's.

Every state change of a reading (services/reading_states.py calls `on_transition`) is published
after its commit to both participants over their event streams, and moves the reader's status
(busy while a reading is accepted or running, online again when it is over). The room's fragments
are rendered per person (the client sees their balance, the reader their earnings), so they go to
each user with `publish_to_user`, never publicly.
"""

import math

import sqlalchemy as sa
from flask import current_app, render_template
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import verify
from soulseer.models import ReaderProfile, ReaderStatus
from soulseer.models.reading import OPEN_STATES, EndReason, PauseReason, Reading, ReadingMessage, ReadingState
from soulseer.services import events, marketplace, metering, notifications, reader_status, wallet
from soulseer.services.core import after_commit, ticks
from soulseer.services.moderation import automatic
from soulseer.services.reading_states import LISTENERS

S = ReadingState
MESSAGE_MAX = 2000
# Chat: a person may send 10 lines in 10 seconds and 60 a minute in one reading.
MESSAGE_LIMITS = (parse("10/10 seconds"), parse("60/minute"))
ROOM_STATES = (S.ACCEPTED, S.ACTIVE, S.PAUSED)
OVER_STATES = (S.ENDED, S.FINALIZED)

CANCEL_TEXT = {
    EndReason.DECLINED: "{reader} declined this request.",
    EndReason.EXPIRED: "{reader} did not answer in time.",
    EndReason.WITHDRAWN: "The request was withdrawn.",
    EndReason.JOIN_TIMEOUT: "The reading did not start: you were not both in the room within two minutes.",
}
END_TEXT = {
    EndReason.COMPLETED_BY_CLIENT: "{client} ended the reading.",
    EndReason.COMPLETED_BY_READER: "{reader} ended the reading.",
    EndReason.INSUFFICIENT_FUNDS: "The reading ended: the balance ran out.",
    EndReason.SPEND_CAP: "The reading ended at the spend cap.",
    EndReason.GRACE_EXPIRED: "The reading ended: the connection did not come back within two minutes.",
    EndReason.ADMIN: "An administrator ended the reading.",
}


class ChatError(ValueError):
    def __init__(self, message, status=422):
        super().__init__(message)
        self.message = message
        self.status = status


# Reader profiles ----------------------------------------------------------------------------------


def modes_offered(profile):
    """[(mode, cents)] the reader offers that this server can run (voice/video need Agora)."""
    from soulseer.services import agora

    return [(str(mode), profile.rate_for(mode)) for mode in agora.modes_available() if profile.rate_for(mode)]


def pending_request_for_reader(user):
    """The request waiting for this reader's answer (shown on every page they open), or None."""
    return db.session.execute(
        sa.select(Reading).where(
            Reading.reader_id == user.id, Reading.state == S.REQUESTED, Reading.request_expires_at > clock.now()
        )
    ).scalar_one_or_none()


def open_reading_for(user):
    column = Reading.client_id if user.is_client else Reading.reader_id
    return db.session.execute(
        sa.select(Reading).where(column == user.id, Reading.state.in_(OPEN_STATES))
    ).scalar_one_or_none()


# What the room shows ------------------------------------------------------------------------------


def phase(reading):
    if reading.state == S.REQUESTED:
        return "waiting"
    if reading.state in ROOM_STATES:
        return "room"
    if reading.state in OVER_STATES:
        return "over"
    return "cancelled"


def _seconds_until(moment, now):
    if moment is None:
        return 0
    return max(0, math.ceil((moment - now).total_seconds()))


def status(reading, viewer_id, now=None):
    """Everything the room's live panel shows, from the database (server truth)."""
    now = now or clock.now()
    is_client = viewer_id == reading.client_id
    minute_ms = metering.minute_ms()
    metered = metering.metered_ms(reading, now)
    seconds = metered // 1000
    running_cost = (seconds * reading.rate_cents + minute_ms // 1000 - 1) // (minute_ms // 1000)
    if reading.state in OVER_STATES and reading.cost_cents is not None:
        running_cost = reading.cost_cents
    partner_connected = reading.reader_connected if is_client else reading.client_connected
    info = {
        "reading": reading,
        "phase": phase(reading),
        "is_client": is_client,
        "metered_ms": metered,
        "limit_ms": metering.limit_ms(reading),
        "minute_ms": minute_ms,
        "running": reading.state == S.ACTIVE and reading.meter_started_at is not None,
        "clock": f"{seconds // 60:02d}:{seconds % 60:02d}",
        "cost_cents": running_cost,
        "partner_name": reading.reader.display_name if is_client else reading.client.display_name,
        "partner_connected": partner_connected,
        "request_seconds_left": _seconds_until(reading.request_expires_at, now),
        "pause_seconds_left": _seconds_until(reading.pause_deadline, now),
        "join_seconds_left": _seconds_until(reading.join_deadline, now),
        "funds_pause": reading.state == S.PAUSED and reading.pause_reason == PauseReason.FUNDS,
        "disconnect_pause": reading.state == S.PAUSED and reading.pause_reason == PauseReason.DISCONNECTED,
        "balance_cents": None,
        "low_balance": False,
        "heartbeat_seconds": current_app.config["HEARTBEAT_SECONDS"],
    }
    if reading.state in ROOM_STATES:
        # What the client still has: the wallet plus what is reserved for this reading and not used.
        # Both see the low-balance warning; only the client sees the figure.
        reserved_unused = max(0, reading.minutes_reserved * reading.rate_cents - running_cost)
        balance = wallet.balance(reading.client) + reserved_unused
        info["balance_cents"] = balance if is_client else None
        info["low_balance"] = balance < current_app.config["LOW_BALANCE_MINUTES"] * reading.rate_cents
    elif is_client:
        info["balance_cents"] = wallet.balance(reading.client)
    return info


def ended_text(reading):
    names = {"reader": reading.reader.display_name, "client": reading.client.display_name}
    texts = CANCEL_TEXT if reading.state == S.CANCELLED else END_TEXT
    return texts.get(reading.end_reason, "The reading is over.").format(**names)


def render_status(reading, viewer_id):
    return render_template("readings/_status.html", s=status(reading, viewer_id), ended_text=ended_text)


def render_alert(reading):
    if reading is None or reading.state != S.REQUESTED:
        return render_template("readings/_alert.html", reading=None)
    return render_template(
        "readings/_alert.html", reading=reading, seconds_left=_seconds_until(reading.request_expires_at, clock.now())
    )


# Publishing (after commit) ------------------------------------------------------------------------


def publish_after_commit(reading):
    after_commit.run_once(publish_reading, reading.id)


def publish_reading(reading_id):
    """Both participants' live panels, and the reader's alert (shown or cleared)."""
    with events.isolated_context():
        reading = db.session.get(Reading, reading_id)
        if reading is None:
            return
        for user_id in (reading.client_id, reading.reader_id):
            events.publish_to_user(user_id, f"reading-{reading.id}", render_status(reading, user_id))
        events.publish_to_user(reading.reader_id, "reading-alert", render_alert(reading))


def publish_message(message_id):
    with events.isolated_context():
        message = db.session.get(ReadingMessage, message_id)
        if message is None:
            return
        reading = db.session.get(Reading, message.reading_id)
        for user_id in (reading.client_id, reading.reader_id):
            guidance = guidance_for(reading, user_id, [message.id])
            html = render_template("readings/_message.html", message=message, viewer_id=user_id, guidance_ids=guidance)
            events.publish_to_user(user_id, f"reading-chat-{reading.id}", html)


def on_transition(reading, from_state, to_state, reason):
    """Every state change: publish it after commit; keep the reader's status and figures in step."""
    publish_after_commit(reading)
    if to_state == S.FINALIZED:
        # The reader page's "N readings" counts finalized readings (same transaction, atomic increment).
        db.session.execute(
            sa.update(ReaderProfile)
            .where(ReaderProfile.user_id == reading.reader_id)
            .values(readings_count=ReaderProfile.readings_count + 1)
        )
    profile = marketplace.profile_for(reading.reader_id)
    if profile is None:
        return
    if to_state == S.ACCEPTED:
        reader_status.clear_missed_requests(profile)
        reader_status.set_busy(profile)
    elif to_state == S.CANCELLED and reason == EndReason.DECLINED:
        reader_status.clear_missed_requests(profile)
    elif to_state == S.CANCELLED and reason == EndReason.EXPIRED:
        reader_status.record_missed_request(profile)
    if to_state in (S.CANCELLED, S.ENDED) and from_state in ROOM_STATES and profile.status == ReaderStatus.BUSY:
        reader_status.set_available(profile)


def request_created(reading):
    """A new request: the reader's alert on every open page, and a notification in their bell."""
    publish_after_commit(reading)
    notifications.notify(
        reading.reader_id,
        "request",
        f"{reading.client.display_name} asks for a {reading.mode} reading.",
        link=f"/readings/{reading.id}",
    )


def init_app(app):
    """The readings area plugs into the shared parts: state changes, the tick, the ledger's checks."""
    if on_transition not in LISTENERS:
        LISTENERS.append(on_transition)
    ticks.register(app, "readings", metering.tick)
    verify.register_finished_holds(app, "reading", "readings", (S.FINALIZED, S.CANCELLED))


# Chat -----------------------------------------------------------------------------------------------


def _limiter():
    limiter = current_app.extensions.get("soulseer_chat_limiter")
    if limiter is None:
        limiter = MovingWindowRateLimiter(storage_from_string(current_app.config["REDIS_URL"]))
        current_app.extensions["soulseer_chat_limiter"] = limiter
    return limiter


def post_message(reading, user, body):
    """Store a chat line from a participant (the caller commits); delivered to both after commit."""
    body = (body or "").strip()
    if not body:
        raise ChatError("Write a message first.")
    if len(body) > MESSAGE_MAX:
        raise ChatError(f"A message can be up to {MESSAGE_MAX} characters.")
    if reading.state not in ROOM_STATES:
        raise ChatError("This reading is over; the chat is closed.", status=409)
    limiter = _limiter()
    key = ("reading-chat", str(reading.id), str(user.id))
    if not all(limiter.test(limit, *key) for limit in MESSAGE_LIMITS):
        raise ChatError("You are sending messages too quickly. Wait a few seconds.", status=429)
    for limit in MESSAGE_LIMITS:
        limiter.hit(limit, *key)
    message = ReadingMessage(reading_id=reading.id, sender_id=user.id, body=body, created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    automatic.screen("reading_message", message)  # flags, never blocks: the line is delivered
    after_commit.run(publish_message, message.id)
    return message


def guidance_for(reading, viewer_id, message_ids):
    """The client's lines the reader gets a private guidance note under (self-harm language, F-10)."""
    if viewer_id != reading.reader_id:
        return set()
    return automatic.with_self_harm("reading_message", message_ids)


def messages(reading):
    return list(
        db.session.execute(
            sa.select(ReadingMessage)
            .where(ReadingMessage.reading_id == reading.id)
            .order_by(ReadingMessage.created_at, ReadingMessage.id)
        ).scalars()
    )
