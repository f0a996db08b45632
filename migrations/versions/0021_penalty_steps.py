"""penalty steps: a suspension from the moderation queue ends by itself

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 03:20:00

`users.suspended_until`: when a suspension ends (NULL: until an admin restores the account). The
queue suspends an author for 24 h, 72 h, 7 days, then 30 days (next-areas.md §4 F-7); the tick ends
suspensions that are over (docs/moderation.md, "Penalty steps"). Only a suspended account has an end.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_suspension_end_only_when_suspended"),
        "users",
        "suspended_until IS NULL OR status = 'suspended'",
    )
    op.create_index(
        "ix_users_suspended_until",
        "users",
        ["suspended_until"],
        unique=False,
        postgresql_where=sa.text("suspended_until IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_users_suspended_until", table_name="users", postgresql_where=sa.text("suspended_until IS NOT NULL"))
    op.drop_constraint(op.f("ck_users_suspension_end_only_when_suspended"), "users", type_="check")
    op.drop_column("users", "suspended_until")
