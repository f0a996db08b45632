"""Booking a scheduled reading and cancelling it (next-areas.md S-4, S-5).

The booking write is one transaction: the slot is checked again with the very function that
listed it (slots.free_starts), the booking row is inserted — the database's exclusion constraints
refuse an overlap another transaction committed a moment ago (SQLSTATE 23P01) — and the price is
held from the client's wallet (commerce.hold). Either all of it is kept or none: every refusal
raises before the view commits, and the view rolls back.

Cancellation moves the money by rule, on the server's clock (PRODUCT.md §5, S-5):
- the client, at least 24 hours before the start (24 h exactly included): everything back;
- the client, later: half the price is kept, rounded down (the odd cent stays with the client),
  and split with the reader at the share fixed when it was booked; the rest comes back;
- the reader or an admin: everything back, and the reader's cancellation count goes up.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import keys
from soulseer.models import ReaderProfile, User
from soulseer.models.booking import LENGTHS, Booking, BookingSettings, BookingState, CancelledBy, Outcome
from soulseer.models.reading import MODE_LABELS
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.bookings import availability, calendar, hold, reminders, slots, zones
from soulseer.services.core import audit, notifications
from soulseer.services.marketplace import profiles
from soulseer.services.payments import wallet
from soulseer.services.readings import room

FREE_CANCELLATION = timedelta(hours=24)
LATE_FEE_BPS = 5000  # half the price is kept when the client cancels later
EXCLUSION_VIOLATION = "23P01"


class BookingError(DomainError):
    """A booking or a cancellation that cannot happen; nothing was kept."""

    status = 422


class SlotTaken(BookingError):
    """The time was free when the page was drawn and is not any more (another client, a change)."""

    status = 409

    def __init__(self, message="That time was just taken. Here are the times still free.", field=None):
        super().__init__(message, field)


def bookable_reader(profile):
    """The reader's settings when clients may book her now; BookingError 404 otherwise."""
    settings = availability.settings_for(profile.user_id)
    if not profiles.is_listed(profile) or not availability.takes_bookings(settings):
        raise BookingError(f"{profile.display_name} does not take bookings at the moment.", status=404)
    return settings


def modes_for(profile):
    """[(mode, label)] she can be booked in: the modes she offers that this server can run."""
    return [(mode, MODE_LABELS[mode]) for mode, _ in room.modes_offered(profile)]


def book(client, profile, mode, length, start, client_zone, now=None):
    """Book the reader of `profile` for `length` minutes in `mode` at `start` (UTC), paying the price
    into a hold now. Raises BookingError (422/404/403), SlotTaken (409), commerce.NotEnoughFunds
    (402: offer a top-up) or SpendingFrozen (403)."""
    now = now or clock.now()
    if not client.is_client:
        raise BookingError("Only clients can book readings.", status=403)
    settings = bookable_reader(profile)
    if mode not in dict(modes_for(profile)):
        raise BookingError("Choose one of the ways this reader offers.", "mode")
    if length not in LENGTHS or length not in settings.lengths:
        raise BookingError("Choose one of the lengths this reader offers.", "length")
    client_zone = zones.check(client_zone)
    if settings.daily_cap is not None:
        # Two clients taking the last times of a capped day at once: one after the other, so the
        # second counts the first (the exclusion constraint guards overlaps, not counts).
        db.session.execute(
            sa.select(BookingSettings.reader_id).filter_by(reader_id=settings.reader_id).with_for_update()
        )
    instant = timedelta(minutes=1)
    schedule = slots.schedule_for(settings, start, start + instant)
    if start not in slots.free_starts(schedule, length, start, start + instant, now):
        raise SlotTaken()
    price = availability.price_for(settings, profile, mode, length)
    ends_at = start + timedelta(minutes=length)
    booking = Booking(
        client_id=client.id,
        reader_id=profile.user_id,
        mode=mode,
        length_minutes=length,
        price_cents=price,
        share_bps=commerce.share_for(profile),
        starts_at=start,
        ends_at=ends_at,
        blocked_until=ends_at + schedule.buffer,
        client_time_zone=client_zone,
        reader_time_zone=settings.time_zone,
        state=BookingState.CONFIRMED,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        if "client_no_overlap" in str(error.orig):
            raise BookingError("You already have a booking at that time.", status=409) from None
        raise SlotTaken() from None
    commerce.hold(
        client, hold.reference(booking), price, keys.booking_hold(booking.id),
        f"Booked reading with {profile.display_name}, {zones.long_label(start, client_zone)}",
    )  # fmt: skip
    client.time_zone = client_zone
    slots.changed(profile.user_id)
    reminders.plan(booking, now)
    calendar.mail_both(booking, "booking_confirmed", now)
    notifications.notify(
        profile.user_id, "booking",
        f"{client.display_name} booked a {length}-minute {mode} reading: "
        f"{zones.long_label(start, settings.time_zone)}",
        link=notifications.path_for("bookings.show", booking_id=booking.id),
    )  # fmt: skip
    wallet.announce_balance(client)
    return booking


# Cancelling -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What a cancellation now would do with the money, before anyone decides."""

    refund: int  # back to the client's wallet
    kept: int  # charged, split with the reader
    free_until: object  # the last instant of the full refund

    @property
    def full(self):
        return self.kept == 0


def terms(booking, by, now=None):
    """The money of cancelling `booking` now, as `by` (CancelledBy)."""
    now = now or clock.now()
    free_until = booking.starts_at - FREE_CANCELLATION
    if by != CancelledBy.CLIENT or now <= free_until:
        return Terms(booking.price_cents, 0, free_until)
    kept = booking.price_cents * LATE_FEE_BPS // 10_000
    return Terms(booking.price_cents - kept, kept, free_until)


def locked(booking_id):
    """The booking's row locked until the commit (two cancels, a cancel and the tick, wait in turn)."""
    return db.session.execute(
        sa.select(Booking).filter_by(id=booking_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def cancel(booking, actor, now=None):
    """Cancel a booking the caller has locked (`locked`), as its client, its reader or an admin.
    Returns the Terms applied. A booking already over is refused (409)."""
    now = now or clock.now()
    by = _canceller(booking, actor)
    if booking.state != BookingState.CONFIRMED:
        raise BookingError("This booking can no longer be cancelled.", status=409)
    if now >= booking.starts_at and by == CancelledBy.CLIENT:
        raise BookingError("This reading has started: it can no longer be cancelled.", status=409)
    applied = terms(booking, by, now)
    client = db.session.get(User, booking.client_id)
    reader = db.session.get(User, booking.reader_id)
    why = f"Booking with {_name(reader)} cancelled" + (" late: half kept" if applied.kept else "")
    hold.close(booking, applied.kept, BookingState.CANCELLED, Outcome.CANCELLED, now, why, by=by)
    if by != CancelledBy.CLIENT:
        availability.count_cancellations([booking.reader_id])
    if by == CancelledBy.ADMIN:
        audit.record(
            actor, "booking.cancelled", booking, before={"state": "confirmed"},
            after={"state": "cancelled", "refunded_cents": applied.refund},
        )  # fmt: skip
    _tell_cancelled(booking, by, client, reader, applied)
    calendar.mail_both(booking, "booking_cancelled", now)
    return applied


def _canceller(booking, actor):
    if actor.id == booking.client_id:
        return CancelledBy.CLIENT
    if actor.id == booking.reader_id:
        return CancelledBy.READER
    if actor.is_admin:
        return CancelledBy.ADMIN
    raise BookingError("There is no such booking.", status=404)


def _name(reader):
    profile = profiles.profile_for(reader)
    return profile.display_name if profile else reader.display_name


def _tell_cancelled(booking, by, client, reader, applied):
    """The other side (both, when an admin cancels) hears of it in-app."""
    link = notifications.path_for("bookings.show", booking_id=booking.id)
    when_client = zones.long_label(booking.starts_at, booking.client_time_zone)
    when_reader = zones.long_label(booking.starts_at, booking.reader_time_zone)
    if by != CancelledBy.CLIENT:
        who = "An admin" if by == CancelledBy.ADMIN else _name(reader)
        notifications.notify(
            client, "booking",
            f"{who} cancelled your reading of {when_client}: {format_cents(applied.refund)} is back in your wallet.",
            link=link,
        )  # fmt: skip
    if by != CancelledBy.READER:
        notifications.notify(
            reader, "booking", f"{client.display_name} cancelled the reading of {when_reader}.", link=link
        )


# Reading them --------------------------------------------------------------------------------------


def for_person(booking_id, user):
    """The booking if `user` is its client or reader (admins: any); None otherwise (answer 404)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not (booking.has(user) or user.is_admin):
        return None
    return booking


def lists_for(user, now=None):
    """(upcoming, past) bookings of a client or a reader: upcoming soonest first, past latest first."""
    now = now or clock.now()
    column = Booking.reader_id if user.is_reader else Booking.client_id
    rows = db.session.execute(sa.select(Booking).where(column == user.id).order_by(Booking.starts_at)).scalars().all()
    upcoming = [b for b in rows if b.active and b.ends_at > now]
    past = [b for b in reversed(rows) if b not in upcoming]
    return upcoming, past


def reader_names(bookings):
    """{reader user id: display name on her profile} for these bookings, in one query."""
    ids = {booking.reader_id for booking in bookings}
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(ReaderProfile.user_id, ReaderProfile.display_name).where(ReaderProfile.user_id.in_(ids))
    )
    return dict(rows.all())
