"""Reader payouts through Stripe Connect (docs/payouts.md).

A reader's payout account is her Express connected account at Stripe: created once (its `acct_`
id unique per reader), and its status kept from Stripe's own snapshots (`account.updated` events
on the Connect webhook, or a fetch when she comes back from onboarding). `status_as_of` is when
Stripe took the snapshot that is stored, so an older one arriving late changes nothing.
"""

from datetime import datetime

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
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    user = relationship("User")

    @property
    def active(self):
        """Money can reach her: Stripe accepts transfers to the account and pays out to her bank."""
        return self.transfers == "active" and self.payouts_enabled

    def __repr__(self):
        return f"<PayoutAccount {self.user_id} {self.stripe_account_id} {'active' if self.active else 'setup'}>"
