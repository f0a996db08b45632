"""Scheduled readings (PRODUCT.md §5; docs/bookings.md): readers' availability in their own time
zone, the slots clients see in theirs, booking with the price held, cancellation by rule.

zones.py         which time zones we accept; how a time is written (always with its abbreviation)
availability.py  the reader's settings, weekly ranges and date overrides
slots.py         the slot algorithm (next-areas.md S-3): one function for the list and the booking
booking.py       booking (one transaction: the row and the hold), cancelling by rule, the lists
hold.py          the booking's money: its hold, and the one ending of it (settle or release)
attending.py     the booked reading in the live room: opening, no-shows, settling; the tick
reminders.py     24 hours and 15 minutes before, once each
calendar.py      the .ics files, and the emails that carry them
feeds.py         the private calendar feed: its address (kept hashed), new, off, and its text
admin.py         what admins see and do: the list, a booking's ledger lines, refunds
export.py        the person's bookings in "export my data"
"""


def init_app(app):
    from soulseer.ledger import verify
    from soulseer.services.bookings import attending, export  # noqa: F401  (export registers its section)
    from soulseer.services.core import ticks
    from soulseer.services.marketplace import reader_status
    from soulseer.services.readings import metering

    # A finished booking's hold must be empty: settled or released, never left holding money.
    verify.register_finished_holds(app, "booking", "bookings", ("completed", "cancelled"))
    metering.register_prepaid(app, attending.settle_reading)  # a booked reading settles by its rule
    ticks.register(app, "bookings", attending.tick)
    # From 5 minutes before a booking the reader is busy with it: no on-demand request reaches her.
    reader_status.register_scheduled(app, attending.reader_held)
