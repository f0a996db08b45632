"""community: categories, threads and one-level replies

Revision ID: 0017
Revises: 0016_b
Create Date: 2026-12-05 17:30:00

The community's three tables (docs/community.md), threads and replies moderatable like every other
kind of content (hidden at, why, by whom), and the five categories of PRODUCT.md §8, in order;
only admins start threads in Announcements.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016_b"
branch_labels = None
depends_on = None

CATEGORIES = (
    ("general", "General", "Introductions, questions about SoulSeer, and anything that fits nowhere else.", False),
    ("readings", "Readings", "Share how a reading went and what you took from it.", False),
    ("spiritual-growth", "Spiritual Growth", "Practices, reflections and the paths that help you grow.", False),
    ("ask-a-reader", "Ask a Reader", "Questions for SoulSeer's readers about their crafts and tools.", False),
    ("announcements", "Announcements", "News from SoulSeer. Only SoulSeer's team starts threads here.", True),
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


def upgrade():
    categories = op.create_table(
        "community_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=300), server_default="", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("admins_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_community_categories_slug")),
    )
    op.create_table(
        "community_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_reason", sa.String(length=300), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reply_count", sa.Integer(), server_default="0", nullable=False),
        *_moderatable("community_threads"),
        sa.CheckConstraint(
            "(locked_at IS NULL) = (locked_reason IS NULL)", name=op.f("ck_community_threads_locked_has_reason")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_community_threads_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["community_categories.id"], name=op.f("fk_community_threads_category_id_community_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_threads")),
    )
    op.create_index(op.f("ix_community_threads_category_id"), "community_threads", ["category_id"], unique=False)
    op.create_index(
        "ix_community_threads_listing",
        "community_threads",
        ["category_id", sa.text("(pinned_at IS NULL)"), sa.text("last_activity_at DESC"), sa.text("id DESC")],
        unique=False,
    )
    op.create_index(
        "ix_community_threads_activity", "community_threads", [sa.text("last_activity_at DESC")], unique=False
    )
    op.create_index(
        "ix_community_threads_author_created", "community_threads", ["author_id", "created_at"], unique=False
    )
    op.create_table(
        "community_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_moderatable("community_posts"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name=op.f("ck_community_posts_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_community_posts_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["community_posts.id"],
            name=op.f("fk_community_posts_parent_id_community_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["community_threads.id"],
            name=op.f("fk_community_posts_thread_id_community_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_posts")),
    )
    op.create_index("ix_community_posts_thread", "community_posts", ["thread_id", "parent_id", "id"], unique=False)
    op.create_index("ix_community_posts_author_created", "community_posts", ["author_id", "created_at"], unique=False)
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name": name, "description": description, "position": position, "admins_only": admins_only}
            for position, (slug, name, description, admins_only) in enumerate(CATEGORIES, start=1)
        ],
    )


def downgrade():
    op.drop_table("community_posts")
    op.drop_table("community_threads")
    op.drop_table("community_categories")
