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
from soulseer.models.base import one_of
from soulseer.models.booking import BookingState, ReminderKind
from soulseer.services.bookings import zones
from soulseer.services.core import mail, notifications, ticks
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

    def next_batch(_after):
        return db.session.execute(
            sa.select(BookingReminder, Booking)
            .join(Booking, Booking.id == BookingReminder.booking_id)
            .where(due_clause(now))
            .order_by(BookingReminder.id)
            .limit(batch_size)
            .with_for_update(of=BookingReminder, skip_locked=True)
        ).all()

    def handle(rows):
        _send(rows)
        if rows:
            db.session.execute(
                sa.update(BookingReminder)
                .where(one_of(BookingReminder.id, [reminder.id for reminder, _ in rows]))
                .values(sent_at=now)
            )

    return ticks.in_batches(next_batch, handle, batch_size)


def _send(rows):
    """The batch's reminders to both people of each booking, in-app and by email: one INSERT of
    the notifications and one of the emails for the whole batch."""
    people = {booking.client_id for _, booking in rows} | {booking.reader_id for _, booking in rows}
    users = {user.id: user for user in db.session.execute(sa.select(User).where(one_of(User.id, people))).scalars()}
    reader_names = {user_id: profile.display_name for user_id, profile in profiles.profiles_for(people).items()}
    notes, emails = [], []
    with mail.links_outside_request():
        for reminder, booking in rows:
            client, reader = users[booking.client_id], users[booking.reader_id]
            link = notifications.path_for("bookings.show", booking_id=booking.id)
            page = mail.external_url("bookings.show", booking_id=booking.id)
            for person, other_name, zone in (
                (client, reader_names.get(reader.id) or reader.display_name, booking.client_time_zone),
                (reader, client.display_name, booking.reader_time_zone),
            ):
                when = zones.long_label(booking.starts_at, zone)
                notes.append(
                    (person, "booking", f"Your reading with {other_name} is {WORDS[reminder.kind]}: {when}.", link)
                )
                emails.append((person.email, "booking_reminder", {
                    "person": person, "other_name": other_name, "when": when, "soon": WORDS[reminder.kind],
                    "booking": booking, "link": page,
                }))  # fmt: skip
        notifications.notify_many(notes)
        mail.send_many(emails)
