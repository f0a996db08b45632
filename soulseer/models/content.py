"""Editable content pages (About, Help, Terms, ...): Markdown stored here, sanitised when shown."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import updated_at_column


class ContentPage(db.Model):
    __tablename__ = "content_pages"
    __table_args__ = (sa.CheckConstraint("slug ~ '^[a-z0-9-]+$'", name="slug_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    # Version shown to users who accept the Terms; bumped by each edit.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self):
        return f"<ContentPage {self.slug} v{self.version}>"
