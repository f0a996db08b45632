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


# The section goes before the messages' (as in content_pages.HELP), else before the last one.
HELP_ANCHORS = ("## Messages and paid replies", "## If you are struggling")
UNEDITED = "updated_by_id IS NULL AND version = 1"


def _update_pages():
    from soulseer.content_pages import HELP_BOOKINGS, REFUND_SCHEDULED, REFUND_SCHEDULED_BEFORE

    conn = op.get_bind()
    help_body = conn.execute(sa.text("SELECT body_markdown FROM content_pages WHERE slug = 'help'")).scalar() or ""
    anchor = next((a for a in HELP_ANCHORS if a in help_body), HELP_ANCHORS[-1])
    for slug, old, new, missing in (
        ("help", anchor, HELP_BOOKINGS + "\n" + anchor, "## Scheduled readings"),
        ("refund-policy", REFUND_SCHEDULED_BEFORE, REFUND_SCHEDULED, REFUND_SCHEDULED),
    ):
        row = conn.execute(
            sa.text(f"SELECT body_markdown, {UNEDITED} FROM content_pages WHERE slug = :slug"), {"slug": slug}
        ).first()
        if row is None or not row[1] or old not in row[0] or missing in row[0]:
            continue
        conn.execute(
            sa.text("UPDATE content_pages SET body_markdown = :body WHERE slug = :slug"),
            {"body": row[0].replace(old, new, 1), "slug": slug},
        )


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
