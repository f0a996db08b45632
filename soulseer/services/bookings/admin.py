"""What admins see and do with bookings: the searchable list (with each reader's cancellation
count), a booking's ledger lines, and refunds of what a booking kept.

A refund goes through commerce.refund on the booking's sale (`("booking", id)`: the settlement
that kept money, a late cancellation's or a delivered reading's), taking the reader's part back in
proportion; the key comes from the form, so the same form posted twice refunds once. Cancelling
(everything back) is the booking's own page, shared with its two people (booking.cancel).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger import Posted, keys, reads
from soulseer.models import Booking, BookingSettings, User
from soulseer.models.booking import BookingState
from soulseer.services import commerce
from soulseer.services.accounts import admin_users
from soulseer.services.bookings import hold
from soulseer.services.bookings.booking import BookingError, locked
from soulseer.services.core import audit
from soulseer.services.payments import wallet

PER_PAGE = 50
STATES = tuple(BookingState)


@dataclass(frozen=True)
class BookingFilter:
    state: str = ""
    who: str = ""


def search(filters, page):
    """Bookings by start, latest first."""
    statement = admin_users.between_parties(Booking, filters.who).order_by(Booking.starts_at.desc(), Booking.id.desc())
    if filters.state:
        statement = statement.where(Booking.state == filters.state)
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False, count=True)


def cancellations(bookings):
    """{reader id: how many bookings she cancelled or missed} for these bookings' readers."""
    ids = {booking.reader_id for booking in bookings}
    rows = db.session.execute(
        sa.select(BookingSettings.reader_id, BookingSettings.cancellations_count).where(
            BookingSettings.reader_id.in_(ids)
        )
    )
    return dict(rows.all())


def ledger_lines(booking):
    return reads.lines_for_reference(hold.reference(booking))


def refunded_cents(booking):
    return reads.refunded(hold.reference(booking))


def refundable_cents(booking):
    return (booking.charged_cents or 0) - refunded_cents(booking)


def refund(admin, booking_id, amount, reason, request_key):
    """Give back `amount` cents of what the booking kept. Raises BookingError or
    commerce.RefundRefused (422); the caller rolls back."""
    booking = locked(booking_id)
    if booking is None:
        raise BookingError("There is no such booking.", status=404)
    reference = hold.reference(booking)
    key = keys.refund(reference, request_key)
    already = reads.posted(key)
    if already is not None:
        return Posted(already, created=False)
    if not booking.charged_cents:
        raise BookingError("This booking kept nothing: there is nothing to refund.")
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise BookingError("Give a reason of 5 to 500 characters.", "reason")
    before = refunded_cents(booking)
    posted = commerce.refund(reference, amount, key, admin, reason)
    wallet.announce_balance(db.session.get(User, booking.client_id))
    audit.record(
        admin, "booking.refund", booking, before={"refunded_cents": before, "kept_cents": booking.charged_cents},
        after={"refunded_cents": before + amount, "amount_cents": amount, "ledger_transaction": posted.transaction_id},
        reason=reason,
    )  # fmt: skip
    return posted
