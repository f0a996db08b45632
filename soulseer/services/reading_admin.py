"""What admins see and do with readings: the searchable list, a reading's full record, refunds.

Refunds (PRODUCT.md §4): full or partial, with a reason, through ledger operations.refund, which
takes floor(amount × reader earnings / cost) back from the reader and the rest from the platform.
What has been refunded is derived from the ledger itself (the wallet legs of the `refund`
transactions referencing the reading), never from a counter that could drift. The reading row is
locked while refunding, so two admins (or a double submit) cannot both pass the
"at most cost − already refunded" check; the idempotency key comes from the form
(`reading:<id>:refund:<form key>`), so the same form posted twice refunds once.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import InsufficientFunds, LedgerEntry, LedgerTransaction, Posted, TransactionKind, operations
from soulseer.models import Reading, ReadingEvent, ReadingState, Review, User
from soulseer.services import audit, metering, wallet

PER_PAGE = 50


class RefundError(Exception):
    def __init__(self, message, field="amount"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ReadingFilter:
    state: str = ""
    who: str = ""
    date_from: object = None
    date_to: object = None


def search(filters, page):
    """Readings newest first, by state, by the client's or reader's email or name, by request date."""
    client, reader = aliased(User), aliased(User)
    statement = (
        sa.select(Reading)
        .join(client, client.id == Reading.client_id)
        .join(reader, reader.id == Reading.reader_id)
        .order_by(Reading.requested_at.desc(), Reading.id.desc())
    )
    if filters.state:
        statement = statement.where(Reading.state == filters.state)
    if filters.who:
        like = f"%{filters.who.strip().lower()}%"
        statement = statement.where(
            sa.or_(
                client.email.ilike(like), client.display_name.ilike(like),
                reader.email.ilike(like), reader.display_name.ilike(like),
            )
        )  # fmt: skip
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
    return list(
        db.session.execute(
            sa.select(LedgerEntry)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .options(joinedload(LedgerEntry.transaction), joinedload(LedgerEntry.account))
            .where(LedgerTransaction.reference_type == "reading", LedgerTransaction.reference_id == reading.id)
            .order_by(LedgerTransaction.id, LedgerEntry.id)
        ).scalars()
    )


def refunded_cents(reading_id):
    """What has gone back to the client for this reading: the positive (wallet) legs of its refunds."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(sa.func.greatest(LedgerEntry.amount, 0)), 0))
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerTransaction.kind == TransactionKind.REFUND,
                LedgerTransaction.reference_type == "reading",
                LedgerTransaction.reference_id == reading_id,
            )
        )
    )


def refundable_cents(reading):
    if reading.state != ReadingState.FINALIZED or not reading.cost_cents:
        return 0
    return reading.cost_cents - refunded_cents(reading.id)


def refund_key(reading_id, request_key):
    return f"reading:{reading_id}:refund:{request_key}"


def refund(admin, reading_id, amount, reason, request_key):
    """Refund `amount` cents of a finalized reading to its client. Returns the ledger Posted
    (created=False when this form was already processed). Raises RefundError; the caller rolls back."""
    reading = metering.lock(reading_id)
    if reading is None:
        raise RefundError("There is no such reading.", None)
    key = refund_key(reading.id, request_key)
    already = db.session.execute(sa.select(LedgerTransaction.id).filter_by(idempotency_key=key)).scalar_one_or_none()
    if already is not None:  # the same form, submitted again: it was refunded once
        return Posted(already, created=False)
    if reading.state != ReadingState.FINALIZED or not reading.cost_cents:
        raise RefundError("Only a finished reading that cost something can be refunded.", None)
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise RefundError("Give a reason of 5 to 500 characters.", "reason")
    before = refunded_cents(reading.id)
    remaining = reading.cost_cents - before
    if amount <= 0:
        raise RefundError("Enter an amount above zero.")
    if amount > remaining:
        raise RefundError(f"At most {remaining / 100:,.2f} can still be refunded for this reading.")
    try:
        posted = operations.refund(
            reading.client, reading.reader, amount, reading.cost_cents, reading.reader_earnings_cents or 0,
            key, ("reading", reading.id), admin, reason,
        )  # fmt: skip
    except InsufficientFunds:
        raise RefundError(
            "The reader's earnings no longer hold their part of this refund (paid out). "
            "Refund less, or adjust the client's wallet from the Ledger page instead."
        ) from None
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


def _messages_table_exists():
    # The live-readings area owns reading_messages; read it only where its migration has run.
    return db.session.scalar(sa.text("SELECT to_regclass('reading_messages') IS NOT NULL"))


def transcript_rows(reading_ids):
    """(reading_id, sender_id, body, created_at) of the chat lines of these readings, in order;
    None when the chat table does not exist."""
    if not _messages_table_exists():
        return None
    if not reading_ids:
        return []
    return db.session.execute(
        sa.text(
            "SELECT reading_id, sender_id, body, created_at FROM reading_messages "
            "WHERE reading_id = ANY(:ids) ORDER BY reading_id, created_at, id"
        ),
        {"ids": list(reading_ids)},
    ).all()


def transcript(reading):
    """The reading's chat as (who, body, at) lines, or None when there is no chat table."""
    rows = transcript_rows([reading.id])
    if rows is None:
        return None
    names = {reading.client_id: reading.client.display_name, reading.reader_id: reading.reader.display_name}
    return [(names.get(row.sender_id, "?"), row.body, row.created_at) for row in rows]
