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


def one_of(column, values):
    """`column = ANY(:values)` with the values as one array parameter: for a batch's hundreds of ids
    or codes, where `column.in_(values)` writes one parameter per value, a long statement that the
    driver parses again every time (the bookings' tick, docs/benchmarks.md)."""
    return column == sa.any_(sa.bindparam(None, list(values), type_=sa.ARRAY(column.type)))
