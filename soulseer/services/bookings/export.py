"""The person's bookings, and a reader's availability, in "export my data" (/account/export)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import AvailabilityRule, Booking, BookingSettings, CalendarFeed
from soulseer.services.bookings import availability
from soulseer.services.core.data_export import export_section, iso


@export_section("bookings")
def bookings_export(user):
    column = Booking.reader_id if user.is_reader else Booking.client_id
    rows = db.session.execute(sa.select(Booking).where(column == user.id).order_by(Booking.starts_at)).scalars()
    exported = {
        "time_zone": user.time_zone,
        "bookings": [
            {
                "id": b.id,
                "with": b.client.display_name if user.is_reader else b.reader.display_name,
                "mode": b.mode,
                "minutes": b.length_minutes,
                "starts_at": iso(b.starts_at),
                "price_cents": b.price_cents,
                "state": b.state,
                "outcome": b.outcome,
                "cancelled_by": b.cancelled_by,
                "kept_cents": b.charged_cents,
                "refunded_cents": b.refunded_cents,
            }
            for b in rows
        ],
    }
    feed = db.session.get(CalendarFeed, user.id)
    # Whether the private calendar address is on; the address itself is not kept (only its hash).
    exported["calendar_feed_since"] = iso(feed.created_at) if feed else None
    settings = db.session.get(BookingSettings, user.id)
    if settings is not None:
        rules = db.session.execute(
            sa.select(AvailabilityRule).filter_by(reader_id=user.id).order_by(AvailabilityRule.weekday)
        ).scalars()
        exported["availability"] = {
            "time_zone": settings.time_zone,
            "lengths": settings.lengths,
            "weekly": [
                {
                    "weekday": availability.WEEKDAYS[r.weekday],
                    "hours": availability.ranges_text([(r.start_minute, r.end_minute)]),
                }
                for r in rules
            ],
        }
    return exported
