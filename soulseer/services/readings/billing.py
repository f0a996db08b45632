"""The billing tick (the readings' handler in services/core/ticks.py): which readings need it, and
bringing each up to date. The rules it applies are the billing engine's (metering.py).

"Needs the tick" is one rule, written in Python (`needs_tick`, for a reading in hand) and in SQL
(`needs_tick_clause`, to find them), side by side; tests/readings/test_tick_due.py proves the two
agree on every shape. `tick()` locks the due readings a batch at a time (FOR UPDATE SKIP LOCKED),
folds in the heartbeats kept in Redis, reserves the batch's due minutes in one round trip, then
`bill`s each reading.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import Posted, post_many
from soulseer.models.reading import EndReason, PauseReason, Reading, ReadingState
from soulseer.services.core import ticks
from soulseer.services.readings import presence
from soulseer.services.readings.metering import (
    boundary_at,
    cancel,
    end,
    finalize,
    limit_ms,
    max_minutes,
    metered_ms,
    minute_ms,
    next_minute,
    pause,
    prepaid,
    reserve_ahead_ms,
    reserve_next_minute,
    resume,
)

S = ReadingState


def _reserve_due_minutes(readings, now):
    """A tick's common case for a whole batch in one round trip: each active reading whose meter
    has reached the end of its reserved minutes, and may go on, gets its next minute reserved.
    bill() then does the rest one by one (a refused minute, a late tick's further minutes)."""
    due = [
        reading
        for reading in readings
        if reading.state == S.ACTIVE
        and _minute_due(reading, now)
        and not _silent_sides(reading, now)
        and not _cap_reached(reading)
    ]
    for reading, outcome in zip(due, post_many([next_minute(reading) for reading in due]), strict=True):
        if isinstance(outcome, Posted):
            reading.minutes_reserved += 1


def bill(reading, now=None):
    """Bring one (locked) reading up to date: timeouts, disconnects, minute reservations, deadlines."""
    now = now or clock.now()
    state = reading.state
    if state == S.REQUESTED and now >= reading.request_expires_at:
        cancel(reading, EndReason.EXPIRED, now)
    elif state == S.ACCEPTED and reading.join_deadline and now >= reading.join_deadline:
        cancel(reading, EndReason.JOIN_TIMEOUT, now)
    elif state == S.ACTIVE:
        silent = _silent_sides(reading, now)
        if silent:
            for side in silent:
                setattr(reading, f"{side}_connected", False)
            # Metering stops when we last knew both were there.
            both_seen = min(filter(None, (reading.client_seen_at, reading.reader_seen_at)), default=now)
            pause(reading, PauseReason.DISCONNECTED, now, stop_at=max(both_seen, reading.meter_started_at))
        else:
            _charge_due_minutes(reading, now)
    elif state == S.PAUSED:
        if reading.pause_reason == PauseReason.FUNDS and reserve_next_minute(reading):
            resume(reading, now)
        elif reading.pause_deadline and now >= reading.pause_deadline:
            reason = EndReason.GRACE_EXPIRED
            if reading.pause_reason == PauseReason.FUNDS:
                reason = EndReason.INSUFFICIENT_FUNDS
            end(reading, reason, now)
    elif state == S.ENDED:  # a crash between ending and settling: settle now
        finalize(reading, now)


def _boundary_reached(reading, now):
    """The running meter has reached the end of the minutes reserved: it goes no further."""
    return reading.meter_started_at is not None and metered_ms(reading, now) >= limit_ms(reading)


def _minute_due(reading, now):
    """The next minute is due to be reserved: the meter will reach the boundary within
    reserve_ahead_ms()."""
    return _boundary_reached(reading, now + timedelta(milliseconds=reserve_ahead_ms()))


def _silent_sides(reading, now):
    """The sides not heard from within DISCONNECTED_AFTER_SECONDS."""
    silent_after = now - timedelta(seconds=current_app.config["DISCONNECTED_AFTER_SECONDS"])
    last_seen = {"client": reading.client_seen_at, "reader": reading.reader_seen_at}
    return [side for side, seen_at in last_seen.items() if seen_at is None or seen_at < silent_after]


def _cap_reached(reading):
    cap = max_minutes(reading)
    return cap is not None and reading.minutes_reserved >= cap


def _charge_due_minutes(reading, now):
    """Reserve each minute that is due; when one cannot be (spend cap, funds), the meter stops at
    the boundary once it gets there (before that, the next tick tries again: the client may top up)."""
    while _minute_due(reading, now):
        if _cap_reached(reading):
            if _boundary_reached(reading, now):
                reason = EndReason.TIME_UP if prepaid(reading) else EndReason.SPEND_CAP
                end(reading, reason, boundary_at(reading))
            return
        if not reserve_next_minute(reading):
            if _boundary_reached(reading, now):
                pause(reading, PauseReason.FUNDS, now, stop_at=boundary_at(reading))
            return


# When a reading needs the tick: one rule, written in Python (for a reading in hand) and in SQL (to
# find them), side by side. tests/readings/test_tick_due.py proves the two agree on every shape.
#   requested: the answer window is over              accepted: the join deadline passed
#   active:    the next minute is due, or a side has   paused:   waiting for funds (every tick
#              been silent too long                              retries), or the deadline passed
#   ended:     not settled yet (a crash between ending and settling)


def needs_tick(reading, now):
    state = reading.state
    if state == S.REQUESTED:
        return now >= reading.request_expires_at
    if state == S.ACCEPTED:
        return reading.join_deadline is not None and now >= reading.join_deadline
    if state == S.ACTIVE:
        return _minute_due(reading, now) or bool(_silent_sides(reading, now))
    if state == S.PAUSED:
        return reading.pause_reason == PauseReason.FUNDS or (
            reading.pause_deadline is not None and now >= reading.pause_deadline
        )
    return state == S.ENDED


def needs_tick_clause(now):
    silent_before = now - timedelta(seconds=current_app.config["DISCONNECTED_AFTER_SECONDS"])
    reserve_from = Reading.meter_started_at + sa.func.make_interval(
        0, 0, 0, 0, 0, 0, (Reading.minutes_reserved * minute_ms() - Reading.metered_ms - reserve_ahead_ms()) / 1000.0
    )
    return sa.or_(
        sa.and_(Reading.state == S.REQUESTED, Reading.request_expires_at <= now),
        sa.and_(Reading.state == S.ACCEPTED, Reading.join_deadline <= now),
        sa.and_(
            Reading.state == S.ACTIVE,
            sa.or_(
                reserve_from <= now,
                Reading.client_seen_at.is_(None),
                Reading.reader_seen_at.is_(None),
                Reading.client_seen_at < silent_before,
                Reading.reader_seen_at < silent_before,
            ),
        ),
        sa.and_(
            Reading.state == S.PAUSED,
            sa.or_(Reading.pause_reason == PauseReason.FUNDS, Reading.pause_deadline <= now),
        ),
        Reading.state == S.ENDED,
    )


def due_reading_ids(now, batch_size, after_id=0):
    """Ids of readings that need the tick (above `after_id`), locked for this transaction; rows
    another worker holds are skipped (FOR UPDATE SKIP LOCKED), so workers split the work and never
    bill a reading twice at once."""
    return list(
        db.session.execute(
            sa.select(Reading.id)
            .where(needs_tick_clause(now), Reading.id > after_id)
            .order_by(Reading.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).scalars()
    )


def tick(now=None, batch_size=200):
    """One billing tick: bring every due reading up to date, a batch per transaction, each reading
    at most once. Returns how many readings it handled. Safe with any number of workers at once; a
    worker killed mid-batch loses only its uncommitted batch, which the next tick redoes."""
    batch_now = None

    def next_batch(after_id):
        nonlocal batch_now
        batch_now = now or clock.now()
        return due_reading_ids(batch_now, batch_size, after_id or 0)  # locked for this transaction

    def handle(ids):
        batch = (
            db.session.execute(
                sa.select(Reading)
                .where(Reading.id.in_(ids))
                .order_by(Reading.id)
                .execution_options(populate_existing=True)
            )
            .scalars()
            .all()
        )
        presence.fold(batch)  # the heartbeats kept in Redis, before any rule reads the times
        _reserve_due_minutes(batch, batch_now)
        for reading in batch:
            bill(reading, batch_now)

    return ticks.in_batches(next_batch, handle, batch_size)
