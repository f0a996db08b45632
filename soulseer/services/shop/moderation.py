"""The shop in the one moderation queue (docs/moderation.md): products (what sellers write is
screened; anyone who sees a product may report it; hidden, it leaves the shop), and orders
("Report a problem with this order", for its buyer). The admin sees an order in context and
decides on its page (refund, cancel, a fresh download grant: services/shop/refunds.py,
downloads.py), so the queue offers no refund of its own (`sale` stays None: a refund must also
revoke downloads and set the order's state)."""

from flask import url_for

from soulseer.models import Order, Product
from soulseer.services.marketplace import page_cache
from soulseer.services.moderation.kinds import ORDER_REASONS, ContentKind, register, sold_as


def _seller_id(order):
    """A reader's product is hers to answer for; the platform's are nobody's to suspend."""
    return next((item.seller_id for item in order.items if item.seller_id is not None), None)


def register_kinds():
    register(
        ContentKind(
            "order", "Shop order", Order, author=_seller_id, fields=(),
            can_see=lambda user, order: user.id == order.buyer_id and order.paid_at is not None,
            link=lambda order: url_for("admin.orders.show", order_id=order.id), hideable=False, reasons=ORDER_REASONS,
            questioned_sales=sold_as("order"),
            describe=lambda order: f"Order #{order.id} by {order.buyer.display_name}",
        )
    )  # fmt: skip


def _product_seen_by(user, product):
    from soulseer.services.shop import catalogue

    return product.seller_id == user.id or (product.for_sale and catalogue.product_for_sale(product.slug) is not None)


def _seller_name(product):
    return product.seller.display_name if product.seller else "SoulSeer"


def register_product_kind():
    register(
        ContentKind(
            "product", "Shop product", Product, author="seller_id", fields=("title", "summary", "description"),
            can_see=_product_seen_by, link=lambda product: url_for("shop.product", slug=product.slug),
            on_visibility_change=lambda product: page_cache.changed(),  # visitors' shared shop and home pages
            describe=lambda product: f"“{product.title}” by {_seller_name(product)}",
        )
    )  # fmt: skip
