"""Messages between a client and a reader (PRODUCT.md §7): one conversation per pair, its messages.

- `Conversation`: one per (client, reader) pair (UNIQUE). Each participant's read position is the
  id of the last message they have seen (`client_last_read_id`, `reader_last_read_id`): unread
  counts compare ids, never times (two messages in the same second would be miscounted).
  `last_message_id` is the newest message, kept on send, so the inbox orders and shows
  conversations without a subquery per row.
- `Message`: one message, plain text of 1–5000 characters, `Moderatable` (a hidden message shows
  as "removed by moderation" to both people).

The rules live in soulseer/services/messages/ (docs/messages.md).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column
from soulseer.models.moderation import Moderatable, moderatable_check

BODY_MAX = 5000
PRICE_MIN, PRICE_MAX = 50, 10_000  # a paid reply costs $0.50 to $100 (PRODUCT.md §7)


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "reader_id", name="uq_conversations_pair"),
        sa.CheckConstraint("client_id <> reader_id", name="two_people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Not a foreign key: a message points at its conversation, and this only caches the newest.
    last_message_id: Mapped[int | None] = mapped_column()
    client_last_read_id: Mapped[int] = mapped_column(default=0, server_default="0")
    reader_last_read_id: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()

    client = relationship("User", foreign_keys="Conversation.client_id")
    reader = relationship("User", foreign_keys="Conversation.reader_id")

    def has(self, user):
        return user.id in (self.client_id, self.reader_id)

    def other_id(self, user):
        return self.reader_id if user.id == self.client_id else self.client_id

    def other(self, user):
        return self.reader if user.id == self.client_id else self.client

    def last_read_id(self, user):
        return self.client_last_read_id if user.id == self.client_id else self.reader_last_read_id


class Message(Moderatable, db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        sa.CheckConstraint(f"char_length(body) BETWEEN 1 AND {BODY_MAX}", name="body_length"),
        moderatable_check(),
        sa.CheckConstraint(
            f"price_cents IS NULL OR price_cents BETWEEN {PRICE_MIN} AND {PRICE_MAX}", name="price_range"
        ),
        sa.CheckConstraint("(price_cents IS NULL) = (body_sha256 IS NULL)", name="paid_has_hash"),
        sa.CheckConstraint(
            "(unlocked_at IS NULL AND withdrawn_at IS NULL) OR (price_cents IS NOT NULL "
            "AND (unlocked_at IS NULL OR withdrawn_at IS NULL))",
            name="unlock_is_paid",
        ),
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id", ondelete="RESTRICT"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    # A paid reply (M-3, M-4): its price, the sha256 of its text taken at send, when the client
    # unlocked it, or when the reader withdrew it before that. Migration 0016_b's trigger keeps the
    # hash matching the text and an unlocked reply unchanged for ever.
    price_cents: Mapped[int | None] = mapped_column()
    body_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    unlocked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    sender = relationship("User", foreign_keys="Message.sender_id")
    conversation = relationship("Conversation")

    @property
    def paid(self):
        return self.price_cents is not None

    @property
    def locked(self):
        """A paid reply its client has not unlocked: its text is shown to nobody but its writer."""
        return self.paid and self.unlocked_at is None

    @property
    def withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def word_count(self):
        return len(self.body.split())

    def shows_text_to(self, viewer):
        """Whether `viewer` may read the text: its writer always (unless removed), the other person
        once it is free or unlocked. The one rule every template and export asks."""
        if self.hidden:
            return False
        return viewer.id == self.sender_id or not self.locked
