"""moderation: hideable content, flags, the queue, screening hits

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:20:00

Reader profiles and reading messages get the Moderatable columns reviews already have (hidden
at, why, by whom; a hidden row has its reason). A profile hidden before this migration keeps
the time, admin and reason of its latest `reader_profile.hidden` audit entry (a fixed reason
where none was given). The audit action `review.hide` becomes `review.hidden`, the name every
kind now uses (`<kind>.hidden` / `<kind>.shown`). The Help and Refund policy pages, where still
exactly as first seeded (never edited), get their new text: they pointed to a contact that does not
exist; they now point to "Report a problem" on the reading (an edited page is left alone).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

NO_REASON = "Hidden by an admin before reasons were required."

# The first seeded texts the new ones replace (soulseer/content_pages.py has the new ones).
OLD_HELP_PART = """## Can I get a refund?

See the [Refund policy](/pages/refund-policy). If something went wrong, write to us from your
account page and we will look at the reading.
"""
OLD_REFUND_PART = """- If a reading went wrong (a technical failure, or a reader who did not read), contact us within
  14 days and we will review it. Refunds go back to your wallet, in full or in part."""


def _update_seeded_pages():
    from soulseer.content_pages import HELP, REFUND_POLICY

    conn = op.get_bind()
    for slug, old_part, new_text in (("help", OLD_HELP_PART, HELP), ("refund-policy", OLD_REFUND_PART, REFUND_POLICY)):
        body = conn.execute(sa.text("SELECT body_markdown FROM content_pages WHERE slug = :slug"), {"slug": slug}).scalar()
        # Unedited: the seed's text with the old paragraph (an admin's save ends in a newline too).
        if body is not None and old_part in body and updated_by_nobody(conn, slug):
            conn.execute(
                sa.text("UPDATE content_pages SET body_markdown = :text WHERE slug = :slug"), {"text": new_text, "slug": slug}
            )


def updated_by_nobody(conn, slug):
    return conn.execute(
        sa.text("SELECT updated_by_id IS NULL AND version = 1 FROM content_pages WHERE slug = :slug"), {"slug": slug}
    ).scalar()


def _add_moderatable(table):
    op.add_column(table, sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(table, sa.Column("hidden_reason", sa.String(length=500), nullable=True))
    op.add_column(table, sa.Column("hidden_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f(f"fk_{table}_hidden_by_id_users"), table, "users", ["hidden_by_id"], ["id"], ondelete="SET NULL"
    )


def _check_moderatable(table):
    op.create_check_constraint(
        op.f(f"ck_{table}_hidden_has_reason"), table, "(hidden_at IS NULL) = (hidden_reason IS NULL)"
    )


def upgrade():
    _add_moderatable("reader_profiles")
    op.execute(
        sa.text(
            """
            UPDATE reader_profiles AS p
               SET hidden_at = coalesce(last.created_at, now()),
                   hidden_by_id = last.actor_id,
                   hidden_reason = left(coalesce(nullif(btrim(last.reason), ''), :no_reason), 500)
              FROM reader_profiles AS q
              LEFT JOIN LATERAL (
                    SELECT a.created_at, a.actor_id, a.reason FROM audit_log AS a
                     WHERE a.action = 'reader_profile.hidden' AND a.target_type = 'ReaderProfile'
                       AND a.target_id = q.id
                     ORDER BY a.created_at DESC, a.id DESC LIMIT 1) AS last ON true
             WHERE p.id = q.id AND q.hidden
            """
        ).bindparams(no_reason=NO_REASON)
    )
    op.drop_column("reader_profiles", "hidden")
    _check_moderatable("reader_profiles")

    _add_moderatable("reading_messages")
    _check_moderatable("reading_messages")

    op.execute("UPDATE audit_log SET action = 'review.hidden' WHERE action = 'review.hide'")
    _update_seeded_pages()

    op.create_table(
        "moderation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("score", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("(state = 'open') = (decided_at IS NULL)", name=op.f("ck_moderation_items_decided_when_closed")),
        sa.CheckConstraint("state IN ('open', 'actioned', 'dismissed')", name=op.f("ck_moderation_items_state_known")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_moderation_items_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_moderation_items_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_items")),
        sa.UniqueConstraint("kind", "target_id", name=op.f("uq_moderation_items_kind")),
    )
    op.create_index(op.f("ix_moderation_items_author_id"), "moderation_items", ["author_id"], unique=False)
    op.create_index(
        "ix_moderation_items_queue",
        "moderation_items",
        [sa.text("urgent DESC"), sa.text("score DESC"), "opened_at"],
        unique=False,
        postgresql_where=sa.text("state = 'open'"),
    )

    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("flagger_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(state = 'open') = (decided_at IS NULL)", name=op.f("ck_flags_decided_when_closed")),
        sa.CheckConstraint(
            "(flagger_id IS NULL AND note IS NULL) OR char_length(note) BETWEEN 5 AND 1000",
            name=op.f("ck_flags_note_length"),
        ),
        sa.CheckConstraint("state IN ('open', 'actioned', 'dismissed')", name=op.f("ck_flags_state_known")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_flags_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["flagger_id"], ["users.id"], name=op.f("fk_flags_flagger_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["moderation_items.id"], name=op.f("fk_flags_item_id_moderation_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
    )
    op.create_index(op.f("ix_flags_item_id"), "flags", ["item_id"], unique=False)
    op.create_index("ix_flags_flagger_created", "flags", ["flagger_id", "created_at"], unique=False)
    op.create_index(
        "uq_flags_one_open_per_flagger",
        "flags",
        ["flagger_id", "item_id"],
        unique=True,
        postgresql_where=sa.text("state = 'open' AND flagger_id IS NOT NULL"),
    )

    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name=op.f("ck_screening_hits_span_valid")),
        sa.ForeignKeyConstraint(["flag_id"], ["flags.id"], name=op.f("fk_screening_hits_flag_id_flags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    op.create_index(op.f("ix_screening_hits_flag_id"), "screening_hits", ["flag_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_screening_hits_flag_id"), table_name="screening_hits")
    op.drop_table("screening_hits")
    op.drop_index("uq_flags_one_open_per_flagger", table_name="flags")
    op.drop_index("ix_flags_flagger_created", table_name="flags")
    op.drop_index(op.f("ix_flags_item_id"), table_name="flags")
    op.drop_table("flags")
    op.drop_index("ix_moderation_items_queue", table_name="moderation_items")
    op.drop_index(op.f("ix_moderation_items_author_id"), table_name="moderation_items")
    op.drop_table("moderation_items")

    op.execute("UPDATE audit_log SET action = 'review.hide' WHERE action = 'review.hidden'")

    for table in ("reading_messages", "reader_profiles"):
        op.drop_constraint(op.f(f"ck_{table}_hidden_has_reason"), table, type_="check")
    op.add_column("reader_profiles", sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE reader_profiles SET hidden = hidden_at IS NOT NULL")
    for table in ("reading_messages", "reader_profiles"):
        op.drop_constraint(op.f(f"fk_{table}_hidden_by_id_users"), table, type_="foreignkey")
        for column in ("hidden_by_id", "hidden_reason", "hidden_at"):
            op.drop_column(table, column)
