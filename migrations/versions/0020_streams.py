"""streams: live streams, the gift catalogue, gifts sent and stream chat

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 03:00:00

A reader's live stream (docs/streams.md) with its Agora channel, at most one live per reader; the
gift catalogue seeded with PRODUCT.md §6's five gifts; each gift sent, unique by the client's own
id for it (a double tap posts once); stream chat lines, moderatable like every other content. The Help page, where nobody has edited
it, gets its "Live streams and gifts" section.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# name, price in cents, icon (static/gifts/<icon>.svg), animation (static/css/streams.css)
GIFTS = (
    ("Rose", 100, "rose", "float"),
    ("Heart", 250, "heart", "float"),
    ("Star", 500, "star", "spin"),
    ("Crown", 1000, "crown", "burst"),
    ("Diamond", 2500, "diamond", "rain"),
)


def _moderatable(table):
    return [
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name=op.f(f"ck_{table}_hidden_has_reason")),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f(f"fk_{table}_hidden_by_id_users"), ondelete="SET NULL"
        ),
    ]


def _add_help_section():
    from soulseer.content_pages import HELP_STREAMS, add_help_section

    add_help_section(op.get_bind(), HELP_STREAMS)


def upgrade():
    op.create_table(
        "streams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=63), nullable=False),
        sa.Column("entry_price_cents", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("viewers_peak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('public', 'premium', 'private')", name=op.f("ck_streams_kind_known")),
        sa.CheckConstraint(
            "state IN ('scheduled', 'live', 'ended', 'cancelled')", name=op.f("ck_streams_state_known")
        ),
        sa.CheckConstraint("char_length(title) BETWEEN 3 AND 100", name=op.f("ck_streams_title_length")),
        sa.CheckConstraint(
            "(kind = 'premium') = (entry_price_cents IS NOT NULL) "
            "AND (entry_price_cents IS NULL OR entry_price_cents BETWEEN 100 AND 5000)",
            name=op.f("ck_streams_entry_price"),
        ),
        sa.CheckConstraint(
            "(state IN ('live', 'ended')) = (started_at IS NOT NULL)", name=op.f("ck_streams_started_when_live")
        ),
        sa.CheckConstraint(
            "(state IN ('ended', 'cancelled')) = (ended_at IS NOT NULL)", name=op.f("ck_streams_ended_when_over")
        ),
        sa.CheckConstraint("viewers_peak >= 0", name=op.f("ck_streams_peak_not_negative")),
        sa.ForeignKeyConstraint(
            ["reader_id"], ["users.id"], name=op.f("fk_streams_reader_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["users.id"], name=op.f("fk_streams_ended_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streams")),
        sa.UniqueConstraint("channel", name=op.f("uq_streams_channel")),
    )
    op.create_index(op.f("ix_streams_reader_id"), "streams", ["reader_id"], unique=False)
    op.create_index("ix_streams_state", "streams", ["state"], unique=False)
    op.create_index(
        "uq_streams_one_live_per_reader",
        "streams",
        ["reader_id"],
        unique=True,
        postgresql_where=sa.text("state = 'live'"),
    )
    gifts = op.create_table(
        "gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("icon", sa.String(length=16), nullable=False),
        sa.Column("animation", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("price_cents BETWEEN 1 AND 100000", name=op.f("ck_gifts_price_range")),
        sa.CheckConstraint(
            "animation IN ('float', 'burst', 'spin', 'rain')", name=op.f("ck_gifts_animation_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gifts")),
        sa.UniqueConstraint("name", name=op.f("uq_gifts_name")),
    )
    op.create_table(
        "stream_gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("client_key", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("to_reader_cents", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("price_cents > 0 AND to_reader_cents >= 0", name=op.f("ck_stream_gifts_amounts")),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_gifts_stream_id_streams"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["gift_id"], ["gifts.id"], name=op.f("fk_stream_gifts_gift_id_gifts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_stream_gifts_sender_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_gifts")),
        sa.UniqueConstraint("client_key", name=op.f("uq_stream_gifts_client_key")),
    )
    op.create_index(op.f("ix_stream_gifts_sender_id"), "stream_gifts", ["sender_id"], unique=False)
    op.create_index(
        "ix_stream_gifts_stream_id_sender_id", "stream_gifts", ["stream_id", "sender_id"], unique=False
    )
    op.create_table(
        "stream_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stream_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        *_moderatable("stream_messages"),
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 500", name=op.f("ck_stream_messages_body_length")),
        sa.ForeignKeyConstraint(
            ["stream_id"], ["streams.id"], name=op.f("fk_stream_messages_stream_id_streams"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_stream_messages_sender_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stream_messages")),
    )
    op.create_index(op.f("ix_stream_messages_sender_id"), "stream_messages", ["sender_id"], unique=False)
    op.create_index("ix_stream_messages_stream_id_id", "stream_messages", ["stream_id", "id"], unique=False)
    op.bulk_insert(
        gifts,
        [
            {"name": name, "price_cents": price, "icon": icon, "animation": animation, "position": position}
            for position, (name, price, icon, animation) in enumerate(GIFTS, start=1)
        ],
    )
    _add_help_section()


def downgrade():
    op.drop_table("stream_messages")
    op.drop_table("stream_gifts")
    op.drop_table("gifts")
    op.drop_table("streams")
