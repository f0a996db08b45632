"""Paying for an order by card through Stripe Checkout (next-areas.md SH-4; docs/shop.md).

- `start`: the order is made once per buy form, its stock reserved by the wallet path's own
  conditional decrement (`buying.place_order`) and committed; then the Checkout Session is created
  (mode payment, cards, `metadata.order_id`, expiring 30 minutes on; physical goods add Stripe's
  address collection and the flat shipping rate). With test payments a made-up session leads to
  the TEST checkout page, which sends the signed events Stripe would. Stripe refusing gives the
  reservation back at once.
- The order is paid only by the verified webhook's job: `checkout.session.completed` with
  `payment_status` paid, or `checkout.session.async_payment_succeeded`. Every event locks the
  order's row, and the sale has the order's one key (`order:<id>:pay`), so any number of events in
  any order fulfil it once. The money comes in from Stripe and pays the sale with the reader's
  share (`commerce.charge_card`); it never passes through the wallet.
- The reservation goes back (stock + q, the order not paid) on `checkout.session.expired` or
  `async_payment_failed`, or, if no event came, by the tick 5 minutes after `expires_at`, which
  asks Stripe first: an open session is expired there (nobody can pay it afterwards), a paid one
  is fulfilled from what Stripe answers.
"""

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import keys
from soulseer.models import Order, PaymentStatus, ProductKind
from soulseer.services import commerce
from soulseer.services.core import notifications
from soulseer.services.payments import stripe_events
from soulseer.services.payments.stripe_events import NotApplicable
from soulseer.services.payments.topups import stripe_client, stripe_configured, test_payments_enabled
from soulseer.services.shop import buying, card_refunds, downloads
from soulseer.services.shop.errors import ShopError

log = logging.getLogger(__name__)

# Stripe's shortest session is 30 minutes after it creates it; the extra minute covers our
# request's time on the way and clocks that differ a little.
SESSION_LIFETIME = timedelta(minutes=31)
# The tick gives the expiry event this long to come before it looks at the session itself.
TICK_GRACE = timedelta(minutes=5)
# A session completed with a delayed payment still in flight: look again this much later.
LOOK_AGAIN = timedelta(hours=1)
TICK_BATCH = 50


def start(buyer, product_id, quantity, request_key, *, return_url, cancel_url, test_checkout_url):
    """Make the card order of this buy form, reserve its stock and open its checkout. Commits.
    Returns the order (the first one, when this form was sent before); its `checkout_url` is where
    the buyer pays. Raises ShopError with nothing kept (sold out, not for sale, Stripe refusing)."""
    request_key = buying.check_request_key(request_key)
    already, product = buying.order_or_product_to_buy(product_id, buyer, request_key)
    if already is not None:
        return already
    quantity = buying.check_quantity(product, quantity)
    if not (stripe_configured() or test_payments_enabled()):
        raise ShopError("Card payments are not available right now. You can pay from your wallet.")
    expires_at = clock.now() + SESSION_LIFETIME
    order, made = buying.place_order(buyer, product, quantity, request_key, "card", checkout_expires_at=expires_at)
    if not made:
        return order
    if not stripe_configured():
        # A made-up session id, so the TEST checkout's events take exactly the production path.
        order.checkout_session_id = "cs_test_" + secrets.token_hex(16)
        order.checkout_url = test_checkout_url(order)
        db.session.commit()
        return order
    db.session.commit()  # the order and its reservation exist before any session does
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=_session_params(order, buyer, return_url(order), cancel_url),
            options={"idempotency_key": f"soulseer-order-{order.id}"},  # a retried request: one session
        )
    except stripe.StripeError as error:
        log.warning("Stripe refused checkout for order %s: %s", order.id, error)
        release(_locked(id=order.id))
        db.session.commit()
        raise ShopError("We could not open the payment page. Nothing was charged; please try again.") from error
    order.checkout_session_id, order.checkout_url = session.id, session.url
    db.session.commit()
    return order


def _session_params(order, buyer, success_url, cancel_url):
    [item] = order.items
    currency = current_app.config["CURRENCY"].lower()
    params = {
        "mode": "payment",
        # Cards are paid at once: no delayed method can outlive the reservation (SH-4's pitfall 8).
        "payment_method_types": ["card"],
        "line_items": [
            {
                "quantity": item.quantity,
                "price_data": {
                    "currency": currency,
                    "unit_amount": item.unit_price_cents,
                    "product_data": {"name": item.title},
                },
            }
        ],
        "client_reference_id": str(order.buyer_id),
        "customer_email": buyer.email,
        "metadata": {"order_id": str(order.id)},
        "payment_intent_data": {"metadata": {"order_id": str(order.id)}},
        "expires_at": int(order.checkout_expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if order.physical:
        params["shipping_address_collection"] = {"allowed_countries": buying.shipping_countries()}
        params["shipping_options"] = [
            {
                "shipping_rate_data": {
                    "type": "fixed_amount",
                    "display_name": "Shipping",
                    "fixed_amount": {"amount": order.shipping_cents, "currency": currency},
                }
            }
        ]
    return params


def release(order):
    """A card order that was not paid gives its reservation back: its stock returns and it is
    marked not paid. Only a pending order (so the stock comes back once). Returns whether."""
    if order is None or order.payment_status != PaymentStatus.PENDING:
        return False
    buying.put_back_stock(order)
    order.payment_status = PaymentStatus.FAILED
    return True


def _locked(**criteria):
    return db.session.execute(
        sa.select(Order).filter_by(payment_method="card", **criteria).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()  # fmt: skip


# --- the webhook's events (the job; registered in shop.init_app) ------------------------------


def owns(data_object):
    """Is this Stripe object about a shop order? (Its metadata says so; a charge, by its payment.)"""
    if "order_id" in (data_object.get("metadata") or {}):
        return True
    payment_intent = _id_of(data_object.get("payment_intent"))
    return bool(payment_intent) and db.session.scalar(
        sa.select(sa.exists().where(Order.payment_intent_id == payment_intent))
    )


def _id_of(value):
    return value.get("id") if isinstance(value, dict) else value


def _order_for_session(session):
    session_id = session.get("id")
    order = _locked(checkout_session_id=session_id) if session_id else None
    if order is None:
        # The session's id is saved right after Stripe makes it; an event faster than that finds
        # its order by the metadata we sent.
        order_id = str((session.get("metadata") or {}).get("order_id") or "")
        order = _locked(id=int(order_id)) if order_id.isdigit() else None
        if order is not None and order.checkout_session_id is None:
            order.checkout_session_id = session_id
        elif order is not None and order.checkout_session_id != session_id:
            order = None  # it belongs to another session
    if order is None:
        raise NotApplicable(f"unknown checkout session {session_id} (shop)")
    return order


def _check_session(order, session):
    stripe_events.check_session_pays(session, order.buyer_id, order.total_cents, f"order {order.id}")
    payment_intent = _id_of(session.get("payment_intent"))
    if payment_intent and not order.payment_intent_id:
        order.payment_intent_id = payment_intent


def on_session_completed(session):
    order = _order_for_session(session)
    _check_session(order, session)
    if session.get("payment_status") == "paid":
        _fulfil(order, session)
    # "unpaid": a delayed payment; async_payment_succeeded or _failed follows.


def on_async_payment_succeeded(session):
    order = _order_for_session(session)
    _check_session(order, session)
    _fulfil(order, session)


def on_session_not_paid(reason):
    def handler(session):
        order = _order_for_session(session)
        if order.payment_status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            raise NotApplicable(f"order {order.id} is {order.payment_status}: {reason} changes nothing")
        release(order)

    return handler


def _fulfil(order, session):
    """The money is in: post the sale once, ship to the address Checkout collected, grant downloads."""
    if order.payment_status == PaymentStatus.FAILED:
        # Its reservation went back (a failure report, or the tick), and Stripe says it was paid
        # after all: Stripe is the truth, if the stock is still there.
        try:
            for item in order.items:
                if item.kind == ProductKind.PHYSICAL:
                    buying.take_stock(item.product, item.quantity)
        except ShopError:
            raise NotApplicable(
                f"order {order.id} was paid after its stock went back, and none is left: refund it"
            ) from None
    elif order.payment_status != PaymentStatus.PENDING:
        return  # paid (or refunded) already: an event again, or the other of completed/async
    if order.physical:
        for column, value in buying.collected_address(_shipping_address(session)).items():
            setattr(order, column, value)
    [item] = order.items
    commerce.charge_card(
        buying.seller_of(item.seller_id), order.total_cents, keys.order_payment(order.id), buying.reference(order),
        buying.sale_description(item.title, item.quantity),
    )  # fmt: skip
    order.payment_status, order.paid_at = PaymentStatus.PAID, clock.now()
    db.session.flush()
    downloads.issue_grants(order)
    card_refunds.enqueue_waiting(order)
    notifications.notify(
        order.buyer_id, "order", f"Order #{order.id} is paid: thank you.",
        link=notifications.path_for("shop.order", order_id=order.id),
    )  # fmt: skip


def _shipping_address(session):
    """Where Checkout says to ship: `collected_information.shipping_details` since API 2025-03-31,
    `shipping_details` before (an endpoint keeps the API version it was made with)."""
    details = (session.get("collected_information") or {}).get("shipping_details") or session.get(
        "shipping_details"
    ) or {}  # fmt: skip
    address = details.get("address") or {}
    return buying.Address(
        name=details.get("name") or "",
        line1=address.get("line1") or "",
        line2=address.get("line2") or "",
        city=address.get("city") or "",
        region=address.get("state") or "",
        postal_code=address.get("postal_code") or "",
        country=address.get("country") or "",
    )


def register_events(app):
    stripe_events.register_payments(
        app,
        owns,
        {
            "checkout.session.completed": on_session_completed,
            "checkout.session.async_payment_succeeded": on_async_payment_succeeded,
            "checkout.session.async_payment_failed": on_session_not_paid("the payment failed"),
            "checkout.session.expired": on_session_not_paid("the checkout expired"),
            "charge.refunded": card_refunds.on_charge_refunded,
            "charge.dispute.created": card_refunds.on_dispute,
            "charge.dispute.closed": card_refunds.on_dispute,
        },
    )


# --- the tick's fallback: sessions whose expiry event never came ------------------------------


def needs_tick(order, now):
    """A card order still waiting for its payment 5 minutes after its session expired. (The same
    rule as needs_tick_clause, in SQL; a test keeps them agreeing.)"""
    return (
        order.payment_method == "card"
        and order.payment_status == PaymentStatus.PENDING
        and order.checkout_expires_at is not None
        and order.checkout_expires_at <= now - TICK_GRACE
    )


def needs_tick_clause(now):
    return sa.and_(
        Order.payment_method == "card",
        Order.payment_status == PaymentStatus.PENDING,
        Order.checkout_expires_at <= now - TICK_GRACE,
    )


def tick(now):
    """Settle one batch of card orders whose expiry event never came. Returns how many."""
    due = (
        db.session.execute(
            sa.select(Order).where(needs_tick_clause(now)).order_by(Order.checkout_expires_at)
            .limit(TICK_BATCH).with_for_update(skip_locked=True)
        ).scalars().all()
    )  # fmt: skip
    for order in due:
        try:
            with db.session.begin_nested():
                _settle_expired(order, now)
        except NotApplicable as problem:  # paid at Stripe, but it cannot be fulfilled: for an admin
            log.warning("order %s: %s", order.id, problem)
    db.session.commit()
    return len(due)


def _settle_expired(order, now):
    if not stripe_configured() or not order.checkout_session_id:
        release(order)  # test payments (no session lives anywhere else), or no session was made
        return
    client = stripe_client()
    try:
        session = client.v1.checkout.sessions.retrieve(order.checkout_session_id)
        if session.status == "open":  # expire it at Stripe first: nobody can pay it afterwards
            session = client.v1.checkout.sessions.expire(order.checkout_session_id)
    except stripe.StripeError as error:
        log.warning("Stripe could not tell about order %s's session: %s", order.id, error)
        return  # the next tick asks again
    if session.status == "expired":
        release(order)
    elif session.payment_status == "paid":
        on_session_completed(session.to_dict())
    else:  # complete, a delayed payment in flight: its own event will come
        order.checkout_expires_at = now + LOOK_AGAIN
