"""People who use SoulSeer. A user has one role; suspended users cannot sign in."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class Role(enum.StrEnum):
    CLIENT = "client"
    READER = "reader"
    ADMIN = "admin"


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('client', 'reader', 'admin')", name="role_known"),
        sa.CheckConstraint("status IN ('active', 'suspended', 'deleted')", name="status_known"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint(
            "suspended_until IS NULL OR status = 'suspended'", name="suspension_end_only_when_suspended"
        ),
        sa.Index(
            "ix_users_suspended_until", "suspended_until", postgresql_where=sa.text("suspended_until IS NOT NULL")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.CLIENT, server_default=Role.CLIENT.value)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=UserStatus.ACTIVE, server_default=UserStatus.ACTIVE.value
    )
    # When a suspension ends by itself (the queue's penalty steps); NULL: until an admin restores it.
    suspended_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Consent: 18+ confirmation and the version of the Terms accepted, each with its time.
    adult_confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    terms_version: Mapped[int | None] = mapped_column()
    terms_accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Bumped by "log out everywhere", password changes and suspension: older sessions end.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    auth0_subject: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The person's IANA time zone (from the browser, editable): scheduled readings show times in it.
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = created_at_column()

    def get_id(self):
        # The session remembers the epoch it was signed in under (see soulseer/signed_in.py, load_user).
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self):  # Flask-Login: only active users can be signed in
        return self.status == UserStatus.ACTIVE

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def is_reader(self):
        return self.role == Role.READER

    @property
    def is_client(self):
        return self.role == Role.CLIENT

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    def __repr__(self):
        return f"<User {self.id} {self.role}>"
