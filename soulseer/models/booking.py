"""Scheduled readings (PRODUCT.md §5; docs/bookings.md): the reader's availability and the bookings.

- `BookingSettings`: one row per reader who takes bookings: her IANA time zone, the lengths she
  offers and their prices, notice, horizon and buffer (next-areas.md S-2), and how many bookings
  she has cancelled (shown to admins).
- `AvailabilityRule`: a weekly range in the reader's own time zone, as minutes from local midnight
  (`end_minute` 1440 is 24:00); a day may have several.
- `AvailabilityOverride`: a local date either blocked (no minutes) or with custom hours, which
  replace that date's weekly rules.
- `CalendarFeed`: a person's private calendar address (the token's hash).
- `Booking`: a client's booked reading: its UTC start and end, the buffer it keeps free after it
  (`blocked_until`), the price held from the client's wallet, and its state. Two exclusion
  constraints (migration, not expressible here: Alembic cannot reflect them) make a double
  booking impossible in the database: no reader has two active bookings whose
  [starts_at, blocked_until) overlap, and no client two whose [starts_at, ends_at) overlap.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column, updated_at_column

LENGTHS = (15, 30, 45, 60)
BUFFERS = (0, 5, 10, 15, 30)


class BookingState(enum.StrEnum):
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# The states whose time is taken: the exclusion constraints apply to these rows only.
ACTIVE_STATES = (BookingState.CONFIRMED, BookingState.IN_PROGRESS)


class CancelledBy(enum.StrEnum):
    CLIENT = "client"
    READER = "reader"
    ADMIN = "admin"
    SYSTEM = "system"  # nobody's choice: the room could not open, or neither came


class Outcome(enum.StrEnum):
    """How a booking ended, beyond its state (next-areas.md S-5, S-6)."""

    CANCELLED = "cancelled"  # by the client, the reader or an admin, before it began
    READER_NO_SHOW = "reader_no_show"  # the reader not in the room 10 minutes after the start
    CLIENT_NO_SHOW = "client_no_show"  # the reader there, the client not: a late cancellation
    NOT_STARTED = "not_started"  # both came, never together, or the room could not open
    DELIVERED = "delivered"  # the reading ran (in full, or cut short: the undelivered part back)


class ReminderKind(enum.StrEnum):
    DAY = "24h"
    QUARTER = "15m"


class BookingSettings(db.Model):
    __tablename__ = "booking_settings"
    __table_args__ = (
        sa.CheckConstraint("lengths <@ ARRAY[15, 30, 45, 60]::smallint[]", name="lengths_known"),
        sa.CheckConstraint("notice_minutes BETWEEN 0 AND 2880", name="notice_range"),
        sa.CheckConstraint("horizon_days BETWEEN 1 AND 180", name="horizon_range"),
        sa.CheckConstraint("buffer_minutes IN (0, 5, 10, 15, 30)", name="buffer_known"),
        sa.CheckConstraint("daily_cap IS NULL OR daily_cap BETWEEN 1 AND 24", name="daily_cap_range"),
        sa.CheckConstraint(
            "(price_15_cents IS NULL OR price_15_cents > 0) AND (price_30_cents IS NULL OR price_30_cents > 0)"
            " AND (price_45_cents IS NULL OR price_45_cents > 0) AND (price_60_cents IS NULL OR price_60_cents > 0)",
            name="prices_positive",
        ),
    )

    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    time_zone: Mapped[str] = mapped_column(sa.String(64))
    lengths: Mapped[list[int]] = mapped_column(ARRAY(sa.SmallInteger), default=list, server_default="{}")
    # A flat price the reader set for a length; NULL: her rate for the mode × the length.
    price_15_cents: Mapped[int | None] = mapped_column()
    price_30_cents: Mapped[int | None] = mapped_column()
    price_45_cents: Mapped[int | None] = mapped_column()
    price_60_cents: Mapped[int | None] = mapped_column()
    notice_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    horizon_days: Mapped[int] = mapped_column(default=60, server_default="60")
    buffer_minutes: Mapped[int] = mapped_column(default=10, server_default="10")
    # At most this many bookings start on one of her own dates (S-2's daily cap); NULL: no cap.
    daily_cap: Mapped[int | None] = mapped_column(sa.SmallInteger)
    cancellations_count: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = updated_at_column()

    def price_override(self, length):
        return getattr(self, f"price_{length}_cents")


class AvailabilityRule(db.Model):
    __tablename__ = "availability_rules"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)  # Monday 0 … Sunday 6, as date.weekday()
    start_minute: Mapped[int] = mapped_column(sa.SmallInteger)
    end_minute: Mapped[int] = mapped_column(sa.SmallInteger)


class AvailabilityOverride(db.Model):
    __tablename__ = "availability_overrides"
    __table_args__ = (
        sa.CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR (start_minute >= 0 AND end_minute <= 1440"
            " AND end_minute > start_minute)",
            name="blocked_or_range",
        ),
        sa.Index("ix_availability_overrides_reader_id_day", "reader_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[datetime] = mapped_column(sa.Date)
    # Both NULL: the whole local date is blocked.
    start_minute: Mapped[int | None] = mapped_column(sa.SmallInteger)
    end_minute: Mapped[int | None] = mapped_column(sa.SmallInteger)

    @property
    def blocked(self):
        return self.start_minute is None


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.CheckConstraint("state IN ('confirmed', 'in_progress', 'completed', 'cancelled')", name="state_known"),
        sa.CheckConstraint("mode IN ('chat', 'voice', 'video')", name="mode_known"),
        sa.CheckConstraint("length_minutes IN (15, 30, 45, 60)", name="length_known"),
        sa.CheckConstraint("price_cents > 0", name="price_positive"),
        sa.CheckConstraint("client_id <> reader_id", name="two_people"),
        sa.CheckConstraint("ends_at > starts_at AND blocked_until >= ends_at", name="times_ordered"),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL)", name="cancel_recorded"
        ),
        sa.CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('client', 'reader', 'admin', 'system')", name="by_known"
        ),
        sa.Index("ix_bookings_reader_id_starts_at", "reader_id", "starts_at"),
        sa.Index("ix_bookings_client_id_starts_at", "client_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    mode: Mapped[str] = mapped_column(sa.String(8))
    length_minutes: Mapped[int] = mapped_column(sa.SmallInteger)
    # Fixed when booked: the price the client paid into the hold and the reader's share of it.
    price_cents: Mapped[int] = mapped_column()
    share_bps: Mapped[int] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # The end plus the reader's buffer: no other booking of hers may start before it.
    blocked_until: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Each side's zone when it was booked, for the pages and mails (times are stored in UTC).
    client_time_zone: Mapped[str] = mapped_column(sa.String(64))
    reader_time_zone: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16), default=BookingState.CONFIRMED)
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(sa.String(8))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    # What the ending moved: returned to the client, kept (charged), and the reader's part of that.
    refunded_cents: Mapped[int | None] = mapped_column()
    charged_cents: Mapped[int | None] = mapped_column()
    reader_earnings_cents: Mapped[int | None] = mapped_column()
    # The calendar event's SEQUENCE (RFC 5545): +1 on every change the client's calendar must see.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()

    client = relationship("User", foreign_keys=[client_id])
    reader = relationship("User", foreign_keys=[reader_id])

    @property
    def active(self):
        return self.state in ACTIVE_STATES

    def has(self, user):
        return user.id in (self.client_id, self.reader_id)

    def __repr__(self):
        return f"<Booking {self.id} {self.state}>"


class BookingReminder(db.Model):
    """A reminder to both people, 24 hours and 15 minutes before (S-7): one row per kind, sent once
    by the tick (`sent_at`), never created when its time had passed at booking; cancelling deletes
    the ones not sent."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        sa.UniqueConstraint("booking_id", "kind", name="uq_booking_reminders_booking_id_kind"),
        sa.CheckConstraint("kind IN ('24h', '15m')", name="kind_known"),
        sa.Index("ix_booking_reminders_due", "send_at", postgresql_where=sa.text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(4))
    send_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class CalendarFeed(db.Model):
    """A person's private calendar feed of their upcoming bookings (S-8): the address carries a
    random token; only its sha256 is kept, so the address is shown once, when it is made. A new
    address replaces the old one (which then answers 404); turning the feed off deletes the row."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
