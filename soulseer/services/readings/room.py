"""The live reading as people see it: the request alert, the room's status, the summary
(PRODUCT.md §4; docs/readings.md). The money and the meter are metering.py's; publishing the room
to both people after each change is publishing.py's; the chat is chat.py's. The room's fragments
are rendered per person (the client sees their balance, the reader their earnings)."""

import hashlib
import math

import sqlalchemy as sa
from flask import current_app, render_template

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Booking, ReaderProfile
from soulseer.models.reading import OPEN_STATES, EndReason, PauseReason, Reading, ReadingState
from soulseer.services.payments import wallet
from soulseer.services.readings import metering

S = ReadingState
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
    EndReason.TIME_UP: "The booked time is over.",
}


# Reader profiles ----------------------------------------------------------------------------------


def modes_offered(profile):
    """[(mode, cents)] the reader offers that this server can run (voice/video need Agora)."""
    from soulseer.services.readings import agora

    return [(str(mode), profile.rate_for(mode)) for mode in agora.modes_available() if profile.rate_for(mode)]


def pending_request_clause(reader_id, now):
    """The id of the request waiting for this reader's answer, as SQL (the signed-in request reads
    it with the user: soulseer/signed_in.py). At most one: a reader has one open reading at a time
    (the unique index uq_readings_one_open_per_reader)."""
    return (
        sa.select(Reading.id)
        .where(Reading.reader_id == reader_id, Reading.state == S.REQUESTED, Reading.request_expires_at > now)
        .scalar_subquery()
    )


def reader_status_now(reading):
    """The reading's reader's status now, "scheduled" when busy with a booked reading (her summary
    says it once the reading is over)."""
    status, scheduled = db.session.execute(
        sa.select(ReaderProfile.status, ReaderProfile.busy_scheduled).filter_by(user_id=reading.reader_id)
    ).one()
    return "scheduled" if scheduled else status


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


def status(reading, viewer_id, now=None, wallet_cents=None):
    """Everything the room's live panel shows, from the database (server truth). `wallet_cents`:
    the client's balance when the caller has read it already (a batch of panels)."""
    now = now or clock.now()
    is_client = viewer_id == reading.client_id
    minute_ms = metering.minute_ms()
    metered = metering.metered_ms(reading, now)
    seconds = metered // 1000
    running_cost = _running_cost(reading, now)
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
        "funds_cents": None,
        "low_balance": False,
        "heartbeat_seconds": current_app.config["HEARTBEAT_SECONDS"],
        "booked_minutes": None,
    }
    if wallet_cents is None:
        wallet_cents = wallet.balance(reading.client_id)
    if metering.prepaid(reading):
        # A booked reading was paid in advance: the room shows the booked length, not a running
        # cost against the wallet (the booking's rule settles it; docs/bookings.md).
        info["booked_minutes"] = reading.minutes_reserved
        info["booked_price_cents"] = db.session.get(Booking, reading.booking_id).price_cents
        if is_client:
            info["balance_cents"] = wallet_cents
    elif reading.state in ROOM_STATES:
        # The one figure behind the cost and the balance: the money the client had for this
        # reading (the wallet plus every minute reserved for it). The balance is that figure less
        # the running cost, so cost + balance always equals it, on the server and as the page
        # ticks (reading-room.js computes both from `funds_cents`). Both see the low-balance
        # warning; only the client sees the figures.
        funds, balance, info["low_balance"] = _funds(reading, wallet_cents, running_cost)
        info["funds_cents"] = funds if is_client else None
        info["balance_cents"] = balance if is_client else None
    elif is_client:
        info["balance_cents"] = wallet_cents
    info["version"] = panel_version(reading, wallet_cents, now)
    return info


def _running_cost(reading, now):
    minute_ms = metering.minute_ms()
    seconds = metering.metered_ms(reading, now) // 1000
    return (seconds * reading.rate_cents + minute_ms // 1000 - 1) // (minute_ms // 1000)


def _funds(reading, wallet_cents, running_cost):
    """(the client's money for this reading, the balance left of it, whether that is low)."""
    funds = wallet_cents + reading.minutes_reserved * reading.rate_cents
    balance = funds - running_cost
    return funds, balance, balance < current_app.config["LOW_BALANCE_MINUTES"] * reading.rate_cents


def panel_version(reading, wallet_cents, now=None):
    """What the live panel says, in sixteen characters: everything it shows apart from what the page
    ticks by itself between updates (the clock, the cost, the countdowns) and the meter's limit,
    which every heartbeat's answer carries (`limit_ms`). A heartbeat from a page that has this
    version is answered with no panel (204): with 10,000 readings running, rendering 2,000
    unchanged panels a second would be most of the web processes' work (issue #20).

    While the meter runs on the wallet, the panel shows the client's money for the reading (the
    wallet plus the minutes reserved: `_funds`), not either part: reserving the next minute moves a
    minute's price from one to the other and changes nothing the panel shows but the limit, so it
    does not change the version (the page's clock stops at the limit it was last given; the
    heartbeat's answer moves it on)."""
    now = now or clock.now()
    in_room = reading.state in ROOM_STATES
    low = in_room and _funds(reading, wallet_cents, _running_cost(reading, now))[2]
    if in_room and not metering.prepaid(reading):
        money = ("funds", _funds(reading, wallet_cents, 0)[0])
    else:
        money = (reading.minutes_reserved, wallet_cents)
    parts = (
        reading.state,
        reading.pause_reason,
        reading.pause_deadline,
        reading.join_deadline,
        money,
        reading.metered_ms,
        reading.meter_started_at,
        reading.client_connected,
        reading.reader_connected,
        reading.cost_cents,
        low,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


# The reading's columns `heard` reads (the quick heartbeat selects just these: soulseer/quick_heartbeats.py).
HEARD_COLUMNS = (
    "id",
    "state",
    "booking_id",
    "client_id",
    "reader_id",
    "client_connected",
    "reader_connected",
    "pause_reason",
    "pause_deadline",
    "join_deadline",
    "minutes_reserved",
    "metered_ms",
    "meter_started_at",
    "cost_cents",
    "rate_cents",
)
# What a heartbeat did (`heard`).
HEARD_UNCHANGED = "unchanged"  # recorded in Redis; the page's panel is current: nothing to send
HEARD_CHANGED = "changed"  # recorded in Redis; the page's panel is not current: send it
HEARD_LOCKED = "locked"  # it may start or resume the meter: take the reading's locked row


def heard(reading, viewer_id, page_version, client_balance, at=None):
    """A heartbeat from one side of `reading` (as read without a lock), whose page shows the panel
    of `page_version` (None: it asks for the panel). `client_balance(client_id)` gives the wallet's
    balance, asked only when the panel's version is needed. The one rule for both ways a heartbeat
    is answered: the Flask view and, before Flask, soulseer/quick_heartbeats.py."""
    at = at or clock.now()
    if not metering.note_presence(reading, viewer_id, at):
        return HEARD_LOCKED
    if page_is_current(reading, page_version, client_balance, at):
        return HEARD_UNCHANGED
    return HEARD_CHANGED


def page_is_current(reading, page_version, client_balance, at):
    """The page's panel (of `page_version`) is the panel of `reading` at `at`."""
    return bool(page_version) and page_version == panel_version(reading, client_balance(reading.client_id), at)


def ended_text(reading):
    names = {"reader": reading.reader.display_name, "client": reading.client.display_name}
    texts = CANCEL_TEXT if reading.state == S.CANCELLED else END_TEXT
    return texts.get(reading.end_reason, "The reading is over.").format(**names)


def render_status(reading, viewer_id, wallet_cents=None, render=render_template):
    """The live panel; a batch passes the client's balance and a templating.renderer()."""
    info = status(reading, viewer_id, wallet_cents=wallet_cents)
    return render("readings/_status.html", s=info, ended_text=ended_text)


def render_alert(reading):
    if reading is None or reading.state != S.REQUESTED:
        return render_template("readings/_alert.html", reading=None)
    return render_template(
        "readings/_alert.html", reading=reading, seconds_left=_seconds_until(reading.request_expires_at, clock.now())
    )
