"""Ledger tables: accounts, transactions, entries. Amounts are integer cents (BIGINT), signed.

Every transaction's entries sum to zero. Entries and transactions are append-only: the database
refuses UPDATE and DELETE on them (migration 0004's triggers), so a correction is always a new,
reversing transaction.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class AccountKind(enum.StrEnum):
    # Owned by a person; balance tracked under lock and checked against limits.
    CLIENT_WALLET = "client_wallet"  # a client's spendable money
    READER_EARNINGS = "reader_earnings"  # a reader's earnings not yet paid out
    HOLD = "hold"  # money reserved for one reading or booking, not yet anyone's
    # The platform's and the outside world's; balance derived from entries (no row lock).
    PLATFORM_REVENUE = "platform_revenue"
    STRIPE_CLEARING = "stripe_clearing"  # money that came in from (or went back to) Stripe
    PAYOUTS_IN_TRANSIT = "payouts_in_transit"
    PAYOUTS_PAID = "payouts_paid"
    ADJUSTMENTS = "adjustments"  # the other side of admin balance adjustments


# Accounts whose cached balance is kept (locked in id order on every posting). The others are
# "derived" accounts: entries only, balance = SUM(entries). Every charge credits platform revenue;
# locking one revenue row would queue all charges behind it (docs/ledger.md).
TRACKED_KINDS = frozenset({AccountKind.CLIENT_WALLET, AccountKind.READER_EARNINGS, AccountKind.HOLD})


class TransactionKind(enum.StrEnum):
    TOPUP = "topup"
    TOPUP_REFUND = "topup_refund"
    DISPUTE = "dispute"
    DISPUTE_REVERSAL = "dispute_reversal"
    ADJUSTMENT = "adjustment"
    HOLD_RESERVE = "hold_reserve"
    HOLD_SETTLE = "hold_settle"
    HOLD_RELEASE = "hold_release"
    PURCHASE = "purchase"  # gifts, paid replies, shop items: straight from the wallet, split
    REFUND = "refund"  # an admin refund of a reading, booking or purchase
    PAYOUT = "payout"
    PAYOUT_PAID = "payout_paid"
    PAYOUT_FAILED = "payout_failed"
    PAYOUT_REVERSAL = "payout_reversal"  # a paid payout's Transfer reversed: back to earnings


class LedgerAccount(db.Model):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('client_wallet', 'reader_earnings', 'hold', 'platform_revenue', 'stripe_clearing', "
            "'payouts_in_transit', 'payouts_paid', 'adjustments')",
            name="kind_known",
        ),
        # Holds never go below zero, whatever the code does.
        sa.CheckConstraint("kind <> 'hold' OR balance >= 0", name="hold_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Cached sum of entries for tracked kinds; always 0 for derived kinds (see TRACKED_KINDS).
    balance: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # A disputed top-up freezes spending until an admin reviews it.
    frozen: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()

    owner = relationship("User")

    @property
    def tracked(self):
        return self.kind in TRACKED_KINDS


class LedgerTransaction(db.Model):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # not indexed: no query needs it (migration 0014)
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # A digest of what the posting moves: the same key with other contents is an error.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    reference_type: Mapped[str | None] = mapped_column(sa.String(40))
    reference_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    entries = relationship(
        "LedgerEntry",
        back_populates="transaction",
        order_by="LedgerEntry.id",
        primaryjoin="LedgerTransaction.id == foreign(LedgerEntry.transaction_id)",
    )

    __table_args__ = (sa.Index("ix_ledger_transactions_reference", "reference_type", "reference_id"),)


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    # No foreign keys (migration 0013): a key check locks the referenced row, and the platform
    # revenue account is the hottest row of all. ledger_post_batch() is the only writer and makes
    # every account first; accounts, transactions and entries are never deleted (triggers), and
    # `flask ledger verify` checks that every entry's account and transaction exist.
    transaction_id: Mapped[int] = mapped_column()
    account_id: Mapped[int] = mapped_column()
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    # The account's balance right after this entry (tracked accounts only).
    balance_after: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = created_at_column()

    transaction = relationship(
        "LedgerTransaction",
        back_populates="entries",
        primaryjoin="foreign(LedgerEntry.transaction_id) == LedgerTransaction.id",
    )
    account = relationship("LedgerAccount", primaryjoin="foreign(LedgerEntry.account_id) == LedgerAccount.id")

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.Index("ix_ledger_entries_account_id_id", "account_id", "id"),
        sa.Index("ix_ledger_entries_transaction_id", "transaction_id"),
    )
