"""A reader's shop sales: how many of each of her products sold, and what she earned from the shop
(her share, net of refunds: read from the ledger, never recomputed)."""

from dataclasses import dataclass

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.ledger import accounts, reads
from soulseer.models import Order, OrderItem


def sold_by_product(reader):
    """{product id: items sold} of the reader's products, in paid orders not refunded in full."""
    rows = db.session.execute(
        sa.select(OrderItem.product_id, sa.func.coalesce(sa.func.sum(OrderItem.quantity), 0))
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.seller_id == reader.id,
            Order.paid_at.is_not(None),
            OrderItem.refunded_cents < OrderItem.unit_price_cents * OrderItem.quantity,
        )
        .group_by(OrderItem.product_id)
    ).all()
    return {product_id: int(count) for product_id, count in rows}


@dataclass(frozen=True)
class Figures:
    sold: int
    earned: int  # cents: her share of shop sales, less what refunds took back


def figures(reader):
    return Figures(
        sold=sum(sold_by_product(reader).values()),
        earned=reads.moved_for_type(accounts.earnings_spec(reader), "order"),
    )
