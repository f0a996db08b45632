"""bookings: readers' availability, scheduled readings, and the database's guard against double booking

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 02:45:57

Readers' booking settings, weekly rules and date overrides in their own time zone; bookings with
their UTC times, the held price and their state; each user's time zone. Two exclusion constraints
make a double booking impossible (next-areas.md S-4): a reader's active bookings never overlap
(with the buffer after each), nor a client's. pgserver ships no btree_gist, so the id is compared
as a one-point int4range, which plain GiST indexes. Alembic cannot reflect EXCLUDE constraints:
they are written here by hand, and tests/bookings/test_booking.py checks pg_constraint for them.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ACTIVE = "state IN ('confirmed', 'in_progress')"
READER_NO_OVERLAP = f"""
ALTER TABLE bookings ADD CONSTRAINT xc_bookings_reader_no_overlap EXCLUDE USING gist (
    int4range(reader_id, reader_id, '[]') WITH &&, tstzrange(starts_at, blocked_until, '[)') WITH &&
) WHERE ({ACTIVE})
"""
CLIENT_NO_OVERLAP = f"""
ALTER TABLE bookings ADD CONSTRAINT xc_bookings_client_no_overlap EXCLUDE USING gist (
    int4range(client_id, client_id, '[]') WITH &&, tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE ({ACTIVE})
"""


def upgrade():
    op.create_table(
        "availability_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=True),
        sa.Column("end_minute", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR (start_minute >= 0 AND end_minute <= 1440"
            " AND end_minute > start_minute)",
            name=op.f("ck_availability_overrides_blocked_or_range"),
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["users.id"], name=op.f("fk_availability_overrides_reader_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_overrides")),
    )
    with op.batch_alter_table("availability_overrides", schema=None) as batch_op:
        batch_op.create_index("ix_availability_overrides_reader_id_day", ["reader_id", "day"], unique=False)

    op.create_table(
        "availability_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("end_minute", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name=op.f("ck_availability_rules_range"),
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_availability_rules_weekday_range")),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["users.id"], name=op.f("fk_availability_rules_reader_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_rules")),
    )
    with op.batch_alter_table("availability_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_availability_rules_reader_id"), ["reader_id"], unique=False)

    op.create_table(
        "booking_settings",
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("lengths", postgresql.ARRAY(sa.SmallInteger()), server_default="{}", nullable=False),
        sa.Column("price_15_cents", sa.Integer(), nullable=True),
        sa.Column("price_30_cents", sa.Integer(), nullable=True),
        sa.Column("price_45_cents", sa.Integer(), nullable=True),
        sa.Column("price_60_cents", sa.Integer(), nullable=True),
        sa.Column("notice_minutes", sa.Integer(), server_default="120", nullable=False),
        sa.Column("horizon_days", sa.Integer(), server_default="60", nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), server_default="10", nullable=False),
        sa.Column("cancellations_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(price_15_cents IS NULL OR price_15_cents > 0) AND (price_30_cents IS NULL OR price_30_cents > 0)"
            " AND (price_45_cents IS NULL OR price_45_cents > 0) AND (price_60_cents IS NULL OR price_60_cents > 0)",
            name=op.f("ck_booking_settings_prices_positive"),
        ),
        sa.CheckConstraint("buffer_minutes IN (0, 5, 10, 15, 30)", name=op.f("ck_booking_settings_buffer_known")),
        sa.CheckConstraint("horizon_days BETWEEN 1 AND 180", name=op.f("ck_booking_settings_horizon_range")),
        sa.CheckConstraint(
            "lengths <@ ARRAY[15, 30, 45, 60]::smallint[]", name=op.f("ck_booking_settings_lengths_known")
        ),
        sa.CheckConstraint("notice_minutes BETWEEN 0 AND 2880", name=op.f("ck_booking_settings_notice_range")),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["users.id"], name=op.f("fk_booking_settings_reader_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("reader_id", name=op.f("pk_booking_settings")),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("length_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_time_zone", sa.String(length=64), nullable=False),
        sa.Column("reader_time_zone", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=8), nullable=True),
        sa.Column("refunded_cents", sa.Integer(), nullable=True),
        sa.Column("charged_cents", sa.Integer(), nullable=True),
        sa.Column("reader_earnings_cents", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL)",
            name=op.f("ck_bookings_cancel_recorded"),
        ),
        sa.CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('client', 'reader', 'admin')", name=op.f("ck_bookings_by_known")
        ),
        sa.CheckConstraint("mode IN ('chat', 'voice', 'video')", name=op.f("ck_bookings_mode_known")),
        sa.CheckConstraint(
            "state IN ('confirmed', 'in_progress', 'completed', 'cancelled')", name=op.f("ck_bookings_state_known")
        ),
        sa.CheckConstraint("client_id <> reader_id", name=op.f("ck_bookings_two_people")),
        sa.CheckConstraint("ends_at > starts_at AND blocked_until >= ends_at", name=op.f("ck_bookings_times_ordered")),
        sa.CheckConstraint("length_minutes IN (15, 30, 45, 60)", name=op.f("ck_bookings_length_known")),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_bookings_price_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_bookings_client_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["users.id"], name=op.f("fk_bookings_reader_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_client_id_starts_at", ["client_id", "starts_at"], unique=False)
        batch_op.create_index("ix_bookings_reader_id_starts_at", ["reader_id", "starts_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))

    op.execute(READER_NO_OVERLAP)
    op.execute(CLIENT_NO_OVERLAP)


def downgrade():
    op.execute("ALTER TABLE bookings DROP CONSTRAINT xc_bookings_client_no_overlap")
    op.execute("ALTER TABLE bookings DROP CONSTRAINT xc_bookings_reader_no_overlap")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("time_zone")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_reader_id_starts_at")
        batch_op.drop_index("ix_bookings_client_id_starts_at")

    op.drop_table("bookings")
    op.drop_table("booking_settings")
    with op.batch_alter_table("availability_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_rules_reader_id"))

    op.drop_table("availability_rules")
    with op.batch_alter_table("availability_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_availability_overrides_reader_id_day")

    op.drop_table("availability_overrides")
