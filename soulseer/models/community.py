"""The community (PRODUCT.md §8; docs/community.md): categories, threads and one-level replies.

- `CommunityCategory`: the five categories (seeded by migration 0017); admins edit their names,
  descriptions and order. The slug is the URL and never changes. `admins_only`: only admins start
  threads there (Announcements).
- `CommunityThread`: a title and an opening post (Markdown `body`, its sanitised `body_html`
  rendered when written). Moderatable: hidden by an admin or by flags (F-8). `deleted_at`: its
  author deleted it (a placeholder stays so replies still read). `locked_at`/`locked_reason`: no
  more replies (an admin locked it, or five people reported it). `last_activity_at` and
  `reply_count` are kept by the service for the lists.
- `CommunityPost`: a reply. `parent_id` NULL is a reply to the thread; otherwise it answers a
  reply to the thread (one level only: a CHECK cannot see the parent's parent, the service
  attaches a reply to a nested reply to its parent).

Authors are `SET NULL` when an account row goes: the post stays, shown as "a former member".
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soulseer.extensions import db
from soulseer.models.base import created_at_column
from soulseer.models.moderation import Moderatable, moderatable_check


class CommunityCategory(db.Model):
    __tablename__ = "community_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    admins_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self):
        return f"<CommunityCategory {self.slug}>"


class Written:
    """What a thread's opening post and a reply share: the Markdown as written, its HTML as
    rendered then (services/community/rendering.py), when, and the author's edit and deletion."""

    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    edited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def deleted(self):
        return self.deleted_at is not None


class CommunityThread(Written, Moderatable, db.Model):
    __tablename__ = "community_threads"
    __table_args__ = (
        moderatable_check(),
        sa.CheckConstraint("(locked_at IS NULL) = (locked_reason IS NULL)", name="locked_has_reason"),
        # A category's page: pinned first, then latest activity.
        sa.Index(
            "ix_community_threads_listing",
            "category_id",
            sa.text("(pinned_at IS NULL)"),
            sa.text("last_activity_at DESC"),
            sa.text("id DESC"),
        ),
        sa.Index("ix_community_threads_activity", sa.text("last_activity_at DESC")),
        sa.Index("ix_community_threads_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("community_categories.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(150))
    pinned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    locked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    locked_reason: Mapped[str | None] = mapped_column(sa.String(300))
    last_activity_at: Mapped[datetime] = created_at_column()
    reply_count: Mapped[int] = mapped_column(default=0, server_default="0")

    category = relationship("CommunityCategory")
    author = relationship("User", foreign_keys=[author_id])

    @property
    def locked(self):
        return self.locked_at is not None

    def __repr__(self):
        return f"<CommunityThread {self.id}>"


class CommunityPost(Written, Moderatable, db.Model):
    __tablename__ = "community_posts"
    __table_args__ = (
        moderatable_check(),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_community_posts_thread", "thread_id", "parent_id", "id"),
        sa.Index("ix_community_posts_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("community_threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community_posts.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    thread = relationship("CommunityThread")
    author = relationship("User", foreign_keys=[author_id])

    def __repr__(self):
        return f"<CommunityPost {self.id} thread {self.thread_id}>"
