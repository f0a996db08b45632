"""streams: a viewer muted or banned for one stream

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 06:40:00

One row per viewer per stream (docs/streams.md, "Muting and banning"): muted (her chat lines are
refused) or banned (no token, no page). Lifting it deletes the row; the audit log keeps the story.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stream_restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('muted', 'banned')", name=op.f("ck_stream_restrictions_kind_known")),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_restrictions_stream_id_streams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stream_restrictions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_stream_restrictions_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_restrictions")),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_restrictions_one_per_viewer"),
    )
    op.create_index(op.f("ix_stream_restrictions_user_id"), "stream_restrictions", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_stream_restrictions_user_id"), table_name="stream_restrictions")
    op.drop_table("stream_restrictions")
