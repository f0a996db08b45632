"""The billing engine: presence, the meter, minute reservations, pauses, ends and settlement.

Rules (PRODUCT.md §4): time is metered only while both sides are connected; each metered
minute's cost is reserved from the client's wallet before the minute starts (reserve_ahead_ms()
before, so the meter never waits at a boundary for the tick; a crash holds at most the minute under
way and the next one, and settlement returns what was not used); the final bill is prorated to the second,
cost = ceil(metered seconds × rate / minute length), split floor(cost × share) to the reader and
the rest to the platform; what was reserved but not used returns to the client.

Every function here works on a reading row the caller has locked (`states.lock(id)`), and is safe to
repeat: reservations and the settlement carry idempotency keys naming the reading and the minute.
The meter never runs past the minutes reserved: if the next minute cannot be reserved the meter
stops at the minute's boundary, so nobody is charged for time that was not paid for and the hold
always covers the bill.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import InsufficientFunds, Posted, WalletFrozen, keys, post_many, post_one
from soulseer.models.reading import EndReason, PauseReason, Reading, ReadingState
from soulseer.services import commerce
from soulseer.services.readings import presence
from soulseer.services.readings.states import transition

S = ReadingState
PREPAID = "soulseer.readings.prepaid"


def register_prepaid(app, settle):
    """A reading paid in advance (a booked one: `reading.booking_id`) reserves nothing from the
    wallet: its minutes are reserved when it is opened, up to its length, and `settle(reading, at)
    -> (cost, to_reader)` — the bookings area's rule (docs/bookings.md) — settles it instead."""
    app.extensions[PREPAID] = settle


def prepaid(reading):
    return reading.booking_id is not None


def minute_ms():
    return current_app.config["MINUTE_SECONDS"] * 1000


# The meter ---------------------------------------------------------------------------------------


def _ms_between(start, end):
    return max(0, int((end - start).total_seconds() * 1000))


def limit_ms(reading):
    """The meter may run up to the minutes reserved, never further."""
    return reading.minutes_reserved * minute_ms()


def metered_ms(reading, at):
    """Metered milliseconds so far, the running interval included (never past the limit)."""
    total = reading.metered_ms
    if reading.meter_started_at is not None:
        total += _ms_between(reading.meter_started_at, at)
    return min(total, limit_ms(reading))


def boundary_at(reading):
    """When the running meter reaches the end of the reserved minutes."""
    return reading.meter_started_at + timedelta(milliseconds=limit_ms(reading) - reading.metered_ms)


def reserve_ahead_ms():
    """How long before the boundary the next minute is reserved: the tick runs every few seconds,
    and a meter waiting at the boundary for it would stall the room's clock. Never more than half
    a minute, so at most the minute under way and the next one are held."""
    return min(current_app.config["RESERVE_AHEAD_SECONDS"] * 1000, minute_ms() // 2)


def _start_meter(reading, at):
    if reading.meter_started_at is None:
        reading.meter_started_at = at


def _stop_meter(reading, at):
    if reading.meter_started_at is not None:
        reading.metered_ms = metered_ms(reading, max(at, reading.meter_started_at))
        reading.meter_started_at = None


def cost_cents(reading):
    """ceil(billed seconds × rate / minute length), in integer arithmetic."""
    seconds = reading.metered_ms // 1000
    minute = current_app.config["MINUTE_SECONDS"]
    return (seconds * reading.rate_cents + minute - 1) // minute


def max_minutes(reading):
    """Whole minutes the client's spend cap allows (None: no cap)."""
    if reading.spend_cap_cents is None:
        return None
    return reading.spend_cap_cents // reading.rate_cents


# Reservations -------------------------------------------------------------------------------------


def _next_minute(reading):
    """The posting that reserves the reading's next minute (its key names the reading and minute)."""
    minute = reading.minutes_reserved + 1
    return commerce.hold_posting(
        reading.client_id,
        ("reading", reading.id),
        reading.rate_cents,
        keys.reading_minute(reading.id, minute),
        f"Reading minute {minute} reserved",
    )


def _reserve_next_minute(reading):
    """Reserve the next minute's cost from the client's wallet. False when the wallet cannot pay."""
    try:
        post_one(_next_minute(reading))
    except (InsufficientFunds, WalletFrozen):
        return False
    reading.minutes_reserved += 1
    return True


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
    for reading, outcome in zip(due, post_many([_next_minute(reading) for reading in due]), strict=True):
        if isinstance(outcome, Posted):
            reading.minutes_reserved += 1


# Presence ----------------------------------------------------------------------------------------


def _side(reading, user_id):
    if user_id == reading.client_id:
        return "client"
    if user_id == reading.reader_id:
        return "reader"
    raise PermissionError("not a participant of this reading")


def seen(reading, user_id, at=None):
    """A join or heartbeat from one side (server time). May start or resume the meter."""
    at = at or clock.now()
    side = _side(reading, user_id)
    setattr(reading, f"{side}_seen_at", at)
    setattr(reading, f"{side}_connected", True)
    if not (reading.client_connected and reading.reader_connected):
        return
    if reading.state == S.ACCEPTED:
        _activate(reading, at)
    elif reading.state == S.PAUSED and reading.pause_reason == PauseReason.DISCONNECTED:
        _resume(reading, at)


def note_presence(reading, user_id, at=None):
    """A heartbeat that can change nothing but this side's last-seen time (the meter is running and
    the side is known to be here), on the reading as read without a lock: the time goes to Redis
    (presence.py), nothing is written, and the answer is True. False: the heartbeat may start or
    resume the meter, and must go through `seen` on the locked row."""
    side = _side(reading, user_id)
    if reading.state != S.ACTIVE or not getattr(reading, f"{side}_connected"):
        return False
    presence.record(reading.id, side, at or clock.now())
    return True


def left(reading, user_id, at=None):
    """A side left (tab closed, network gone): the meter stops now and the grace period starts."""
    at = at or clock.now()
    side = _side(reading, user_id)
    setattr(reading, f"{side}_connected", False)
    if reading.state == S.ACTIVE:
        _pause(reading, PauseReason.DISCONNECTED, at, stop_at=at)


def _activate(reading, at):
    transition(reading, S.ACTIVE, at=at)
    reading.started_at = at
    reading.join_deadline = None
    if prepaid(reading) or _reserve_next_minute(reading):
        _start_meter(reading, at)
    else:
        _pause(reading, PauseReason.FUNDS, at, stop_at=at)


def _resume(reading, at):
    transition(reading, S.ACTIVE, at=at)
    reading.pause_reason = None
    reading.pause_deadline = None
    _start_meter(reading, at)


def _pause(reading, reason, at, stop_at):
    _stop_meter(reading, stop_at)
    transition(reading, S.PAUSED, reason=reason, at=at)
    reading.pause_reason = reason
    seconds = current_app.config[
        "RECONNECT_GRACE_SECONDS" if reason == PauseReason.DISCONNECTED else "FUNDS_PAUSE_SECONDS"
    ]
    reading.pause_deadline = at + timedelta(seconds=seconds)


# Ending and settlement -----------------------------------------------------------------------------


def end(reading, reason, at=None):
    """End an active or paused reading and settle it at once."""
    at = at or clock.now()
    stop_at = at
    if reading.meter_started_at is not None:
        stop_at = min(at, boundary_at(reading))
    _stop_meter(reading, stop_at)
    transition(reading, S.ENDED, reason=reason, at=at)
    reading.end_reason = reason
    reading.ended_at = at
    reading.pause_deadline = None
    finalize(reading, at)


def finalize(reading, at=None):
    """Settle an ended reading: charge the prorated cost from its hold, split it, return the rest."""
    at = at or clock.now()
    if prepaid(reading):
        reading.cost_cents, reading.reader_earnings_cents = current_app.extensions[PREPAID](reading, at)
        transition(reading, S.FINALIZED, at=at)
        reading.finalized_at = at
        return
    cost = cost_cents(reading)
    minutes = reading.metered_ms // 1000
    settlement = commerce.settle(
        reading.client,
        ("reading", reading.id),
        cost,
        reading.reader,
        keys.reading_settlement(reading.id),
        f"Reading with {reading.reader.display_name} ({minutes // 60}:{minutes % 60:02d})",
        share_bps=reading.share_bps,  # fixed when the reading was requested
    )
    reading.cost_cents = cost
    reading.reader_earnings_cents = settlement.to_reader
    transition(reading, S.FINALIZED, at=at)
    reading.finalized_at = at


def cancel(reading, reason, at=None):
    """Cancel a request before metering began: nothing was reserved, nothing is charged."""
    transition(reading, S.CANCELLED, reason=reason, at=at)
    reading.end_reason = reason
    reading.ended_at = at or clock.now()


# The tick -------------------------------------------------------------------------------------------


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
            _pause(reading, PauseReason.DISCONNECTED, now, stop_at=max(both_seen, reading.meter_started_at))
        else:
            _charge_due_minutes(reading, now)
    elif state == S.PAUSED:
        if reading.pause_reason == PauseReason.FUNDS and _reserve_next_minute(reading):
            _resume(reading, now)
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
        if not _reserve_next_minute(reading):
            if _boundary_reached(reading, now):
                _pause(reading, PauseReason.FUNDS, now, stop_at=boundary_at(reading))
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
    handled, after_id = 0, 0
    while True:
        batch_now = now or clock.now()
        ids = due_reading_ids(batch_now, batch_size, after_id)  # locked for this transaction
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
        db.session.commit()
        handled += len(ids)
        if len(ids) < batch_size:
            return handled
        after_id = ids[-1]
