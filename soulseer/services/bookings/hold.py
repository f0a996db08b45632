"""A booking's money: held from the client's wallet when it is booked, ended once by a rule.

Every ending — a cancellation, a no-show, a delivered reading — comes here: `kept` cents are
charged from the hold with the split at the share fixed when it was booked (the reader gets
floor(kept × share), the platform the rest) and the rest of the hold goes back to the client, in
one posting with the booking's one settlement key (`keys.booking_settlement`), so a hold can end
only once however many clicks, ticks or workers try. `close_many` ends a batch of them (the
tick's no-shows) with every posting in one round trip; `close` is the same for one.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger import LedgerError, keys, post_many
from soulseer.models import Booking, BookingReminder
from soulseer.models.base import one_of
from soulseer.models.booking import BookingState
from soulseer.services import commerce
from soulseer.services.bookings import slots
from soulseer.services.payments import wallet


def reference(booking):
    """The booking in the ledger: its hold is the account `hold:booking:<id>`."""
    return ("booking", booking.id if isinstance(booking, Booking) else booking)


@dataclass(frozen=True)
class Ending:
    """How one (locked) booking ends: `kept` cents charged, the rest given back."""

    booking: Booking
    kept: int
    state: str
    outcome: str
    why: str
    by: str | None = None


def close(booking, kept, state, outcome, now, why, by=None):
    """End the (locked) booking's hold: charge `kept`, give the rest back, record how it ended."""
    close_many([Ending(booking, kept, state, outcome, why, by)], now)


def close_many(endings, now):
    """End each (locked) booking's hold as `close` does, the postings in one round trip. A posting
    the ledger refuses raises (nothing of the caller's transaction is to be committed then)."""
    endings = list(endings)
    if not endings:
        return
    held = commerce.held_for([(e.booking.client_id, reference(e.booking)) for e in endings if e.kept])
    postings = []
    for ending in endings:
        booking = ending.booking
        key = keys.booking_settlement(booking.id)
        if ending.kept:
            posting, settlement = commerce.settle_posting(
                booking.client_id, reference(booking), ending.kept, booking.reader_id, key, ending.why,
                booking.share_bps, held[reference(booking)],
            )  # fmt: skip
            booking.reader_earnings_cents = settlement.to_reader
        else:
            posting = commerce.release_posting(
                booking.client_id, reference(booking), booking.price_cents, key, ending.why
            )
            booking.reader_earnings_cents = 0
        if posting is not None:
            postings.append(posting)
    for outcome in post_many(postings):
        if isinstance(outcome, LedgerError):
            raise outcome
    for ending in endings:
        booking = ending.booking
        booking.state = ending.state
        booking.outcome = ending.outcome
        booking.charged_cents = ending.kept
        booking.refunded_cents = booking.price_cents - ending.kept
        if ending.state == BookingState.CANCELLED:
            booking.cancelled_at = now
            booking.cancelled_by = ending.by
        booking.sequence += 1  # the calendar's event changes (RFC 5545 SEQUENCE)
        slots.changed(booking.reader_id)  # its time is free again, or past
        wallet.announce_balance(booking.client_id)
    # Reminders not sent yet are for a reading that will not happen (S-7).
    db.session.execute(
        sa.delete(BookingReminder).where(
            one_of(BookingReminder.booking_id, [e.booking.id for e in endings]), BookingReminder.sent_at.is_(None)
        )
    )
