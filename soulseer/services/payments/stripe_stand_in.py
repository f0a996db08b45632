"""Test payments: the stand-in for Stripe when no Stripe key is set (never in production).

Named for what it is, not `test_*`: product code that runs in development and demos, not a test.
The TEST checkout page builds the event Stripe would send, signs it with the local webhook
secret using Stripe's scheme, and POSTs it to this server's own /webhooks/stripe: the same
endpoint, job and ledger path as real payments. Nothing here touches the wallet.
"""

import hashlib
import hmac
import json
import secrets
import time

import requests
from flask import current_app

from soulseer.models import TopupStatus

PAID = "paid"
FAILED = "failed"
STRIPE_API_VERSION = "2025-01-27.acacia"


class DeliveryError(Exception):
    """The test event could not be delivered to the webhook endpoint."""


def sign(payload, secret, timestamp=None):
    """The Stripe-Signature header for `payload` (str): t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _checkout_event(outcome, session_id, user_id, amount, metadata, **more):
    """`checkout.session.completed` (paid) or `async_payment_failed` for a TEST session."""
    now = int(time.time())
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "client_reference_id": str(user_id),
        "created": now,
        "currency": current_app.config["CURRENCY"].lower(),
        "livemode": False,
        "metadata": metadata,
        "mode": "payment",
        "payment_intent": "pi_test_" + secrets.token_hex(12),
        "payment_status": "paid" if outcome == PAID else "unpaid",
        "status": "complete",
        **more,
    }
    kind = "checkout.session.completed" if outcome == PAID else "checkout.session.async_payment_failed"
    return envelope(kind, session, now)


def build_event(topup, outcome):
    """The event Stripe sends when this top-up's checkout is paid, or its payment fails."""
    return _checkout_event(
        outcome, topup.checkout_session_id, topup.user_id, topup.amount_cents, {"topup_id": str(topup.id)}
    )


def build_order_event(order, outcome, address=None):
    """The event Stripe sends when a shop order's checkout is paid (with the shipping address
    Checkout collected, a `buying.Address`, for physical goods), or its payment fails."""
    more = {"amount_subtotal": order.subtotal_cents, "expires_at": int(order.checkout_expires_at.timestamp())}
    if address is not None:
        more["collected_information"] = {
            "shipping_details": {
                "name": address.name,
                "address": {
                    "line1": address.line1, "line2": address.line2 or None, "city": address.city,
                    "state": address.region or None, "postal_code": address.postal_code, "country": address.country,
                },
            }
        }  # fmt: skip
    return _checkout_event(
        outcome, order.checkout_session_id, order.buyer_id, order.total_cents, {"order_id": str(order.id)}, **more
    )


def pay_order(order, outcome, webhook_url, address=None):
    """Send the signed event for a shop order's TEST checkout to `webhook_url`, as Stripe would."""
    if outcome not in (PAID, FAILED):
        raise ValueError(f"unknown test outcome {outcome!r}")
    if order.payment_status != "pending":
        return None  # paid, or given up already: a second click sends nothing
    event = build_order_event(order, outcome, address if outcome == PAID else None)
    return deliver(event, webhook_url, current_app.config["STRIPE_WEBHOOK_SECRET"])


def refund_order(order, refunded_total):
    """A test refund of a card-paid shop order: Stripe's `charge.refunded` (its `amount_refunded`
    cumulative, `refunded_total`), stored as the webhook stores a verified event, so the same job
    moves the ledger. (From the admin's own request: nothing to sign for or send over the network.)
    Returns the test refund's id."""
    from soulseer.services.payments import stripe_events

    charge = {
        "id": "ch_test_" + order.payment_intent_id.removeprefix("pi_test_"),
        "object": "charge",
        "amount": order.total_cents,
        "amount_captured": order.total_cents,
        "amount_refunded": refunded_total,
        "currency": current_app.config["CURRENCY"].lower(),
        "paid": True,
        "payment_intent": order.payment_intent_id,
        "refunded": refunded_total == order.total_cents,
        "status": "succeeded",
    }
    stripe_events.store(envelope("charge.refunded", charge))
    return "re_test_" + secrets.token_hex(12)


def envelope(event_type, data_object, created=None, **extra):
    """A test-mode event as Stripe wraps its objects (`extra`: e.g. a Connect event's `account`)."""
    return {
        "id": "evt_test_" + secrets.token_hex(12),
        "object": "event",
        "api_version": STRIPE_API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        **extra,
    }


def pay(topup, outcome, webhook_url):
    """Send the signed event for `topup` to `webhook_url` over HTTP, as Stripe would."""
    if outcome not in (PAID, FAILED):
        raise ValueError(f"unknown test outcome {outcome!r}")
    if topup.status != TopupStatus.PENDING:
        return None  # paid or failed already: a second click sends nothing
    return deliver(build_event(topup, outcome), webhook_url, current_app.config["STRIPE_WEBHOOK_SECRET"])


def deliver(event, webhook_url, secret):
    """POST `event` to `webhook_url`, signed with `secret` by Stripe's scheme, as Stripe would."""
    payload = json.dumps(event, separators=(",", ":"))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign(payload, secret),
        "User-Agent": "SoulSeer test payments (Stripe-format event)",
    }
    try:
        response = requests.post(webhook_url, data=payload.encode(), headers=headers, timeout=10)
    except requests.RequestException as error:
        raise DeliveryError(f"the webhook endpoint could not be reached: {error}") from error
    if response.status_code != 200:
        raise DeliveryError(f"the webhook endpoint answered {response.status_code}")
    return response
