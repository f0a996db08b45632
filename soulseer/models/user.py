"""People who use SoulSeer. The accounts area adds sign-in; the role decides what a user can do."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db, login_manager
from soulseer.models.base import created_at_column


class Role(enum.StrEnum):
    CLIENT = "client"
    READER = "reader"
    ADMIN = "admin"


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('client', 'reader', 'admin')", name="role_known"),
        sa.CheckConstraint("status IN ('active', 'suspended')", name="status_known"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.CLIENT, server_default=Role.CLIENT.value)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=UserStatus.ACTIVE, server_default=UserStatus.ACTIVE.value
    )
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = created_at_column()

    @property
    def is_active(self):  # Flask-Login: suspended users cannot be signed in
        return self.status == UserStatus.ACTIVE

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    def __repr__(self):
        return f"<User {self.id} {self.role}>"


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))
