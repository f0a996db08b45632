"""Calendar files for bookings (next-areas.md S-8): one VEVENT per booking, times in UTC (so no
VTIMEZONE is needed), a UID that never changes, SEQUENCE that grows with each change, a 15-minute
alarm, and no one's email address (contact details are never shown to the other side). The same
events make a person's private feed of upcoming bookings (`feed`, services/bookings/feeds.py)."""

from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vDuration

from soulseer.extensions import db
from soulseer.models import User
from soulseer.models.booking import BookingState
from soulseer.models.reading import MODE_LABELS
from soulseer.services.bookings import zones
from soulseer.services.core import mail
from soulseer.services.marketplace import profiles

PRODID = "-//SoulSeer//Bookings//EN"
REFRESH = timedelta(hours=1)


def uid(booking):
    """Stable for ever: the host SoulSeer answers on, and the booking's id."""
    return f"booking-{booking.id}@{_host()}"


def feed_uid(user_id):
    """The feed's own UID (RFC 7986), the same at every refresh."""
    return f"bookings-feed-{user_id}@{_host()}"


def _host():
    return urlsplit(mail.external_url("main.home")).hostname


def ics(booking, other_name, stamp):
    """The booking as an iCalendar file (text): METHOD:PUBLISH, or CANCEL once it is cancelled."""
    calendar = Calendar.new(prodid=PRODID, method=method(booking))
    calendar.add_component(_event(booking, other_name, stamp))
    return calendar.to_ical().decode()


def feed(feed_uid, bookings_and_names, stamp):
    """A subscribed calendar (text) of these (booking, the other person's display name) pairs, with
    the refresh hints of S-8: calendar apps poll it (hourly asked; Google takes a day or more)."""
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", name="SoulSeer readings", uid=feed_uid)
    # RFC 7986 wants VALUE=DURATION written out; X-PUBLISHED-TTL is the older hint Outlook reads.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for booking, other_name in bookings_and_names:
        calendar.add_component(_event(booking, other_name, stamp))
    return calendar.to_ical().decode()


def _event(booking, other_name, stamp):
    cancelled = booking.state == BookingState.CANCELLED
    page = mail.external_url("bookings.show", booking_id=booking.id)
    event = Event.new(
        uid=uid(booking),
        start=booking.starts_at,
        end=booking.ends_at,
        stamp=stamp,
        sequence=booking.sequence,
        summary=f"{MODE_LABELS[booking.mode]} reading with {other_name}",
        description=f"Your booked reading on SoulSeer. The room opens 5 minutes before: {page}",
        url=page,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Reading with {other_name} in 15 minutes")
        alarm.add("trigger", timedelta(minutes=-15))
        event.add_component(alarm)
    return event


def method(booking):
    return "CANCEL" if booking.state == BookingState.CANCELLED else "PUBLISH"


def mail_both(booking, template, now):
    """The booking's email to each of its two people, in their own zone, with the calendar file
    (PUBLISH, or CANCEL once cancelled) naming the other person only by display name."""
    client, reader = db.session.get(User, booking.client_id), db.session.get(User, booking.reader_id)
    profile = profiles.profile_for(reader)
    reader_name = profile.display_name if profile else reader.display_name
    link = mail.external_url("bookings.show", booking_id=booking.id)
    for person, other_name, zone, is_client in (
        (client, reader_name, booking.client_time_zone, True),
        (reader, client.display_name, booking.reader_time_zone, False),
    ):
        mail.send(
            person.email, template, calendar=(method(booking), ics(booking, other_name, now)),
            person=person, other_name=other_name, when=zones.long_label(booking.starts_at, zone),
            booking=booking, is_client=is_client, link=link,
        )  # fmt: skip
