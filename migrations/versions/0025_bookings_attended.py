"""bookings attended: the booked reading in the live room, reminders, calendar files by email

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 03:20:00

A reading may belong to a booking (paid in advance into the booking's hold); a booking records how
it ended (`outcome`) and may be ended by the system (a no-show of both, a room that could not open);
each booking has its 24-hour and 15-minute reminders, sent once; an email may carry an iCalendar
file with its method (docs/bookings.md). The Help page and the Refund policy, where nobody has
edited them, get the scheduled readings' rules.
"""

from alembic import op
import sqlalchemy as sa


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


BY_KNOWN_BEFORE = "cancelled_by IS NULL OR cancelled_by IN ('client', 'reader', 'admin')"
BY_KNOWN = "cancelled_by IS NULL OR cancelled_by IN ('client', 'reader', 'admin', 'system')"


def _update_pages():
    from soulseer.content_pages import (
        HELP_BOOKINGS_0025,
        REFUND_SCHEDULED,
        REFUND_SCHEDULED_BEFORE,
        add_help_section,
        revise_unedited_page,
    )

    conn = op.get_bind()
    # The section goes before the messages' (as in content_pages.HELP), else before the closing ones.
    help_body = conn.execute(sa.text("SELECT body_markdown FROM content_pages WHERE slug = 'help'")).scalar() or ""
    messages = "## Messages and paid replies"
    add_help_section(conn, HELP_BOOKINGS_0025, **({"before": messages} if messages in help_body else {}))
    revise_unedited_page(conn, "refund-policy", REFUND_SCHEDULED_BEFORE, REFUND_SCHEDULED, unless=REFUND_SCHEDULED)


def upgrade():
    op.drop_constraint(op.f("ck_bookings_by_known"), "bookings", type_="check")
    op.create_check_constraint(op.f("ck_bookings_by_known"), "bookings", BY_KNOWN)
    op.create_table(
        "booking_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('24h', '15m')", name=op.f("ck_booking_reminders_kind_known")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_reminders_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_reminders")),
        sa.UniqueConstraint("booking_id", "kind", name="uq_booking_reminders_booking_id_kind"),
    )
    with op.batch_alter_table("booking_reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_booking_reminders_due", ["send_at"], unique=False, postgresql_where=sa.text("sent_at IS NULL")
        )

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))

    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_ics", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("calendar_method", sa.String(length=8), nullable=True))

    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_readings_booking_id"), ["booking_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_readings_booking_id_bookings"), "bookings", ["booking_id"], ["id"], ondelete="RESTRICT"
        )
    _update_pages()


def downgrade():
    op.drop_constraint(op.f("ck_bookings_by_known"), "bookings", type_="check")
    op.create_check_constraint(op.f("ck_bookings_by_known"), "bookings", BY_KNOWN_BEFORE)
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_readings_booking_id_bookings"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_readings_booking_id"), type_="unique")
        batch_op.drop_column("booking_id")

    with op.batch_alter_table("outbound_emails", schema=None) as batch_op:
        batch_op.drop_column("calendar_method")
        batch_op.drop_column("calendar_ics")

    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("outcome")

    with op.batch_alter_table("booking_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_reminders_due", postgresql_where=sa.text("sent_at IS NULL"))

    op.drop_table("booking_reminders")
