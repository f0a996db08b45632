"""Reviews of live readings (PRODUCT.md §3): one per finalized reading, by its client.

The rules (who, when, how long) live in services/readings/reviews.py; the table keeps what must never be
wrong even if code slips: one review per reading, 1–5 stars, an answer at most once (a single
column), and a hidden review always has its reason.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column
from soulseer.models.moderation import Moderatable, moderatable_check


class Review(Moderatable, db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        sa.CheckConstraint("char_length(body) <= 2000", name="body_length"),
        sa.CheckConstraint("answer IS NULL OR char_length(answer) <= 2000", name="answer_length"),
        moderatable_check(),
        sa.Index("ix_reviews_reader_visible", "reader_id", "created_at", postgresql_where=sa.text("hidden_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(sa.ForeignKey("readings.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    stars: Mapped[int] = mapped_column(sa.SmallInteger)
    body: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = created_at_column()
    # The reader's one answer.
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Moderatable: a hidden review is no longer shown on the reader's page nor counted in the rating.

    reading = relationship("Reading")
    client = relationship("User", foreign_keys=[client_id])
    reader = relationship("User", foreign_keys=[reader_id])

    def __repr__(self):
        return f"<Review {self.id} reading {self.reading_id} {self.stars}★>"
