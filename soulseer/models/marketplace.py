"""The marketplace: one public profile per reader, its specialties, and clients' favourites.

`status`, `busy_scheduled` and `last_seen_at` are written by the status code (online/offline switch, readings,
the auto-offline job); the marketplace only reads them (online first, the "Online now" badge).
"""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column, updated_at_column
from soulseer.models.moderation import Moderatable, moderatable_check


class ReaderStatus:
    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"


class Specialty(db.Model):
    """The specialties list the admin keeps (PRODUCT.md §3)."""

    __tablename__ = "specialties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0, server_default="0")


reader_profile_specialties = sa.Table(
    "reader_profile_specialties",
    db.metadata,
    sa.Column("reader_profile_id", sa.ForeignKey("reader_profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("specialty_id", sa.ForeignKey("specialties.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class ReaderProfile(Moderatable, db.Model):
    __tablename__ = "reader_profiles"
    __table_args__ = (
        sa.CheckConstraint("status IN ('online', 'busy', 'offline')", name="status_known"),
        sa.CheckConstraint("NOT busy_scheduled OR status = 'busy'", name="busy_scheduled_is_busy"),
        sa.CheckConstraint("rate_chat_cents IS NULL OR rate_chat_cents > 0", name="rate_chat_positive"),
        sa.CheckConstraint("rate_voice_cents IS NULL OR rate_voice_cents > 0", name="rate_voice_positive"),
        sa.CheckConstraint("rate_video_cents IS NULL OR rate_video_cents > 0", name="rate_video_positive"),
        sa.CheckConstraint(
            "share_override_bp IS NULL OR share_override_bp BETWEEN 5000 AND 10000", name="share_override_range"
        ),
        moderatable_check(),
        sa.Index("ix_reader_profiles_search_vector", "search_vector", postgresql_using="gin"),
        sa.Index("ix_reader_profiles_browse_order", "status", sa.text("rating_average DESC"), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(90), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    # Storage key prefix of the resized variants (`<key>-96.webp`, ...); NULL: the initial is shown.
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    tagline: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    tools: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    languages: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    years_of_practice: Mapped[int] = mapped_column(default=0, server_default="0")
    # Per-minute rates in integer cents; NULL means the mode is off.
    rate_chat_cents: Mapped[int | None] = mapped_column()
    rate_voice_cents: Mapped[int | None] = mapped_column()
    rate_video_cents: Mapped[int | None] = mapped_column()
    # The reader's share in basis points when an admin overrides the global READER_SHARE_PERCENT.
    share_override_bp: Mapped[int | None] = mapped_column()
    # Moderatable: a hidden profile is not listed and its page answers 404 to clients.
    # Kept by the reviews and readings areas; shown as they are.
    rating_average: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=0, server_default="0")
    review_count: Mapped[int] = mapped_column(default=0, server_default="0")
    readings_count: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(sa.String(16), default=ReaderStatus.OFFLINE, server_default="offline")
    # Busy because of a scheduled reading (its room is open, or due: docs/bookings.md), not an
    # on-demand one: shown as "Busy — scheduled reading".
    busy_scheduled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Display name, tagline and specialty names, kept by the marketplace service; searched through
    # the generated tsvector (specialty names live in another table, so a generated column alone
    # cannot see them).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    search_vector = mapped_column(
        TSVECTOR, sa.Computed("to_tsvector('simple'::regconfig, search_text)", persisted=True), nullable=True
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    user = relationship("User", foreign_keys="ReaderProfile.user_id")
    specialties = relationship(
        "Specialty",
        secondary=reader_profile_specialties,
        order_by="(Specialty.position, Specialty.id)",
        lazy="select",
    )

    @property
    def is_online(self):
        return self.status == ReaderStatus.ONLINE

    def rate_for(self, mode):
        return getattr(self, f"rate_{mode}_cents")

    def __repr__(self):
        return f"<ReaderProfile {self.id} {self.slug}>"


class Favourite(db.Model):
    """A client's favourite reader."""

    __tablename__ = "favourites"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    reader_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reader_profiles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = created_at_column()
