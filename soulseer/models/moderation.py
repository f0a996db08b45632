"""Moderation (PRODUCT.md §8): what can be hidden, what people and screening flag, and the queue.

- `Moderatable`: the columns every kind of content carries to be hidden (when, why, by whom).
  A hidden row always has its reason (a CHECK each table adds with `moderatable_check()`).
  `hidden_by_id` NULL on a hidden row means it was hidden automatically (F-8, flagged by three
  people) and waits for an admin's decision.
- `ModerationItem`: the queue's one item per target (a kind of content and its id, or a user),
  aggregating every flag on it (F-7). It goes back to `open` when a flag arrives after a decision.
- `Flag`: one report, by a person (`flagger_id`) or by screening (`flagger_id` NULL, with its
  `ScreeningHit` rows). A person has at most one open flag per target (a partial unique index).

The rules live in soulseer/services/moderation/ (docs/moderation.md).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column

HIDDEN_REASON_MAX = 500


class Moderatable:
    """Mixin for content that can be hidden. Add `moderatable_check()` to the table's args."""

    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(HIDDEN_REASON_MAX))
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # What screening found in the text written in this request (set by moderation.screen(), never
    # stored): the view tells the writer (services return the content, views show the notices).
    screening = None

    @hybrid_property
    def hidden(self):
        return self.hidden_at is not None

    @hidden.inplace.expression
    @classmethod
    def _hidden_expression(cls):
        return cls.hidden_at.is_not(None)

    @property
    def visible(self):
        return self.hidden_at is None

    @property
    def hidden_automatically(self):
        """Hidden by flags (F-8), waiting for an admin: the author sees it with a notice."""
        return self.hidden_at is not None and self.hidden_by_id is None


def moderatable_check():
    return sa.CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name="hidden_has_reason")


class ItemState(enum.StrEnum):
    OPEN = "open"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"


_STATE_CHECK = "state IN ('open', 'actioned', 'dismissed')"


class ModerationItem(db.Model):
    __tablename__ = "moderation_items"
    __table_args__ = (
        sa.UniqueConstraint("kind", "target_id"),  # one item per target
        sa.CheckConstraint(_STATE_CHECK, name="state_known"),
        sa.CheckConstraint("(state = 'open') = (decided_at IS NULL)", name="decided_when_closed"),
        # The queue's order among open items: urgent (self-harm) first, then score, then age.
        sa.Index(
            "ix_moderation_items_queue",
            sa.text("urgent DESC"),
            sa.text("score DESC"),
            "opened_at",
            postgresql_where=sa.text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[int] = mapped_column()
    # Whose content it is (the user themself for a flagged user); NULL if that account is gone.
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=ItemState.OPEN, server_default="open")
    # Self-harm language by a client: first in the queue (F-10).
    urgent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    score: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    # When it last became open (a flag after a decision opens it again): the queue's age.
    opened_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(sa.String(32))
    decision_reason: Mapped[str | None] = mapped_column(sa.String(HIDDEN_REASON_MAX))

    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    flags = relationship("Flag", back_populates="item", order_by="Flag.id")

    def __repr__(self):
        return f"<ModerationItem {self.id} {self.kind}:{self.target_id} {self.state}>"


class Flag(db.Model):
    __tablename__ = "flags"
    __table_args__ = (
        sa.CheckConstraint(_STATE_CHECK, name="state_known"),
        sa.CheckConstraint("(state = 'open') = (decided_at IS NULL)", name="decided_when_closed"),
        # A person's flag has a note of 5–1000 characters; screening's has none.
        sa.CheckConstraint(
            "(flagger_id IS NULL AND note IS NULL) OR char_length(note) BETWEEN 5 AND 1000", name="note_length"
        ),
        sa.Index(
            "uq_flags_one_open_per_flagger",
            "flagger_id",
            "item_id",
            unique=True,
            postgresql_where=sa.text("state = 'open' AND flagger_id IS NOT NULL"),
        ),
        sa.Index("ix_flags_flagger_created", "flagger_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_items.id", ondelete="CASCADE"), index=True)
    # NULL: an automatic flag from screening (its hits are in screening_hits).
    flagger_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The target's text when it was flagged ({field: text}): what the flagger saw, and what the
    # hits' offsets point into, even after an edit.
    snapshot: Mapped[dict | None] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(sa.String(16), default=ItemState.OPEN, server_default="open")
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    item = relationship("ModerationItem", back_populates="flags")
    flagger = relationship("User", foreign_keys=[flagger_id])
    hits = relationship("ScreeningHit", back_populates="flag", order_by="ScreeningHit.id")

    @property
    def automatic(self):
        return self.flagger_id is None

    def __repr__(self):
        return f"<Flag {self.id} item {self.item_id} {self.reason} {self.state}>"


class ScreeningHit(db.Model):
    """One match of a screening detector: in which field, where, and what it matched."""

    __tablename__ = "screening_hits"
    __table_args__ = (sa.CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="span_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(sa.ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(sa.String(32))
    detector: Mapped[str] = mapped_column(sa.String(32))
    start_offset: Mapped[int] = mapped_column()
    end_offset: Mapped[int] = mapped_column()
    matched: Mapped[str] = mapped_column(sa.Text)

    flag = relationship("Flag", back_populates="hits")
