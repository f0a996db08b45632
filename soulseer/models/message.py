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
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversations.id", ondelete="RESTRICT"))
    sender_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()

    sender = relationship("User", foreign_keys="Message.sender_id")
    conversation = relationship("Conversation")
