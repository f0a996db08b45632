"""Wallet top-ups and the Stripe events that move them (docs/stripe.md).

A top-up is created pending when the client starts a checkout; only a verified Stripe event,
processed by a job, credits it. Every event Stripe sends is kept once, by its own id, with what
became of it (applied, ignored, or failed and why), so nothing is dropped and admins can see it.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from soulseer import clock
from soulseer.extensions import db
from soulseer.models.base import created_at_column


class TopupStatus(enum.StrEnum):
    PENDING = "pending"  # checkout started; no money yet
    CREDITED = "credited"  # the wallet was credited (once, by the webhook job)
    FAILED = "failed"  # the payment failed, expired or could not start
    REFUNDED = "refunded"  # credited, then (partly) refunded to the card
    DISPUTED = "disputed"  # credited, then disputed by the cardholder


class Topup(db.Model):
    __tablename__ = "topups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'credited', 'failed', 'refunded', 'disputed')", name="status_known"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=TopupStatus.PENDING, server_default=TopupStatus.PENDING.value
    )
    # The Stripe Checkout Session (a cs_test_… id made up by test payments). Unique: one top-up
    # per session, and the ledger key of the credit is "topup:<session id>".
    checkout_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    # Known once Stripe reports the session completed; refunds and disputes name it.
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    created_at: Mapped[datetime] = created_at_column()
    credited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500))

    user = db.relationship("User")

    @property
    def finished(self):
        """No longer waiting for the payment (the return page stops polling)."""
        return self.status != TopupStatus.PENDING

    def __repr__(self):
        return f"<Topup {self.id} {self.amount_cents} {self.status}>"


class StripeEventStatus(enum.StrEnum):
    RECEIVED = "received"  # stored, the processing job not done yet
    APPLIED = "applied"  # processed; its effect (if any) is in the ledger
    IGNORED = "ignored"  # a type we do not act on
    FAILED = "failed"  # could not be applied; `error` says why (kept for admins and retries)


class StripeEvent(db.Model):
    __tablename__ = "stripe_events"
    __table_args__ = (
        sa.CheckConstraint("status IN ('received', 'applied', 'ignored', 'failed')", name="status_known"),
    )

    # Stripe's own event id (evt_…): a second delivery of the same event is the same row.
    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100), index=True)
    payload: Mapped[dict] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=clock.now, server_default=sa.func.now(), index=True
    )
    status: Mapped[str] = mapped_column(
        sa.String(16), default=StripeEventStatus.RECEIVED, server_default=StripeEventStatus.RECEIVED.value, index=True
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    processed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def data_object(self):
        return (self.payload.get("data") or {}).get("object") or {}

    def __repr__(self):
        return f"<StripeEvent {self.id} {self.type} {self.status}>"
