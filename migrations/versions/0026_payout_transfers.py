"""payout transfers: readers' payouts, the daily run's mark, bank payout failures

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 03:30:00

One row per payout (docs/payouts.md): at most one pending per reader and one daily payout per reader
and day (partial unique indexes), the Stripe Transfer's id unique. The Help page, if nobody has
edited it, gets its "Getting paid" section.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _add_help_section():
    from soulseer.content_pages import HELP_PAYOUTS, add_help_section

    add_help_section(op.get_bind(), HELP_PAYOUTS)


def upgrade():
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stripe_account_id", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("test", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stripe_transfer_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("failure_code", sa.String(length=100), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("reversed_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payouts_amount_positive")),
        sa.CheckConstraint(
            "reversed_cents >= 0 AND reversed_cents <= amount_cents", name=op.f("ck_payouts_reversed_within_amount")
        ),
        sa.CheckConstraint("status IN ('pending', 'paid', 'failed')", name=op.f("ck_payouts_status_known")),
        sa.CheckConstraint("trigger IN ('daily', 'on_request', 'retry')", name=op.f("ck_payouts_trigger_known")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_payouts_user_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("stripe_transfer_id", name=op.f("uq_payouts_stripe_transfer_id")),
    )
    op.create_index("ix_payouts_user_id", "payouts", ["user_id"])
    op.create_index("ix_payouts_status_next_attempt", "payouts", ["status", "next_attempt_at"])
    op.create_index(
        "uq_payouts_one_pending_per_user", "payouts", ["user_id"], unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )  # fmt: skip
    op.create_index(
        "uq_payouts_daily_per_user", "payouts", ["user_id", "run_date"], unique=True,
        postgresql_where=sa.text("trigger = 'daily'"),
    )  # fmt: skip
    op.add_column("payout_accounts", sa.Column("daily_run_on", sa.Date(), nullable=True))
    op.add_column("payout_accounts", sa.Column("bank_failure_code", sa.String(length=100), nullable=True))
    op.add_column("payout_accounts", sa.Column("bank_failure_at", sa.DateTime(timezone=True), nullable=True))
    _add_help_section()


def downgrade():
    op.drop_column("payout_accounts", "bank_failure_at")
    op.drop_column("payout_accounts", "bank_failure_code")
    op.drop_column("payout_accounts", "daily_run_on")
    op.drop_table("payouts")
