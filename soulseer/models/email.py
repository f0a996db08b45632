"""The outbox: every email is stored first, then sent by a job (SMTP when configured)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer.extensions import db
from soulseer.models.base import created_at_column


class OutboundEmail(db.Model):
    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # An iCalendar file sent with it (a booking's), and its METHOD (PUBLISH or CANCEL): the MIME
    # part says the same method, or Outlook calls it "not supported calendar message".
    calendar_ics: Mapped[str | None] = mapped_column(sa.Text)
    calendar_method: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = created_at_column()
