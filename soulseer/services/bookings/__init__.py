"""Scheduled readings (PRODUCT.md §5; docs/bookings.md): readers' availability in their own time
zone, the slots clients see in theirs, booking with the price held, cancellation by rule.

zones.py         which time zones we accept; how a time is written (always with its abbreviation)
availability.py  the reader's settings, weekly ranges and date overrides
slots.py         the slot algorithm (next-areas.md S-3): one function for the list and the booking
booking.py       booking (one transaction: the row and the hold), cancelling by rule, the lists
"""


def init_app(app):
    from soulseer.ledger import verify

    # A finished booking's hold must be empty: settled or released, never left holding money.
    verify.register_finished_holds(app, "booking", "bookings", ("completed", "cancelled"))
