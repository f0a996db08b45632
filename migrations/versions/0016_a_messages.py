"""messages: conversations between a client and a reader, and their messages

Revision ID: 0016_a
Revises: 0015
Create Date: 2026-12-05 17:25:00

One conversation per (client, reader) pair, with each participant's read position (the id of the
last message seen: unread counts compare ids, never times) and the newest message's id for the
inbox. Messages are plain text of 1–5000 characters and can be hidden by moderation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_a"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("reader_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=True),
        sa.Column("client_last_read_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reader_last_read_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("client_id", "reader_id", name=op.f("uq_conversations_pair")),
        sa.CheckConstraint("client_id <> reader_id", name=op.f("ck_conversations_two_people")),
    )
    op.create_index("ix_conversations_reader_id", "conversations", ["reader_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id", ondelete="RESTRICT"), nullable=False
        ),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 5000", name=op.f("ck_messages_body_length")),
        sa.CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name=op.f("ck_messages_hidden_has_reason")),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])


def downgrade():
    op.drop_index("ix_messages_conversation_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_reader_id", table_name="conversations")
    op.drop_table("conversations")
