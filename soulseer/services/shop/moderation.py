"""Orders in the one moderation queue (docs/moderation.md): "Report a problem with this order",
for its buyer. The admin sees the order in context and decides on its page (refund, cancel, a
fresh download grant: services/shop/refunds.py, downloads.py), so the queue offers no refund of
its own (`sale` stays None: a refund must also revoke downloads and set the order's state)."""

from flask import url_for

from soulseer.models import Order
from soulseer.services.moderation.kinds import ORDER_REASONS, ContentKind, register


def _seller_id(order):
    """A reader's product is hers to answer for; the platform's are nobody's to suspend."""
    return next((item.seller_id for item in order.items if item.seller_id is not None), None)


def register_kinds():
    register(
        ContentKind(
            name="order",
            label="Shop order",
            model=Order,
            author_id=_seller_id,
            texts=lambda order: {},
            can_see=lambda user, order: user.id == order.buyer_id and order.paid_at is not None,
            link=lambda order: url_for("admin.orders.show", order_id=order.id),
            context_template="moderation/context/_order.html",
            hideable=False,
            reasons=ORDER_REASONS,
            describe=lambda order: f"Order #{order.id} by {order.buyer.display_name}",
        )
    )
