"""In-app notifications (PRODUCT.md §12) and "notify me when online" requests (§3)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class Notification(db.Model):
    """One line in a user's bell: what happened, a link to it, and whether it was read."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The bell counts a user's unread notifications on every page.
        sa.Index("ix_notifications_user_unread", "user_id", postgresql_where=sa.text("read_at IS NULL")),
        sa.Index("ix_notifications_user_id_created", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.String(300))
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def is_read(self):
        return self.read_at is not None


class OnlineNotificationRequest(db.Model):
    """A client waiting to hear when a reader comes online; consumed when the reader does."""

    __tablename__ = "online_notification_requests"
    __table_args__ = (sa.UniqueConstraint("client_id", "reader_id", name="uq_online_notification_requests_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The reader's user id (their profile is one per user).
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()
