"""streams: premium entry tickets and "Remind me"

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 04:00:00

A premium stream's entry tickets (one per viewer per stream, the price held until the stream has
run 5 minutes, or given back) and the reminders people ask for on announced streams. The Help
page's "Live streams and gifts" section, where nobody has edited the page, now tells of premium
entry and reminders.
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


# The section as migration 0020 wrote it.
HELP_BEFORE = """\
## Live streams and gifts

**Viewers:** readers who are live now are on the **Live** page. Open a stream to watch, chat and
send gifts from your wallet (a Rose is $1, a Diamond $25); the reader keeps her share of each gift
and everyone in the stream sees it arrive, with your name or, if you tick **Send anonymously**,
as "Anonymous". A double tap sends one gift, never two, and a gift of $25 or more asks you to tap
again to be sure. The **Top gifters** board shows who gave most in this stream. Report any chat
line that breaks the rules.

**Readers:** from your dashboard choose **Go live or schedule a stream**: give it a title and, if
you like, a start time. Your studio shows your camera; press **Go live** when you are ready, and
**End the stream** when you are done. While you are live, clients cannot request readings from you.
You can remove lines from your stream's chat. Streaming needs the site's video service: if it is
not set up, the Live page says so.
"""


def _update_help_section():
    from soulseer.content_pages import HELP_STREAMS, revise_unedited_page

    revise_unedited_page(op.get_bind(), "help", HELP_BEFORE, HELP_STREAMS)


def upgrade():
    op.create_table(
        "stream_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('held', 'settled', 'released')", name=op.f("ck_stream_tickets_state_known")),
        sa.CheckConstraint(
            "(state = 'held') = (decided_at IS NULL)", name=op.f("ck_stream_tickets_decided_when_over")
        ),
        sa.CheckConstraint("price_cents BETWEEN 100 AND 5000", name=op.f("ck_stream_tickets_price_range")),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_tickets_stream_id_streams"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stream_tickets_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_tickets")),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_tickets_one_per_viewer"),
    )
    op.create_index(op.f("ix_stream_tickets_user_id"), "stream_tickets", ["user_id"], unique=False)
    op.create_index(
        "ix_stream_tickets_held", "stream_tickets", ["stream_id"], unique=False, postgresql_where=sa.text("state = 'held'")
    )
    op.create_table(
        "stream_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("soon_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("live_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_reminders_stream_id_streams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stream_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_reminders")),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_reminders_one_per_person"),
    )
    op.create_index(op.f("ix_stream_reminders_user_id"), "stream_reminders", ["user_id"], unique=False)
    _update_help_section()


def downgrade():
    op.drop_table("stream_reminders")
    op.drop_table("stream_tickets")
