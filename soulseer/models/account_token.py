"""One-time links sent by email: email verification, password reset, reader invitation.

Only a hash of the token is stored; the link carries the token itself. A token is used by one
atomic UPDATE that also checks it is unused and unexpired, so a link works exactly once.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)
    INVITATION = "invitation"


class AccountToken(db.Model):
    __tablename__ = "account_tokens"
    __table_args__ = (
        sa.CheckConstraint("purpose IN ('verify_email', 'reset_password', 'invitation')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The address the link was sent to (an email change is confirmed at the new address).
    email: Mapped[str] = mapped_column(sa.String(254))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
