"""What admins see and do with readings: the searchable list, a reading's full record, refunds.

Refunds (PRODUCT.md §4): full or partial, with a reason, through commerce.refund, which takes
floor(amount × reader earnings / cost) back from the reader and the rest from the platform, and
derives what was paid and what has been refunded from the ledger itself, never from a counter
that could drift. The reading row is locked while refunding too, so two admins (or a double
submit) cannot both pass the checks; the idempotency key comes from the form
(`keys.refund(("reading", id), form key)`), so the same form posted twice refunds once.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.ledger import Posted, keys, reads
from soulseer.models import Reading, ReadingEvent, ReadingState, Review
from soulseer.models.reading import ReadingMessage
from soulseer.services import commerce
from soulseer.services.accounts import admin_users
from soulseer.services.core import audit
from soulseer.services.payments import wallet
from soulseer.services.readings import states

PER_PAGE = 50


class RefundError(DomainError):
    """An admin's refund refused: the reading's record is shown again with the form."""

    status = 422


@dataclass(frozen=True)
class ReadingFilter:
    state: str = ""
    who: str = ""
    date_from: object = None
    date_to: object = None


def search(filters, page):
    """Readings newest first, by state, by the client's or reader's email or name, by request date."""
    newest_first = (Reading.requested_at.desc(), Reading.id.desc())
    statement = admin_users.between_parties(Reading, filters.who).order_by(*newest_first)
    if filters.state:
        statement = statement.where(Reading.state == filters.state)
    tz = clock.now().tzinfo
    if filters.date_from:
        statement = statement.where(Reading.requested_at >= datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.min, tzinfo=tz) + timedelta(days=1)
        statement = statement.where(Reading.requested_at < end)
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False, count=True)


def events(reading):
    return list(
        db.session.execute(
            sa.select(ReadingEvent).filter_by(reading_id=reading.id).order_by(ReadingEvent.at, ReadingEvent.id)
        ).scalars()
    )


def ledger_lines(reading):
    """Every ledger transaction referencing the reading, with its entries and accounts."""
    return reads.lines_for_reference(("reading", reading.id))


def refunded_cents(reading_id):
    """What has gone back to the client for this reading."""
    return reads.refunded(("reading", reading_id))


def refundable_cents(reading):
    if reading.state != ReadingState.FINALIZED or not reading.cost_cents:
        return 0
    return reading.cost_cents - refunded_cents(reading.id)


def refund(admin, reading_id, amount, reason, request_key):
    """Refund `amount` cents of a finalized reading to its client. Returns the ledger Posted
    (created=False when this form was already processed). Raises RefundError or commerce.RefundRefused
    (both DomainErrors, 422); the caller rolls back."""
    reading = states.lock(reading_id)
    if reading is None:
        raise RefundError("There is no such reading.")
    reference = ("reading", reading.id)
    key = keys.refund(reference, request_key)
    already = reads.posted(key)
    if already is not None:  # the same form, submitted again: it was refunded once
        return Posted(already, created=False)
    if reading.state != ReadingState.FINALIZED or not reading.cost_cents:
        raise RefundError("Only a finished reading that cost something can be refunded.")
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise RefundError("Give a reason of 5 to 500 characters.", "reason")
    before = refunded_cents(reading.id)
    posted = commerce.refund(reference, amount, key, admin, reason)  # commerce.RefundRefused: over the rest
    wallet.announce_balance(reading.client)
    audit.record(
        admin, "reading.refund", reading,
        before={"refunded_cents": before, "cost_cents": reading.cost_cents},
        after={"refunded_cents": before + amount, "amount_cents": amount, "ledger_transaction": posted.transaction_id},
        reason=reason,
    )  # fmt: skip
    return posted


def review_of(reading):
    return db.session.execute(sa.select(Review).filter_by(reading_id=reading.id)).scalar_one_or_none()


def transcript(reading):
    """The reading's chat as (who, body, at) lines, in order."""
    names = {reading.client_id: reading.client.display_name, reading.reader_id: reading.reader.display_name}
    lines = db.session.execute(
        sa.select(ReadingMessage)
        .filter_by(reading_id=reading.id)
        .order_by(ReadingMessage.created_at, ReadingMessage.id)
    ).scalars()
    return [(names.get(line.sender_id, "?"), line.body, line.created_at) for line in lines]
