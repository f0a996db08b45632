"""A booking's money: held from the client's wallet when it is booked, ended once by a rule.

Every ending — a cancellation, a no-show, a delivered reading — comes here: `kept` cents are
charged from the hold with the split at the share fixed when it was booked (the reader gets
floor(kept × share), the platform the rest) and the rest of the hold goes back to the client, in
one posting with the booking's one settlement key (`keys.booking_settlement`), so a hold can end
only once however many clicks, ticks or workers try.
"""

from soulseer.extensions import db
from soulseer.ledger import keys
from soulseer.models import Booking, BookingReminder, User
from soulseer.models.booking import BookingState
from soulseer.services import commerce
from soulseer.services.payments import wallet


def reference(booking):
    """The booking in the ledger: its hold is the account `hold:booking:<id>`."""
    return ("booking", booking.id if isinstance(booking, Booking) else booking)


def close(booking, kept, state, outcome, now, why, by=None):
    """End the (locked) booking's hold: charge `kept`, give the rest back, record how it ended."""
    client = db.session.get(User, booking.client_id)
    key = keys.booking_settlement(booking.id)
    if kept:
        reader = db.session.get(User, booking.reader_id)
        settlement = commerce.settle(client, reference(booking), kept, reader, key, why, share_bps=booking.share_bps)
        booking.reader_earnings_cents = settlement.to_reader
    else:
        commerce.release(client, reference(booking), booking.price_cents, key, why)
        booking.reader_earnings_cents = 0
    booking.state = state
    booking.outcome = outcome
    booking.charged_cents = kept
    booking.refunded_cents = booking.price_cents - kept
    if state == BookingState.CANCELLED:
        booking.cancelled_at = now
        booking.cancelled_by = by
    booking.sequence += 1  # the calendar's event changes (RFC 5545 SEQUENCE)
    # Reminders not sent yet are for a reading that will not happen (S-7).
    db.session.execute(
        db.delete(BookingReminder).where(BookingReminder.booking_id == booking.id, BookingReminder.sent_at.is_(None))
    )
    wallet.announce_balance(client)
