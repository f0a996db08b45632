"""Live reading requests: ask, accept, decline, withdraw, finish (PRODUCT.md §4 steps 1–3, 7).

The money and the meter live in services/metering.py; the states in services/reading_states.py.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Role
from soulseer.models.reading import EndReason, Reading, ReadingMode, ReadingState
from soulseer.services import metering, wallet
from soulseer.services.reading_states import can, transition

S = ReadingState


class ReadingError(Exception):
    """A request that cannot go ahead; `message` says why to the person; nothing changed."""

    def __init__(self, message, field=None, status=409):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def needed_balance(rate_cents):
    return rate_cents * current_app.config["MINUTES_NEEDED_TO_START"]


def request(client, reader, mode, rate_cents, share_bps, spend_cap_cents=None):
    """Create a reading request from `client` to `reader` at the rate shown to the client."""
    if not client.is_client:
        raise ReadingError("Only clients can request readings.", status=403)
    if reader.role != Role.READER or not reader.is_active:
        raise ReadingError("This reader is not available.", status=404)
    mode = ReadingMode(mode)
    if not rate_cents or rate_cents <= 0:
        raise ReadingError(f"This reader does not offer {mode} readings.", "mode")
    if spend_cap_cents is not None and spend_cap_cents < rate_cents:
        raise ReadingError("A spend cap must allow at least one minute.", "spend_cap", status=422)
    if wallet.is_frozen(client):
        raise ReadingError("Spending is paused while we review a disputed payment.", status=403)
    if wallet.balance(client) < needed_balance(rate_cents):
        raise ReadingError(
            f"You need at least {current_app.config['MINUTES_NEEDED_TO_START']} minutes of balance to start.",
            "balance",
            status=402,
        )
    now = clock.now()
    reading = Reading(
        client_id=client.id,
        reader_id=reader.id,
        mode=mode,
        rate_cents=rate_cents,
        share_bps=share_bps,
        spend_cap_cents=spend_cap_cents,
        state=S.REQUESTED,
        requested_at=now,
        request_expires_at=now + timedelta(seconds=current_app.config["REQUEST_TIMEOUT_SECONDS"]),
    )
    try:
        with db.session.begin_nested():
            db.session.add(reading)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        # One open reading per client and per reader (partial unique indexes).
        if "per_client" in str(error.orig):
            raise ReadingError("You already have a reading in progress.") from error
        raise ReadingError("This reader is in another reading right now.") from error
    return reading


def for_participant(reading_id, user):
    """The locked reading if `user` takes part in it; None otherwise (the caller answers 404)."""
    reading = metering.lock(reading_id)
    if reading is None or user.id not in (reading.client_id, reading.reader_id):
        return None
    return reading


def accept(reading, reader):
    if reader.id != reading.reader_id:
        raise ReadingError("This request is not yours.", status=403)
    now = clock.now()
    if reading.state == S.REQUESTED and now >= reading.request_expires_at:
        metering.cancel(reading, EndReason.EXPIRED, now)
        raise ReadingError("This request expired before it was accepted.", status=410)
    if not can(reading, S.ACCEPTED):
        raise ReadingError("This request can no longer be accepted.")
    transition(reading, S.ACCEPTED, at=now)
    reading.accepted_at = now
    reading.join_deadline = now + timedelta(seconds=current_app.config["JOIN_TIMEOUT_SECONDS"])


def decline(reading, reader):
    if reader.id != reading.reader_id:
        raise ReadingError("This request is not yours.", status=403)
    if reading.state != S.REQUESTED:
        raise ReadingError("This request can no longer be declined.")
    metering.cancel(reading, EndReason.DECLINED)


def finish(reading, user):
    """Either side ends the reading (or withdraws a request that never started)."""
    if reading.state in (S.REQUESTED, S.ACCEPTED):
        if user.id != reading.client_id and reading.state == S.REQUESTED:
            return decline(reading, user)
        return metering.cancel(reading, EndReason.WITHDRAWN)
    if reading.state not in (S.ACTIVE, S.PAUSED):
        raise ReadingError("This reading has already ended.")
    reason = EndReason.COMPLETED_BY_CLIENT if user.id == reading.client_id else EndReason.COMPLETED_BY_READER
    metering.end(reading, reason)
