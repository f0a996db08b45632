"""Live reading requests: ask, accept, decline, withdraw, finish (PRODUCT.md §4 steps 1–3, 7).

The money and the meter live in services/readings/metering.py; the states in services/readings/states.py.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import ReaderStatus
from soulseer.models.reading import EndReason, Reading, ReadingMode, ReadingState
from soulseer.services import commerce
from soulseer.services.marketplace import profiles, reader_status
from soulseer.services.payments import wallet
from soulseer.services.readings import metering, room, states
from soulseer.services.readings.states import can, transition

S = ReadingState


class ReadingError(DomainError):
    """A request that cannot go ahead; `message` says why to the person; nothing changed."""


def needed_balance(rate_cents):
    return rate_cents * current_app.config["MINUTES_NEEDED_TO_START"]


def why_unavailable(profile):
    """Why the reader takes no request now, in the words the client reads; None when she does. A
    scheduled reading holds her from 5 minutes before its start, even before the tick has made
    her busy with it (marketplace/reader_status.py); a busy reader is otherwise in a reading, or
    live in a stream (which keeps her busy: services/streams/lifecycle.py)."""
    if profile.busy_scheduled or reader_status.scheduled_reading_due(profile):
        return "busy with a scheduled reading"
    if profile.status == ReaderStatus.ONLINE:
        return None
    if profile.status != ReaderStatus.BUSY:
        return "offline"
    from soulseer.services.streams.lifecycle import live_stream_of  # streams build on readings

    return "live in a stream" if live_stream_of(profile.user_id) is not None else "in another reading"


def request(client, profile, mode, spend_cap_cents=None):
    """Create a reading request from `client` to the reader of `profile`, in `mode`, at the rate the
    reader's profile shows for it now and the reader's share now (both fixed for the reading)."""
    if not client.is_client:
        raise ReadingError("Only clients can request readings.", status=403)
    if not profiles.is_listed(profile):
        raise ReadingError("This reader is not available.", status=404)
    offered = dict(room.modes_offered(profile))
    if mode not in offered:
        raise ReadingError("Choose one of the ways this reader offers.", "mode", status=422)
    unavailable = why_unavailable(profile)
    if unavailable:
        raise ReadingError(f"{profile.display_name} is {unavailable} right now.", status=409)
    mode, rate_cents = ReadingMode(mode), offered[mode]
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
        reader_id=profile.user_id,
        mode=mode,
        rate_cents=rate_cents,
        share_bps=commerce.share_for(profile),
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
    reading = states.lock(reading_id)
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
    if reader_status.scheduled_reading_due(profiles.profile_for(reader), now):
        # Her booked reading opens now: this one would keep its room shut (the view commits this).
        metering.cancel(reading, EndReason.DECLINED, now)
        raise ReadingError("Your booked reading is due: this request was declined for you.", status=409)
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
