"""streams: private streams' invitations

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 07:00:00

A private stream admits the clients its reader invited, up to 20 (docs/streams.md, "Private
streams"): one row per client per stream.
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stream_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_invitations_stream_id_streams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stream_invitations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_invitations")),
        sa.UniqueConstraint("stream_id", "user_id", name="uq_stream_invitations_one_per_client"),
    )
    op.create_index(op.f("ix_stream_invitations_user_id"), "stream_invitations", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_stream_invitations_user_id"), table_name="stream_invitations")
    op.drop_table("stream_invitations")
