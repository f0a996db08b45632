"""shop checkout: orders paid by card through Stripe Checkout

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:20:00

A card order keeps its Checkout Session (unique: one order per session), the page to pay on, when
the session expires (the stock reserved for it goes back then) and the PaymentIntent that paid it
(refunds and Stripe's refund events find the order by it). docs/shop.md.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("checkout_session_id", sa.String(length=255), nullable=True))
    op.add_column("orders", sa.Column("checkout_url", sa.String(length=1000), nullable=True))
    op.add_column("orders", sa.Column("checkout_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("orders", sa.Column("payment_intent_id", sa.String(length=255), nullable=True))
    op.create_unique_constraint("uq_orders_checkout_session_id", "orders", ["checkout_session_id"])
    op.create_index("ix_orders_payment_intent_id", "orders", ["payment_intent_id"])
    # The tick's fallback finds card orders still waiting for their payment.
    op.create_index(
        "ix_orders_checkout_waiting",
        "orders",
        ["checkout_expires_at"],
        postgresql_where=sa.text("payment_status = 'pending' AND payment_method = 'card'"),
    )


def downgrade():
    op.drop_index("ix_orders_checkout_waiting", table_name="orders")
    op.drop_index("ix_orders_payment_intent_id", table_name="orders")
    op.drop_constraint("uq_orders_checkout_session_id", "orders", type_="unique")
    for column in ("payment_intent_id", "checkout_expires_at", "checkout_url", "checkout_session_id"):
        op.drop_column("orders", column)
