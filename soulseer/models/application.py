"""Reader applications (the applications area): readers never self-register; they apply, an admin
decides, approval sends an invitation."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    KEPT_ON_FILE = "kept_on_file"


class ReaderApplication(db.Model):
    __tablename__ = "reader_applications"
    __table_args__ = (
        sa.CheckConstraint("status IN ('submitted', 'approved', 'rejected', 'kept_on_file')", name="status_known"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40))
    years_of_practice: Mapped[int] = mapped_column()
    specialties: Mapped[list[str]] = mapped_column(ARRAY(sa.String(60)))
    modes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(10)))
    bio: Mapped[str] = mapped_column(sa.Text)
    why_soulseer: Mapped[str] = mapped_column(sa.Text)
    links: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    agreement_version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(
        sa.String(16), default=ApplicationStatus.SUBMITTED, server_default=ApplicationStatus.SUBMITTED.value
    )
    admin_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
