"""Live readings: one row per request, through its whole life (PRODUCT.md §4).

States: requested → accepted → active ⇄ paused → ended → finalized, and cancelled for requests
declined, expired, withdrawn or never joined. Transitions happen only in
services/readings/states.py. Metered time comes from server-side events (joins, heartbeats,
leaves); the client's timer is display only.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column
from soulseer.models.moderation import Moderatable, moderatable_check


class ReadingMode(enum.StrEnum):
    CHAT = "chat"
    VOICE = "voice"
    VIDEO = "video"

    @property
    def label(self):
        return self.value.capitalize()


# The modes as (code, label) pairs for forms and pages: the one list of them.
MODES = [(mode.value, mode.label) for mode in ReadingMode]
MODE_LABELS = dict(MODES)


class ReadingState(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    FINALIZED = "finalized"
    CANCELLED = "cancelled"


# A client and a reader each have at most one reading in these states (partial unique indexes).
OPEN_STATES = (ReadingState.REQUESTED, ReadingState.ACCEPTED, ReadingState.ACTIVE, ReadingState.PAUSED)
_OPEN_SQL = "state IN ('requested', 'accepted', 'active', 'paused')"


class PauseReason(enum.StrEnum):
    DISCONNECTED = "disconnected"  # a side stopped sending heartbeats; grace period runs
    FUNDS = "funds"  # the next minute could not be reserved; the client may top up


class EndReason(enum.StrEnum):
    COMPLETED_BY_CLIENT = "completed_by_client"
    COMPLETED_BY_READER = "completed_by_reader"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    SPEND_CAP = "spend_cap"
    GRACE_EXPIRED = "grace_expired"
    ADMIN = "admin"
    TIME_UP = "time_up"  # a booked reading reached its booked length
    # cancelled before metering began
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    JOIN_TIMEOUT = "join_timeout"


class Reading(db.Model):
    __tablename__ = "readings"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('requested', 'accepted', 'active', 'paused', 'ended', 'finalized', 'cancelled')",
            name="state_known",
        ),
        sa.CheckConstraint("mode IN ('chat', 'voice', 'video')", name="mode_known"),
        sa.CheckConstraint("rate_cents > 0", name="rate_positive"),
        sa.CheckConstraint("client_id <> reader_id", name="two_people"),
        sa.CheckConstraint("metered_ms >= 0 AND minutes_reserved >= 0", name="counters_not_negative"),
        sa.Index("uq_readings_one_open_per_client", "client_id", unique=True, postgresql_where=sa.text(_OPEN_SQL)),
        sa.Index("uq_readings_one_open_per_reader", "reader_id", unique=True, postgresql_where=sa.text(_OPEN_SQL)),
        sa.Index("ix_readings_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    mode: Mapped[str] = mapped_column(sa.String(8))
    # Fixed when the request is made: the price the client saw.
    rate_cents: Mapped[int] = mapped_column()
    share_bps: Mapped[int] = mapped_column()
    spend_cap_cents: Mapped[int | None] = mapped_column()
    # A scheduled reading's booking (docs/bookings.md): paid in advance into the booking's hold, so
    # the meter reserves nothing from the wallet and the booking's rule settles it.
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), unique=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=ReadingState.REQUESTED)
    pause_reason: Mapped[str | None] = mapped_column(sa.String(16))
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))

    requested_at: Mapped[datetime] = created_at_column()
    request_expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    join_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finalized_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Presence, from joins, heartbeats and leaves (server time).
    client_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reader_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    client_connected: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reader_connected: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # The meter: closed intervals summed in metered_ms, plus the open interval since
    # meter_started_at while it runs. Billed time is whole seconds (metered_ms // 1000).
    metered_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    meter_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    minutes_reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the paused reading ends unless something happens (grace or top-up time).
    pause_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Settlement (set when finalized).
    cost_cents: Mapped[int | None] = mapped_column()
    reader_earnings_cents: Mapped[int | None] = mapped_column()

    client = relationship("User", foreign_keys=[client_id])
    reader = relationship("User", foreign_keys=[reader_id])

    @property
    def metered_seconds(self):
        return self.metered_ms // 1000

    def __repr__(self):
        return f"<Reading {self.id} {self.state}>"


class ReadingEvent(db.Model):
    """Every state change with its time and reason: the reading's full record for admins."""

    __tablename__ = "reading_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("readings.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime] = created_at_column()


class ReadingMessage(Moderatable, db.Model):
    """One chat line of a reading (every mode has chat); the transcript both parties can reopen.
    A hidden line is replaced by a placeholder for the other participant (Moderatable)."""

    __tablename__ = "reading_messages"
    __table_args__ = (
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name="body_length"),
        moderatable_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("readings.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()

    sender = relationship("User", foreign_keys="ReadingMessage.sender_id")
