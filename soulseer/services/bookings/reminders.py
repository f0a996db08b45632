"""Reminders (next-areas.md S-7): 24 hours and 15 minutes before a booked reading, to both people,
in-app and by email, each sent exactly once.

A reminder is a row per (booking, kind), UNIQUE, made when the booking is made — except one whose
time has already passed (a booking made 3 hours ahead gets no 24-hour reminder). The tick sends
the rows that are due and not sent, taking them with FOR UPDATE SKIP LOCKED and marking them sent
in the same transaction, so two workers never send one twice. Ending a booking deletes its unsent
reminders (hold.close)."""

from datetime import timedelta

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Booking, BookingReminder, User
from soulseer.models.booking import BookingState, ReminderKind
from soulseer.services.bookings import zones
from soulseer.services.core import mail, notifications
from soulseer.services.marketplace import profiles

LEADS = {ReminderKind.DAY: timedelta(hours=24), ReminderKind.QUARTER: timedelta(minutes=15)}
WORDS = {ReminderKind.DAY: "tomorrow", ReminderKind.QUARTER: "in 15 minutes"}


def plan(booking, now):
    """The booking's reminders whose time is still ahead."""
    for kind, lead in LEADS.items():
        if booking.starts_at - lead > now:
            db.session.add(BookingReminder(booking_id=booking.id, kind=kind, send_at=booking.starts_at - lead))


def due_clause(now):
    """Reminders to send now: due, not sent, for a booking still to come."""
    return sa.and_(
        BookingReminder.sent_at.is_(None),
        BookingReminder.send_at <= now,
        Booking.starts_at > now,
        Booking.state == BookingState.CONFIRMED,
    )


def send_due(now, batch_size=200):
    """Send every due reminder once, a batch per transaction. Returns how many were sent."""
    sent = 0
    while True:
        rows = db.session.execute(
            sa.select(BookingReminder, Booking)
            .join(Booking, Booking.id == BookingReminder.booking_id)
            .where(due_clause(now))
            .order_by(BookingReminder.id)
            .limit(batch_size)
            .with_for_update(of=BookingReminder, skip_locked=True)
        ).all()
        for reminder, booking in rows:
            _send(reminder, booking)
            reminder.sent_at = now
        db.session.commit()
        sent += len(rows)
        if len(rows) < batch_size:
            return sent


def _send(reminder, booking):
    profile = profiles.profile_for(booking.reader_id)
    reader_name = profile.display_name if profile else None
    client = db.session.get(User, booking.client_id)
    reader = db.session.get(User, booking.reader_id)
    link = notifications.path_for("bookings.show", booking_id=booking.id)
    for person, other_name, zone in (
        (client, reader_name or reader.display_name, booking.client_time_zone),
        (reader, client.display_name, booking.reader_time_zone),
    ):
        when = zones.long_label(booking.starts_at, zone)
        notifications.notify(
            person, "booking", f"Your reading with {other_name} is {WORDS[reminder.kind]}: {when}.", link=link
        )
        mail.send(
            person.email, "booking_reminder", person=person, other_name=other_name, when=when,
            soon=WORDS[reminder.kind], booking=booking, link=mail.external_url("bookings.show", booking_id=booking.id),
        )  # fmt: skip
