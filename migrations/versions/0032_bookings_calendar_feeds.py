"""bookings calendar feeds: a private, revocable calendar address per person

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 06:30:00

One row per person who turned on the calendar feed of their upcoming bookings: only the sha256 of
the address's random token is kept (docs/bookings.md, "The calendar feed"). The Help page's
"Scheduled readings", where nobody has edited it, says so, with the client's time zone and the
reader's "Busy — scheduled reading".
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    from soulseer.content_pages import HELP_BOOKINGS, HELP_BOOKINGS_0025, revise_unedited_page

    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    revise_unedited_page(op.get_bind(), "help", HELP_BOOKINGS_0025, HELP_BOOKINGS, unless=HELP_BOOKINGS)


def downgrade():
    op.drop_table("calendar_feeds")
