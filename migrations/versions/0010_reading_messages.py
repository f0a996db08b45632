"""reading messages (the chat of a live reading)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 10:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reading_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name=op.f("ck_reading_messages_body_length")),
        sa.ForeignKeyConstraint(
            ["reading_id"], ["readings.id"], name=op.f("fk_reading_messages_reading_id_readings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_reading_messages_sender_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_messages")),
    )
    op.create_index(op.f("ix_reading_messages_reading_id"), "reading_messages", ["reading_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_reading_messages_reading_id"), table_name="reading_messages")
    op.drop_table("reading_messages")
