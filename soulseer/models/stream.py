"""Live streams (PRODUCT.md §6): a reader broadcasts on Agora, viewers watch, chat and send gifts.

- `Stream`: one broadcast, `scheduled → live → ended` (or `cancelled` before it went live), with
  its Agora channel (`ss-stream-<id>-<8 hex>`, never reused) and the peak of its viewer count.
  A reader has at most one stream live at a time (a partial unique index).
- `Gift`: the catalogue the admin keeps (name, price, icon, animation, active, order).
- `StreamGift`: one gift sent in a stream, with the client's own id for it (`client_key`, UNIQUE):
  a double tap or a retry finds the row and posts nothing. Its money is the ledger's
  (`gift:<client key>`); the top-gifters board is computed from these rows.
- `StreamMessage`: a chat line, moderatable like every other kind of content.
- `StreamTicket`: a viewer's entry to a premium stream, held until settled or released.
- `StreamReminder`: "Remind me" on an announced stream.
- `StreamRestriction`: a viewer muted (no chat) or banned (no token, no page) for one stream.
- `StreamInvitation`: a client invited to a private stream (up to 20 per stream).

The rules live in soulseer/services/streams/ (docs/streams.md).
"""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column
from soulseer.models.moderation import Moderatable, moderatable_check

TITLE_MIN, TITLE_MAX = 3, 100
MESSAGE_MAX = 500


class StreamKind(enum.StrEnum):
    PUBLIC = "public"
    PREMIUM = "premium"
    PRIVATE = "private"


class StreamState(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class Stream(db.Model):
    __tablename__ = "streams"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('public', 'premium', 'private')", name="kind_known"),
        sa.CheckConstraint("state IN ('scheduled', 'live', 'ended', 'cancelled')", name="state_known"),
        sa.CheckConstraint(f"char_length(title) BETWEEN {TITLE_MIN} AND {TITLE_MAX}", name="title_length"),
        sa.CheckConstraint(
            "(kind = 'premium') = (entry_price_cents IS NOT NULL) "
            "AND (entry_price_cents IS NULL OR entry_price_cents BETWEEN 100 AND 5000)",
            name="entry_price",
        ),
        sa.CheckConstraint("(state IN ('live', 'ended')) = (started_at IS NOT NULL)", name="started_when_live"),
        sa.CheckConstraint("(state IN ('ended', 'cancelled')) = (ended_at IS NOT NULL)", name="ended_when_over"),
        sa.CheckConstraint("viewers_peak >= 0", name="peak_not_negative"),
        sa.Index(
            "uq_streams_one_live_per_reader", "reader_id", unique=True, postgresql_where=sa.text("state = 'live'")
        ),
        sa.Index("ix_streams_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(sa.String(8), default=StreamKind.PUBLIC)
    state: Mapped[str] = mapped_column(sa.String(10), default=StreamState.SCHEDULED)
    channel: Mapped[str] = mapped_column(sa.String(63), unique=True)
    entry_price_cents: Mapped[int | None] = mapped_column()
    scheduled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    viewers_peak: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()

    reader = relationship("User", foreign_keys=[reader_id])

    @property
    def live(self):
        return self.state == StreamState.LIVE

    @property
    def listed(self):
        """Shown to everyone (/live, the home page, her card and page); a private stream only to
        its reader and invitees."""
        return self.kind != StreamKind.PRIVATE

    @property
    def over(self):
        return self.state in (StreamState.ENDED, StreamState.CANCELLED)

    def __repr__(self):
        return f"<Stream {self.id} {self.state}>"


class Gift(db.Model):
    """A gift of the catalogue. `icon` names its picture (static/gifts/<icon>.svg: drawn, not an
    emoji, so it looks the same on every device); `animation` names its CSS animation
    (static/css/streams.css), replaced by a still badge under reduced motion."""

    __tablename__ = "gifts"
    __table_args__ = (
        sa.CheckConstraint("price_cents BETWEEN 1 AND 100000", name="price_range"),
        sa.CheckConstraint("animation IN ('float', 'burst', 'spin', 'rain')", name="animation_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    price_cents: Mapped[int] = mapped_column()
    icon: Mapped[str] = mapped_column(sa.String(16))
    animation: Mapped[str] = mapped_column(sa.String(16), default="float")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class StreamGift(db.Model):
    __tablename__ = "stream_gifts"
    __table_args__ = (
        sa.CheckConstraint("price_cents > 0 AND to_reader_cents >= 0", name="amounts"),
        sa.Index("ix_stream_gifts_stream_id_sender_id", "stream_id", "sender_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="RESTRICT"))
    gift_id: Mapped[int] = mapped_column(sa.ForeignKey("gifts.id", ondelete="RESTRICT"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    client_key: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    # What was paid and what the reader got, as the sale said (the ledger holds the same).
    price_cents: Mapped[int] = mapped_column()
    to_reader_cents: Mapped[int] = mapped_column()
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()

    gift = relationship("Gift")
    sender = relationship("User", foreign_keys=[sender_id])
    stream = relationship("Stream")


class StreamMessage(Moderatable, db.Model):
    __tablename__ = "stream_messages"
    __table_args__ = (
        sa.CheckConstraint(f"char_length(body) BETWEEN 1 AND {MESSAGE_MAX}", name="body_length"),
        moderatable_check(),
        sa.Index("ix_stream_messages_stream_id_id", "stream_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="RESTRICT"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()

    sender = relationship("User", foreign_keys=[sender_id])


class TicketState(enum.StrEnum):
    HELD = "held"  # paid into the ticket's hold; the viewer is admitted
    SETTLED = "settled"  # the stream ran 5 minutes: the reader and the platform were paid
    RELEASED = "released"  # given back in full (cancelled, 30 minutes late, or under 5 minutes)


class StreamTicket(db.Model):
    """A viewer's entry to a premium stream: one per viewer per stream, its price held in its own
    hold (`hold:ticket:<id>`) until the tick settles or releases it."""

    __tablename__ = "stream_tickets"
    __table_args__ = (
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_tickets_one_per_viewer"),
        sa.CheckConstraint("state IN ('held', 'settled', 'released')", name="state_known"),
        sa.CheckConstraint("(state = 'held') = (decided_at IS NULL)", name="decided_when_over"),
        sa.CheckConstraint("price_cents BETWEEN 100 AND 5000", name="price_range"),
        sa.Index("ix_stream_tickets_held", "stream_id", postgresql_where=sa.text("state = 'held'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    price_cents: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(10), default=TicketState.HELD)
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class StreamReminder(db.Model):
    """ "Remind me" on an announced stream: notified 15 minutes before and when it goes live."""

    __tablename__ = "stream_reminders"
    __table_args__ = (sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_reminders_one_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()
    soon_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    live_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RestrictionKind(enum.StrEnum):
    MUTED = "muted"  # watches, sends gifts; her chat lines are refused
    BANNED = "banned"  # out of the stream: no token, no chat, no gifts


class StreamRestriction(db.Model):
    """A viewer muted or banned for one stream by its reader or an admin (L-10): one row per viewer
    per stream, its kind changed in place; lifting it deletes the row (the audit log keeps both)."""

    __tablename__ = "stream_restrictions"
    __table_args__ = (
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_restrictions_one_per_viewer"),
        sa.CheckConstraint("kind IN ('muted', 'banned')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    user = relationship("User", foreign_keys=[user_id])


INVITATIONS_MAX = 20  # a private stream's invitees (next-areas.md L-1)


class StreamInvitation(db.Model):
    """A client invited to a private stream by its reader: admitted to watch, notified at the
    invitation and at the start (services/streams/invitations.py)."""

    __tablename__ = "stream_invitations"
    __table_args__ = (sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_invitations_one_per_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stream_id: Mapped[int] = mapped_column(sa.ForeignKey("streams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    user = relationship("User", foreign_keys=[user_id])
