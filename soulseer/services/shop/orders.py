"""Orders after the purchase: the buyer's list and one order, the admin's lists, shipping
(next-areas.md SH-7). Refunds and cancellations go through commerce (refunds.py)."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import FulfilmentStatus, Order, OrderItem, PaymentStatus
from soulseer.services.core import audit, notifications
from soulseer.services.shop.errors import ShopError

PER_PAGE = 20
PAYMENT_LABELS = {
    PaymentStatus.PENDING: "Waiting for payment",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.FAILED: "Not paid",
    PaymentStatus.REFUNDED: "Refunded",
    PaymentStatus.PARTIALLY_REFUNDED: "Partly refunded",
}
FULFILMENT_LABELS = {
    FulfilmentStatus.NOT_REQUIRED: "Download",
    FulfilmentStatus.UNFULFILLED: "Preparing to ship",
    FulfilmentStatus.SHIPPED: "Shipped",
    FulfilmentStatus.DELIVERED: "Delivered",
    FulfilmentStatus.CANCELLED: "Cancelled",
}
# The admin's views of the orders: (key, label, condition).
ADMIN_VIEWS = (
    (
        "to_ship",
        "To ship",
        sa.and_(Order.fulfilment_status == FulfilmentStatus.UNFULFILLED, Order.paid_at.is_not(None)),
    ),
    ("paid", "Paid", Order.paid_at.is_not(None)),
    ("shipped", "Shipped", Order.fulfilment_status == FulfilmentStatus.SHIPPED),
)
CARRIER_MAX, TRACKING_MAX = 60, 80


def _with_items(statement):
    return statement.options(selectinload(Order.items).joinedload(OrderItem.product))


def of_buyer(buyer, page):
    """The buyer's orders that were paid (or are being paid), newest first."""
    statement = _with_items(
        sa.select(Order)
        .where(Order.buyer_id == buyer.id, Order.payment_status != PaymentStatus.FAILED)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)


def own(buyer, order_id):
    """The buyer's own order, or ShopError 404 (someone else's order is as good as missing)."""
    order = db.session.get(Order, order_id)
    if order is None or order.buyer_id != buyer.id:
        raise ShopError("There is no such order.", status=404)
    return order


def for_admin(view, page):
    condition = next((condition for key, _, condition in ADMIN_VIEWS if key == view), ADMIN_VIEWS[0][2])
    statement = _with_items(
        sa.select(Order).where(condition).options(joinedload(Order.buyer)).order_by(Order.paid_at.asc(), Order.id.asc())
    )
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)


def to_ship_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(ADMIN_VIEWS[0][2]))


def get(order_id):
    order = db.session.get(Order, order_id)
    if order is None:
        raise ShopError("There is no such order.", status=404)
    return order


def locked(order_id):
    """The order, its row locked until the commit: two admins' decisions on it (shipping, refunds,
    a cancellation) run one after the other."""
    order = db.session.execute(
        sa.select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if order is None:
        raise ShopError("There is no such order.", status=404)
    return order


def mark_shipped(admin, order_id, carrier, tracking_number):
    """A paid physical order leaves with its carrier and tracking number; the buyer is notified.
    Raises ShopError (409: not waiting to ship; 422 on a field)."""
    carrier = " ".join((carrier or "").split())
    tracking_number = "".join((tracking_number or "").split())
    if not 2 <= len(carrier) <= CARRIER_MAX:
        raise ShopError(f"Enter the carrier (2 to {CARRIER_MAX} characters), like USPS or UPS.", field="carrier")
    if not 4 <= len(tracking_number) <= TRACKING_MAX:
        raise ShopError(f"Enter the tracking number (4 to {TRACKING_MAX} characters).", field="tracking_number")
    order = locked(order_id)
    if order.fulfilment_status != FulfilmentStatus.UNFULFILLED or not order.paid:
        raise ShopError("This order is not waiting to be shipped.", status=409)
    order.carrier, order.tracking_number = carrier, tracking_number
    order.fulfilment_status = FulfilmentStatus.SHIPPED
    order.shipped_at = clock.now()
    audit.record(admin, "shop.order_shipped", order, after={"carrier": carrier, "tracking_number": tracking_number})
    notifications.notify(
        order.buyer_id, "order", f"Your order #{order.id} has shipped with {carrier}: tracking {tracking_number}",
        link=notifications.path_for("shop.order", order_id=order.id),
    )  # fmt: skip
    return order


def scrub_address(user):
    """An account being deleted: its orders stay (the ledger and the sellers need them), without
    the address."""
    db.session.execute(
        sa.update(Order)
        .where(Order.buyer_id == user.id)
        .values(
            ship_name=None, ship_line1=None, ship_line2=None, ship_city=None, ship_region=None, ship_postal_code=None
        )
    )
