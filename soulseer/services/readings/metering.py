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
always covers the bill. The tick that applies these rules to every reading due is billing.py.
"""

from datetime import timedelta

from flask import current_app

from soulseer import clock
from soulseer.ledger import InsufficientFunds, WalletFrozen, keys, post_one
from soulseer.models.reading import PauseReason, ReadingState
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


def next_minute(reading):
    """The posting that reserves the reading's next minute (its key names the reading and minute)."""
    minute = reading.minutes_reserved + 1
    return commerce.hold_posting(
        reading.client_id,
        ("reading", reading.id),
        reading.rate_cents,
        keys.reading_minute(reading.id, minute),
        f"Reading minute {minute} reserved",
    )


def reserve_next_minute(reading):
    """Reserve the next minute's cost from the client's wallet. False when the wallet cannot pay."""
    try:
        post_one(next_minute(reading))
    except (InsufficientFunds, WalletFrozen):
        return False
    reading.minutes_reserved += 1
    return True


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
        resume(reading, at)


def note_presence(reading, user_id, at=None):
    """A heartbeat that can change nothing but this side's last-seen time (`quiet_side`), on the
    reading as read without a lock: the time goes to Redis (presence.py), nothing is written, and
    the answer is True. False: the heartbeat may start or resume the meter, and must go through
    `seen` on the locked row."""
    side = quiet_side(reading, user_id)
    if side is None:
        return False
    presence.record(reading.id, side, at or clock.now())
    return True


def quiet_side(reading, user_id):
    """This participant's side when a heartbeat of theirs can change nothing but the time they were
    last seen (the meter is running and the side is known to be here), else None."""
    side = _side(reading, user_id)
    if reading.state != S.ACTIVE or not getattr(reading, f"{side}_connected"):
        return None
    return side


def left(reading, user_id, at=None):
    """A side left (tab closed, network gone): the meter stops now and the grace period starts."""
    at = at or clock.now()
    side = _side(reading, user_id)
    setattr(reading, f"{side}_connected", False)
    if reading.state == S.ACTIVE:
        pause(reading, PauseReason.DISCONNECTED, at, stop_at=at)


def _activate(reading, at):
    transition(reading, S.ACTIVE, at=at)
    reading.started_at = at
    reading.join_deadline = None
    if prepaid(reading) or reserve_next_minute(reading):
        _start_meter(reading, at)
    else:
        pause(reading, PauseReason.FUNDS, at, stop_at=at)


def resume(reading, at):
    transition(reading, S.ACTIVE, at=at)
    reading.pause_reason = None
    reading.pause_deadline = None
    _start_meter(reading, at)


def pause(reading, reason, at, stop_at):
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
