"""shop card refunds: refunds of card-paid orders asked of Stripe

Revision ID: 0033_a
Revises: 0032
Create Date: 2026-12-06 06:40:00

One row per refund an admin asked Stripe for (one per order and form: a resubmitted form asks
once), with Stripe's refund id. The ledger moves on Stripe's charge.refunded event. docs/shop.md.
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_a"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_order_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["admin_id"], ["users.id"], name=op.f("fk_order_refunds_admin_id_users"),
                                ondelete="SET NULL"),  # fmt: skip
        sa.ForeignKeyConstraint(["item_id"], ["order_items.id"], name=op.f("fk_order_refunds_item_id_order_items"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_refunds_order_id_orders"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_refunds")),
        sa.UniqueConstraint("order_id", "request_key", name="uq_order_refunds_order_request"),
        sa.UniqueConstraint("stripe_refund_id", name=op.f("uq_order_refunds_stripe_refund_id")),
    )
    op.create_index(op.f("ix_order_refunds_order_id"), "order_refunds", ["order_id"])


def downgrade():
    op.drop_index(op.f("ix_order_refunds_order_id"), table_name="order_refunds")
    op.drop_table("order_refunds")
