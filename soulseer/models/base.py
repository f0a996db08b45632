"""Column helpers shared by the models."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from soulseer import clock


def created_at_column() -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), nullable=False, default=clock.now, server_default=sa.func.now())


def updated_at_column() -> Mapped:
    return mapped_column(
        sa.DateTime(timezone=True), nullable=False, default=clock.now, onupdate=clock.now, server_default=sa.func.now()
    )
