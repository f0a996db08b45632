"""The buyer's orders in "export my data" (/account/export)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Order
from soulseer.services.core.data_export import export_section, iso


@export_section("shop_orders")
def _export_orders(user):
    orders = db.session.execute(sa.select(Order).where(Order.buyer_id == user.id).order_by(Order.id)).scalars()
    return [
        {
            "id": order.id,
            "created_at": iso(order.created_at),
            "paid_at": iso(order.paid_at),
            "payment": order.payment_method,
            "payment_status": order.payment_status,
            "fulfilment_status": order.fulfilment_status,
            "total_cents": order.total_cents,
            "shipping_cents": order.shipping_cents,
            "shipping_address": order.address_lines,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "items": [
                {
                    "title": item.title,
                    "quantity": item.quantity,
                    "unit_price_cents": item.unit_price_cents,
                    "refunded_cents": item.refunded_cents,
                    "downloads_used": item.grant.used if item.grant else None,
                }
                for item in order.items
            ],
        }
        for order in orders
    ]
