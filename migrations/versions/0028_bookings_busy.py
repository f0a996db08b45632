"""bookings busy: a reader held by a scheduled reading shows "busy — scheduled reading"

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 06:10:00

`reader_profiles.busy_scheduled` says why a busy reader is busy: her booked reading is open, or one
is due from 5 minutes before its start (docs/bookings.md, "The reader's status"). Only a busy
reader can be busy with a scheduled reading.
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "reader_profiles", sa.Column("busy_scheduled", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_reader_profiles_busy_scheduled_is_busy"), "reader_profiles", "NOT busy_scheduled OR status = 'busy'"
    )


def downgrade():
    op.drop_constraint(op.f("ck_reader_profiles_busy_scheduled_is_busy"), "reader_profiles", type_="check")
    op.drop_column("reader_profiles", "busy_scheduled")
