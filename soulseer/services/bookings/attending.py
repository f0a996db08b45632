"""The booked reading itself (next-areas.md S-6), run by the tick: the room opens 5 minutes before
the start, no-shows are settled 10 minutes after it, and a reading that ran is settled by the
booking's rule when it ends.

The room is the live reading room (services/readings): a Reading with `booking_id`, created
accepted, its minutes reserved up to the booked length without touching the wallet (the price is
in the booking's hold), metered while both are connected like any reading. The meter stops at the
booked length (`EndReason.TIME_UP`). Settling (`settle_reading`, called by metering.finalize):

- delivered in full (within a minute of the length), the time ran out, or the client ended it:
  the whole price, split with the reader;
- the reader ended it early, or a lost connection outlasted the grace: the client gets back the
  undelivered part, `price − ceil(price × delivered seconds / booked seconds)`.

No-shows, at `start + 10 min` while the room has not started: the reader never came → everything
back to the client (and a cancellation on the reader's count); the reader came and the client did
not → a late cancellation (half kept); both came but never together → everything back.
"""

import math
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Booking, Reading, User
from soulseer.models.base import one_of
from soulseer.models.booking import BookingState, CancelledBy, Outcome
from soulseer.models.reading import EndReason, ReadingState
from soulseer.money import format_cents
from soulseer.services.bookings import availability, hold, reminders, zones
from soulseer.services.core import mail, notifications, ticks
from soulseer.services.marketplace import profiles
from soulseer.services.readings import metering, states

OPENS_BEFORE = timedelta(minutes=5)
NO_SHOW_AFTER = timedelta(minutes=10)
FULL_WITHIN_SECONDS = 60  # delivered within a minute of the length counts as in full
FULL_PRICE_ENDINGS = (EndReason.COMPLETED_BY_CLIENT, EndReason.TIME_UP)
S = ReadingState


def reading_for(booking):
    return db.session.execute(sa.select(Reading).filter_by(booking_id=booking.id)).scalar_one_or_none()


# Opening the room -------------------------------------------------------------------------------------


def open_room(booking, now):
    """The booked reading's room, accepted and waiting for both; None when it cannot open yet (one
    of them is still in another reading: the next tick tries again)."""
    minutes = booking.length_minutes
    rate = math.ceil(booking.price_cents / minutes)  # the room's figures; the booking's price is what is charged
    reading = Reading(
        client_id=booking.client_id, reader_id=booking.reader_id, mode=booking.mode, rate_cents=rate,
        share_bps=booking.share_bps, spend_cap_cents=rate * minutes, minutes_reserved=minutes,
        state=S.REQUESTED, requested_at=now, request_expires_at=now, booking_id=booking.id,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(reading)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None  # one open reading per person at a time (readings' partial unique indexes)
    states.transition(reading, S.ACCEPTED, at=now)  # the reader shows busy from now on
    reading.accepted_at = now
    booking.state = BookingState.IN_PROGRESS
    link = notifications.path_for("readings.show", reading_id=reading.id)
    name = _reader_name(booking)
    client = db.session.get(User, booking.client_id)
    notifications.notify(booking.client_id, "booking", f"Your reading with {name} is open: join now.", link=link)
    notifications.notify(
        booking.reader_id, "booking", f"Your booked reading with {client.display_name} is open: join now.", link=link
    )
    return reading


def _reader_name(booking):
    profile = profiles.profile_for(booking.reader_id)
    return profile.display_name if profile else db.session.get(User, booking.reader_id).display_name


def reader_held(reader_id, now):
    """reader_status's rule for a scheduled reading (registered in bookings.init_app): a confirmed
    booking of hers whose room opens now and has not opened yet — held back by another reading,
    or the tick not there yet. From then on she takes no on-demand request."""
    return (
        db.session.execute(
            sa.select(Booking.id).where(
                Booking.reader_id == reader_id,
                Booking.state == BookingState.CONFIRMED,
                Booking.starts_at <= now + OPENS_BEFORE,
                Booking.starts_at > now - NO_SHOW_AFTER,  # later the tick settles it as a no-show
            )
        ).first()
        is not None
    )


# Settling -------------------------------------------------------------------------------------------


def charge_for(booking, reading):
    """What the client pays for the booked reading that ran (S-6)."""
    booked = booking.length_minutes * metering.minute_ms() // 1000
    delivered = min(reading.metered_ms // 1000, booked)
    if reading.end_reason in FULL_PRICE_ENDINGS or delivered >= booked - FULL_WITHIN_SECONDS:
        return booking.price_cents
    return math.ceil(booking.price_cents * delivered / booked)


def settle_reading(reading, at):
    """metering.finalize's settlement of a booked reading: the booking's hold, by the rule above.
    Returns (cost, the reader's part)."""
    booking = db.session.execute(
        sa.select(Booking).filter_by(id=reading.booking_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    kept = charge_for(booking, reading)
    seconds = reading.metered_ms // 1000
    ran = f"{seconds // 60}:{seconds % 60:02d} of {booking.length_minutes}:00"
    why = f"Booked reading with {_reader_name(booking)} ({ran})"
    hold.close(booking, kept, BookingState.COMPLETED, Outcome.DELIVERED, at, why)
    return kept, booking.reader_earnings_cents


def settle_no_shows(pairs, now):
    """10 minutes after the start and the reading never began: who was there decides (S-6), for
    each (locked booking, its locked reading or None) of `pairs`. The holds end in one round trip
    to the ledger, the notifications in one INSERT, the readers' counts in one UPDATE."""
    pairs = list(pairs)
    if not pairs:
        return
    people = {b.client_id for b, _ in pairs} | {b.reader_id for b, _ in pairs}
    users = {user.id: user for user in db.session.execute(sa.select(User).where(one_of(User.id, people))).scalars()}
    # Into memory for the transaction: cancelling each reading looks up its reader's profile.
    found = profiles.preload(people)
    profile_names = {user_id: profile.display_name for user_id, profile in found.items() if profile is not None}
    names = {b.id: profile_names.get(b.reader_id) or users[b.reader_id].display_name for b, _ in pairs}
    with db.session.no_autoflush:  # the readings' changes go in one flush, not one per reading
        endings = [_no_show(booking, reading, now, names[booking.id]) for booking, reading in pairs]
    hold.close_many(endings, now)
    availability.count_cancellations([e.booking.reader_id for e in endings if e.outcome == Outcome.READER_NO_SHOW])
    notes = []
    with mail.links_outside_request():
        for ending in endings:
            booking = ending.booking
            link = notifications.path_for("bookings.show", booking_id=booking.id)
            notes += [(person, "booking", text, link) for person, text in _told(ending, users, names[booking.id])]
    notifications.notify_many(notes)


def _no_show(booking, reading, now, name):
    """How one (locked) no-show of the reader called `name` ends (a hold.Ending); its reading, if
    any, is cancelled."""
    if reading is not None:
        metering.cancel(reading, EndReason.JOIN_TIMEOUT, now)
    reader_came = reading is not None and reading.reader_seen_at is not None
    client_came = reading is not None and reading.client_seen_at is not None
    if reader_came and not client_came:
        kept = booking.price_cents // 2  # a late cancellation: the odd cent to the client
        why = "Booked reading missed: half kept"
        return hold.Ending(booking, kept, BookingState.CANCELLED, Outcome.CLIENT_NO_SHOW, why, CancelledBy.CLIENT)
    if not reader_came:
        why = f"{name} did not come: all back"
        return hold.Ending(booking, 0, BookingState.CANCELLED, Outcome.READER_NO_SHOW, why, CancelledBy.READER)
    why = "Booked reading did not start: all back"
    return hold.Ending(booking, 0, BookingState.CANCELLED, Outcome.NOT_STARTED, why, CancelledBy.SYSTEM)


def _told(ending, users, name):
    """What each of the two is told of a settled no-show: [(person, text)]."""
    booking, client = ending.booking, users[ending.booking.client_id]
    when_client = zones.long_label(booking.starts_at, booking.client_time_zone)
    when_reader = zones.long_label(booking.starts_at, booking.reader_time_zone)
    if ending.outcome == Outcome.CLIENT_NO_SHOW:
        earned = format_cents(booking.reader_earnings_cents)
        return [
            (client, f"You did not join your reading with {name} of {when_client}: half of the price was kept."),
            (booking.reader_id, f"{client.display_name} did not join the reading of {when_reader}; "
                                f"you earned {earned}."),
        ]  # fmt: skip
    if ending.outcome == Outcome.READER_NO_SHOW:
        return [
            (client, f"{name} did not join your reading of {when_client}: all of it is back in your wallet."),
            (booking.reader_id, f"You did not join the booked reading of {when_reader}: the client got it all back."),
        ]
    text = "The booked reading did not start (you were never in the room together): all of it went back."
    return [(client, text), (booking.reader_id, text)]


# The tick -------------------------------------------------------------------------------------------
# When a booking needs the tick: one rule, in Python (for a booking and its reading in hand) and in
# SQL (to find them), side by side; tests/bookings/test_attending.py checks that they agree.
#   confirmed:    its room opens (start − 5 min) — or, 10 minutes after the start, it never could
#   in_progress:  10 minutes after the start, its reading has not begun (accepted, or cancelled)


def needs_tick(booking, reading_state, now):
    if booking.state == BookingState.CONFIRMED:
        return now >= booking.starts_at - OPENS_BEFORE
    if booking.state == BookingState.IN_PROGRESS:
        return now >= booking.starts_at + NO_SHOW_AFTER and reading_state in (S.ACCEPTED, S.CANCELLED)
    return False


def needs_tick_clause(now):
    reading_state = sa.select(Reading.state).where(Reading.booking_id == Booking.id).scalar_subquery()
    return sa.or_(
        sa.and_(Booking.state == BookingState.CONFIRMED, Booking.starts_at <= now + OPENS_BEFORE),
        sa.and_(
            Booking.state == BookingState.IN_PROGRESS,
            Booking.starts_at <= now - NO_SHOW_AFTER,
            reading_state.in_([S.ACCEPTED, S.CANCELLED]),
        ),
    )


def bring_up_to_date(bookings, now):
    """The (locked) bookings of a batch that need the tick: rooms to open, one by one (each may
    have to wait for another reading to end), and the no-shows together."""
    bookings = list(bookings)
    readings = {
        reading.booking_id: reading
        for reading in db.session.execute(
            sa.select(Reading)
            .where(one_of(Reading.booking_id, [booking.id for booking in bookings]))
            .order_by(Reading.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    no_shows = []
    for booking in bookings:
        reading = readings.get(booking.id)
        if not needs_tick(booking, reading.state if reading else None, now):
            continue
        if booking.state == BookingState.CONFIRMED and now < booking.starts_at + NO_SHOW_AFTER:
            open_room(booking, now)
        else:
            no_shows.append((booking, reading))
    settle_no_shows(no_shows, now)


def tick(now=None, batch_size=200):
    """The bookings' periodic work: rooms to open, no-shows to settle, reminders to send. A batch per
    transaction, rows taken with FOR UPDATE SKIP LOCKED, so any number of workers may run it."""
    batch_now = None

    def next_batch(after):
        nonlocal batch_now
        batch_now = now or clock.now()
        return (
            db.session.execute(
                sa.select(Booking)
                .where(needs_tick_clause(batch_now), Booking.id > (after.id if after else 0))
                .order_by(Booking.id)
                .limit(batch_size)
                .with_for_update(of=Booking, skip_locked=True)
                .execution_options(populate_existing=True)
            )
            .scalars()
            .all()
        )

    handled = ticks.in_batches(next_batch, lambda bookings: bring_up_to_date(bookings, batch_now), batch_size)
    return handled + reminders.send_due(now or clock.now(), batch_size)
