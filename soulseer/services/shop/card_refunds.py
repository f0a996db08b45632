"""Refunds of card-paid orders (next-areas.md SH-6; docs/shop.md): asked of Stripe with an
idempotency key, the ledger moving only when Stripe's `charge.refunded` event says the money went
back, as a top-up's refunds do.

- `ask_stripe` (the admin's refund or cancel, through refunds.py, under the order's row lock):
  checks the refund would go through (commerce.check_refund: at most what is left, the reader's
  earnings still holding her part), records an `OrderRefund` (one per order and form) and asks
  Stripe for the refund with the key `soulseer-order-<id>-refund-<form key>`, so a resubmitted form
  after a lost answer gets the same refund back. With test payments the stand-in stores the event
  Stripe would send. Stripe refusing or not answering: ShopError, and nothing is kept.
- `on_charge_refunded` (the webhook's job): `amount_refunded` is cumulative, so each event takes
  back what the refunds so far add up to minus what the ledger took already, keyed by the charge
  and that total: replays and late events move nothing more. The money leaves through stripe
  clearing, taken from the reader and the platform in proportion (commerce.refund).
"""

import logging

import sqlalchemy as sa
import stripe

from soulseer.extensions import db
from soulseer.ledger import keys, reads
from soulseer.models import Order, OrderRefund, PaymentStatus
from soulseer.services import commerce
from soulseer.services.payments import stripe_events, stripe_stand_in
from soulseer.services.payments.stripe_events import NotApplicable
from soulseer.services.payments.topups import stripe_client, stripe_configured
from soulseer.services.shop import downloads
from soulseer.services.shop.buying import reference
from soulseer.services.shop.errors import ShopError

log = logging.getLogger(__name__)

NOT_PAID_YET = "order not paid yet"


def asked(order):
    """Cents of the order asked back from Stripe so far (counted at once, before its event)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(OrderRefund.amount_cents), 0)).where(
                OrderRefund.order_id == order.id
            )
        )
    )


def in_progress():
    """The orders with a card refund asked of Stripe that the ledger has not taken back yet (its
    `charge.refunded` has not come), as a select of order ids. Their sellers' earnings from them
    wait (services/payouts/earnings.py), so that the event still finds the reader's part to take."""
    return (
        sa.select(OrderRefund.order_id)
        .group_by(OrderRefund.order_id)
        .having(sa.func.sum(OrderRefund.amount_cents) > reads.refunded_column("order", OrderRefund.order_id))
    )


def left_to_refund(order):
    """What can still be asked back: the total less what was asked (or what Stripe refunded, if a
    refund was also made in Stripe's dashboard)."""
    return order.total_cents - max(asked(order), reads.refunded(reference(order)))


def sent(order, request_key):
    """Was this form's refund asked of Stripe already?"""
    return db.session.scalar(
        sa.select(sa.exists().where(OrderRefund.order_id == order.id, OrderRefund.request_key == request_key))
    )


def idempotency_key(order, request_key):
    return f"soulseer-order-{order.id}-refund-{request_key}"


def ask_stripe(admin, order, amount, reason, request_key, item=None):
    """Ask Stripe to give `amount` of the order's card payment back, once per form. The caller holds
    the order's row lock. Raises commerce.RefundRefused or ShopError with nothing kept."""
    commerce.check_refund(reference(order), amount, order.total_cents - left_to_refund(order))
    refund = OrderRefund(
        order_id=order.id, item_id=item.id if item is not None else None, amount_cents=amount,
        request_key=request_key, reason=reason, admin_id=admin.id if admin is not None else None,
    )  # fmt: skip
    db.session.add(refund)
    db.session.flush()
    if not stripe_configured():  # test payments: the event Stripe would send, stored as the webhook does
        refund.stripe_refund_id = stripe_stand_in.refund_order(order, asked(order))
        return refund
    try:
        made = stripe_client().v1.refunds.create(
            params={
                "payment_intent": order.payment_intent_id,
                "amount": amount,
                "metadata": {"order_id": str(order.id), "order_refund_id": str(refund.id)},
            },
            options={"idempotency_key": idempotency_key(order, request_key)},
        )
    except stripe.StripeError as error:
        log.warning("Stripe did not refund order %s: %s", order.id, error)
        said = getattr(error, "user_message", None) or "it did not answer"
        raise ShopError(
            f"Stripe did not make this refund ({said}). Nothing was refunded; send the form again.", status=502
        ) from error
    refund.stripe_refund_id = made.id
    return refund


def on_charge_refunded(charge):
    """Take back, once, what Stripe refunded of an order's card payment (see the module)."""
    payment_intent = charge.get("payment_intent")
    payment_intent = payment_intent.get("id") if isinstance(payment_intent, dict) else payment_intent
    order = db.session.execute(
        sa.select(Order).filter_by(payment_intent_id=payment_intent).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()  # fmt: skip
    if order is None or reads.posted(keys.order_payment(order.id)) is None:
        raise NotApplicable(f"{NOT_PAID_YET} (payment {payment_intent})")
    if charge.get("amount") != order.total_cents:
        raise NotApplicable(
            f"amount mismatch: charge {charge.get('id')} is {charge.get('amount')}, order {order.id} is "
            f"{order.total_cents}"
        )
    refunded = min(int(charge.get("amount_refunded") or 0), order.total_cents)
    key = keys.order_card_refund(charge.get("id"), refunded)
    if reads.posted(key) is not None:
        return
    amount = refunded - reads.refunded(reference(order))
    if amount > 0:
        commerce.refund(reference(order), amount, key, None, "refunded to the card by Stripe")
    if refunded == order.total_cents and order.payment_status != PaymentStatus.REFUNDED:
        # All of it, also when refunded from Stripe's dashboard: nothing is left to download.
        order.payment_status = PaymentStatus.REFUNDED
        for item in order.items:
            item.refunded_cents = item.line_cents
            downloads.revoke(item)
    elif refunded > 0 and order.payment_status == PaymentStatus.PAID:
        order.payment_status = PaymentStatus.PARTIALLY_REFUNDED


def on_dispute(dispute):
    """Disputes of card-paid orders move no money here yet: kept failed, for an admin to see."""
    raise NotApplicable(
        f"a dispute of a shop order's card payment ({dispute.get('payment_intent')}): answer it in Stripe's "
        "dashboard; disputed orders are not taken back in the ledger yet"
    )


def enqueue_waiting(order):
    """Refunds that came before the order was paid: apply them now that it is."""
    if order.payment_intent_id:
        for reason in (NOT_PAID_YET, stripe_events.NOT_CREDITED_YET):
            stripe_events.enqueue_waiting(reason, "payment_intent", order.payment_intent_id)
