"""Refunds and cancellations of orders (next-areas.md SH-6, SH-7), by an admin, through commerce.

- **Refund an item** gives back what is left of that item's line; **refund the order** gives back
  everything left (items and shipping). Money goes back the way it came: a wallet payment back to
  the wallet with `commerce.refund`, taken from the reader and the platform in proportion to what
  each got; a card payment back to the card through a Stripe refund (card_refunds.py), the ledger
  moving on Stripe's event. The same form sent twice refunds once (its request key makes the ledger
  key, or the Stripe refund's idempotency key).
- A refund revokes the download grant of the refunded digital items.
- A physical order that has **shipped** is refunded only once the admin confirms its return arrived.
- **Cancel** a physical order before it ships: its stock goes back (`stock = stock + q`) and the
  whole order is refunded; it will not ship.

Every decision is audit-logged and the buyer is notified. Raises ShopError (or
commerce.RefundRefused) with nothing written.
"""

from soulseer import clock
from soulseer.ledger import keys, reads
from soulseer.models import FulfilmentStatus, PaymentStatus
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.core import audit, notifications
from soulseer.services.payments import wallet
from soulseer.services.shop import card_refunds, downloads, orders
from soulseer.services.shop.buying import put_back_stock, reference
from soulseer.services.shop.errors import ShopError

REASON_MIN, REASON_MAX = 5, 500


def _reason(text):
    text = " ".join((text or "").split())
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ShopError(f"Say why, in {REASON_MIN} to {REASON_MAX} characters (kept in the audit log).", field="reason")
    return text


def left_to_refund(order):
    """Cents of the order that can still go back to the buyer: from the ledger for a wallet payment;
    for a card payment, less what was asked of Stripe already (its ledger follows Stripe's event)."""
    if not order.paid:
        return 0
    if order.payment_method == "card":
        return card_refunds.left_to_refund(order)
    return commerce.refundable(reference(order))


def _pay_back(admin, order, amount, reason, request_key, item=None):
    """Refund `amount` of the order's sale once per form, the way it was paid: to the wallet now,
    or to the card through Stripe (card_refunds)."""
    if order.payment_method == "card":
        card_refunds.ask_stripe(admin, order, amount, reason, request_key, item)
        news = f"Order #{order.id}: {format_cents(amount)} is being refunded to your card."
    else:
        posted = commerce.refund(reference(order), amount, keys.refund(reference(order), request_key), admin, reason)
        if not posted.created:
            return
        wallet.announce_balance(order.buyer)
        news = f"Order #{order.id}: {format_cents(amount)} was refunded to your wallet."
    order.payment_status = PaymentStatus.REFUNDED if left_to_refund(order) == 0 else PaymentStatus.PARTIALLY_REFUNDED
    notifications.notify(order.buyer_id, "order", news, link=notifications.path_for("shop.order", order_id=order.id))


def _check_refundable(order, return_received):
    if not order.paid:
        raise ShopError("Only a paid order can be refunded.", status=409)
    if order.fulfilment_status == FulfilmentStatus.SHIPPED and not return_received:
        raise ShopError(
            "This order has shipped: confirm its return has arrived before refunding it.", field="return_received"
        )


def _already(request_key, order):
    """This form refunded the order already (a resubmit, a double click)."""
    if order.payment_method == "card":
        return card_refunds.sent(order, request_key)
    return reads.posted(keys.refund(reference(order), request_key)) is not None


def refund_item(admin, order_id, item_id, reason, request_key, return_received=False):
    """Give back what is left of one item's line and revoke its download grant."""
    reason = _reason(reason)
    order = orders.locked(order_id)
    item = next((item for item in order.items if item.id == item_id), None)
    if item is None:
        raise ShopError("There is no such item in this order.", status=404)
    if _already(request_key, order):
        return order  # the same form again: refunded once already
    _check_refundable(order, return_received)
    amount = min(item.line_cents - item.refunded_cents, left_to_refund(order))
    if amount <= 0:
        raise ShopError("This item has been refunded in full already.", status=409)
    _pay_back(admin, order, amount, reason, request_key, item)
    item.refunded_cents += amount
    downloads.revoke(item)
    audit.record(admin, "shop.item_refunded", order, after={"item": item.id, "amount_cents": amount}, reason=reason)
    return order


def refund_order(admin, order_id, reason, request_key, return_received=False):
    """Give back everything left of the order (items and shipping) and revoke its download grants."""
    reason = _reason(reason)
    order = orders.locked(order_id)
    if _already(request_key, order):
        return order
    _check_refundable(order, return_received)
    amount = left_to_refund(order)
    if amount <= 0:
        raise ShopError("This order has been refunded in full already.", status=409)
    _pay_back(admin, order, amount, reason, request_key)
    for item in order.items:
        item.refunded_cents = item.line_cents
        downloads.revoke(item)
    audit.record(admin, "shop.order_refunded", order, after={"amount_cents": amount}, reason=reason)
    return order


def cancel(admin, order_id, reason, request_key):
    """Cancel a physical order before it ships: its stock goes back and it is refunded in full."""
    reason = _reason(reason)
    order = orders.locked(order_id)
    if order.fulfilment_status == FulfilmentStatus.CANCELLED and _already(request_key, order):
        return order
    if order.fulfilment_status != FulfilmentStatus.UNFULFILLED or not order.paid:
        raise ShopError("Only a paid order that has not shipped can be cancelled.", status=409)
    put_back_stock(order)
    amount = left_to_refund(order)
    if amount > 0:
        _pay_back(admin, order, amount, reason, request_key)
    for item in order.items:
        item.refunded_cents = item.line_cents
    order.fulfilment_status = FulfilmentStatus.CANCELLED
    order.cancelled_at = clock.now()
    audit.record(admin, "shop.order_cancelled", order, after={"amount_cents": amount}, reason=reason)
    return order
