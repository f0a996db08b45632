"""payouts: readers' Stripe Connect accounts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 03:00:00

One Express connected account per reader (docs/payouts.md): its acct_ id unique, and the status
Stripe last reported with the time of that snapshot.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payout_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stripe_account_id", sa.String(length=255), nullable=False),
        sa.Column("test", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("details_submitted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("payouts_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("charges_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("transfers", sa.String(length=16), nullable=True),
        sa.Column("currently_due", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("past_due", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("disabled_reason", sa.String(length=100), nullable=True),
        sa.Column("status_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payout_accounts_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_accounts")),
        sa.UniqueConstraint("stripe_account_id", name=op.f("uq_payout_accounts_stripe_account_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_payout_accounts_user_id")),
    )


def downgrade():
    op.drop_table("payout_accounts")
