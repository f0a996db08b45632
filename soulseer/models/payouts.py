"""Reader payouts through Stripe Connect (docs/payouts.md).

A reader's payout account is her Express connected account at Stripe: created once (its `acct_`
id unique per reader), and its status kept from Stripe's own snapshots (`account.updated` events
on the Connect webhook, or a fetch when she comes back from onboarding). `status_as_of` is when
Stripe took the snapshot that is stored, so an older one arriving late changes nothing.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column, updated_at_column


class PayoutAccount(db.Model):
    __tablename__ = "payout_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    # Created against the stand-in for Stripe (test payouts), not a real Stripe account.
    test: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    details_submitted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    payouts_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    charges_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # capabilities.transfers: inactive, pending or active (None until Stripe says).
    transfers: Mapped[str | None] = mapped_column(sa.String(16))
    currently_due: Mapped[list] = mapped_column(JSONB, default=list, server_default=sa.text("'[]'::jsonb"))
    past_due: Mapped[list] = mapped_column(JSONB, default=list, server_default=sa.text("'[]'::jsonb"))
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(100))
    # When Stripe took the stored snapshot (the event's `created`, or the time of our fetch).
    status_as_of: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The last day the daily run looked at her (each reader once a day, whatever the outcome).
    daily_run_on: Mapped[date | None] = mapped_column(sa.Date)
    # Stripe's last failed payout to her bank (payout.failed on her account): no ledger change,
    # she fixes her bank details in her Express dashboard and Stripe tries again.
    bank_failure_code: Mapped[str | None] = mapped_column(sa.String(100))
    bank_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    user = relationship("User")

    @property
    def active(self):
        """Money can reach her: Stripe accepts transfers to the account and pays out to her bank."""
        return self.transfers == "active" and self.payouts_enabled

    def __repr__(self):
        return f"<PayoutAccount {self.user_id} {self.stripe_account_id} {'active' if self.active else 'setup'}>"


class PayoutStatus(enum.StrEnum):
    PENDING = "pending"  # her earnings moved to "in transit"; the Transfer is being made
    PAID = "paid"  # Stripe made the Transfer to her account
    FAILED = "failed"  # Stripe refused it for good: the money went back to her earnings


class PayoutTrigger(enum.StrEnum):
    DAILY = "daily"  # the daily run
    ON_REQUEST = "on_request"  # "Pay me now"
    RETRY = "retry"  # an admin's retry after a failure


class Payout(db.Model):
    """One payout: her available earnings sent to her connected account as one Stripe Transfer.
    Its ledger lines: `payout:<id>:start` (earnings → in transit), then `payout:<id>:paid` (in
    transit → paid) or `payout:<id>:failed` (in transit → earnings)."""

    __tablename__ = "payouts"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'paid', 'failed')", name="status_known"),
        sa.CheckConstraint("trigger IN ('daily', 'on_request', 'retry')", name="trigger_known"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("reversed_cents >= 0 AND reversed_cents <= amount_cents", name="reversed_within_amount"),
        # At most one payout in flight per reader, whatever runs at once.
        sa.Index(
            "uq_payouts_one_pending_per_user", "user_id", unique=True, postgresql_where=sa.text("status = 'pending'")
        ),
        # The daily run pays a reader at most once a day.
        sa.Index(
            "uq_payouts_daily_per_user",
            "user_id",
            "run_date",
            unique=True,
            postgresql_where=sa.text("trigger = 'daily'"),
        ),  # fmt: skip
        sa.Index("ix_payouts_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    stripe_account_id: Mapped[str] = mapped_column(sa.String(255))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(16), default=PayoutStatus.PENDING, server_default="pending")
    trigger: Mapped[str] = mapped_column(sa.String(16))
    run_date: Mapped[date] = mapped_column(sa.Date)  # the (UTC) day it was made for
    test: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    stripe_transfer_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    failure_code: Mapped[str | None] = mapped_column(sa.String(100))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500))
    reversed_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user = relationship("User")

    @property
    def transfer_group(self):
        """Stripe's transfer_group for this payout: how reconciliation finds its Transfer."""
        return f"payout_{self.id}"

    def __repr__(self):
        return f"<Payout {self.id} {self.user_id} {self.amount_cents} {self.status}>"
