"""Acceptances of agreements beyond the Terms (the Reader agreement): who accepted which version, when.

The Terms live on the user row (the consent gate reads them on every request); this table keeps the
history of the other agreements, one row per acceptance, never updated.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class AgreementAcceptance(db.Model):
    __tablename__ = "agreement_acceptances"
    __table_args__ = (sa.CheckConstraint("page_slug ~ '^[a-z0-9-]+$'", name="page_slug_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The content page accepted (e.g. 'reader-agreement') and its version at that moment.
    page_slug: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column()
    accepted_at: Mapped[datetime] = created_at_column()
