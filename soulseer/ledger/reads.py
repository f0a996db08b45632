"""Reading the ledger: figures summed from its lines, in exact integer cents.

Each function answers one question in the ledger's own words and runs one query. Windows are
half-open, [start, end), on the time each line was posted (`ledger_entries.created_at`, the
application clock at posting). Accounts are named by spec (soulseer/ledger/accounts.py).
"""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction, TransactionKind

# The postings in which a client pays for something (a reading's settlement, a purchase) or gets
# it back (a refund): their lines on platform revenue and reader earnings add up to what the
# client paid, net of what was refunded. Payouts also touch reader earnings, so the transaction's
# kind is what tells a sale from a payout.
SALE_KINDS = (TransactionKind.HOLD_SETTLE, TransactionKind.PURCHASE, TransactionKind.REFUND)
SALE_ACCOUNT_KINDS = (AccountKind.PLATFORM_REVENUE, AccountKind.READER_EARNINGS)


def _in_window(start, end):
    return sa.and_(LedgerEntry.created_at >= start, LedgerEntry.created_at < end)


def net_change(spec, start, end):
    """How much the account named by `spec` moved between `start` and `end` (0 if it does not exist)."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .where(LedgerAccount.code == spec[0], _in_window(start, end))
    ).scalar_one()


def gross_sales(start, end):
    """What clients paid for readings and other sales between `start` and `end`, net of refunds:
    the reader's and the platform's shares together."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerAccount.kind.in_(SALE_ACCOUNT_KINDS),
            LedgerTransaction.kind.in_(SALE_KINDS),
            _in_window(start, end),
        )
    ).scalar_one()
