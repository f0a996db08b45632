"""bookings daily cap: at most so many bookings a day, a reader's setting (S-2)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 04:00:00

A reader may cap how many bookings start on one of her own dates (1 to 24); NULL, the default, is
no cap (next-areas.md S-2: "daily cap, off"). docs/bookings.md.
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("booking_settings", sa.Column("daily_cap", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_booking_settings_daily_cap_range"), "booking_settings", "daily_cap IS NULL OR daily_cap BETWEEN 1 AND 24"
    )


def downgrade():
    op.drop_constraint(op.f("ck_booking_settings_daily_cap_range"), "booking_settings", type_="check")
    op.drop_column("booking_settings", "daily_cap")
