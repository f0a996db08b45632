"""Wallet top-ups: validate the amount, create the pending top-up, start the checkout.

Nothing here credits money. The wallet is credited only by the verified Stripe webhook, through
the job in soulseer.jobs.payments (see services/payments/stripe_events.py and docs/stripe.md).
"""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
import stripe
from flask import current_app

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Topup, TopupStatus

LINE_ITEM_NAME = "SoulSeer wallet top-up"


class TopupError(DomainError):
    """A top-up that cannot start; `field` names the form field the message belongs to."""

    status = 422


@dataclass(frozen=True)
class StartedTopup:
    topup: Topup
    checkout_url: str  # where to send the browser: Stripe Checkout, or the TEST checkout page


def stripe_configured():
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def test_payments_enabled():
    """Test payments: never in production, never once a Stripe key is set (config decides too)."""
    config = current_app.config
    return bool(config["TEST_PAYMENTS_ENABLED"]) and not config["ENV_PRODUCTION"] and not config["STRIPE_SECRET_KEY"]


def stripe_client():
    """The StripeClient, pointed at STRIPE_API_BASE when set (tests run a loopback fake there)."""
    config = current_app.config
    base = {"api": config["STRIPE_API_BASE"]} if config["STRIPE_API_BASE"] else None
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=base, max_network_retries=2)


def presets():
    return list(current_app.config["TOPUP_PRESETS_CENTS"])


def amount_range():
    return current_app.config["TOPUP_MIN_CENTS"], current_app.config["TOPUP_MAX_CENTS"]


def validate_amount(amount_cents):
    """A preset, or whole cents from the minimum to the maximum. Raises TopupError."""
    from soulseer.templating import format_cents

    low, high = amount_range()
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise TopupError("Enter an amount in dollars, like 20 or 12.50.", "amount")
    if amount_cents in presets():
        return amount_cents
    if not low <= amount_cents <= high:
        raise TopupError(f"Choose an amount from {format_cents(low)} to {format_cents(high)}.", "amount")
    return amount_cents


def start_topup(user, amount_cents, *, return_url, cancel_url, test_checkout_url):
    """Create the pending top-up and start its checkout. Commits.

    `return_url(topup)` is the page Stripe sends the client back to, `cancel_url` where a
    cancelled checkout goes, `test_checkout_url(topup)` the TEST checkout page (test payments).
    With Stripe configured the Checkout Session is created through StripeClient; if Stripe
    refuses or cannot be reached the top-up is marked failed and TopupError is raised.
    """
    amount_cents = validate_amount(amount_cents)
    topup = Topup(user_id=user.id, amount_cents=amount_cents, status=TopupStatus.PENDING)
    if not stripe_configured():
        if not test_payments_enabled():
            raise TopupError("Payments are not available right now.")
        # A made-up Checkout Session id, so test events take exactly the production path.
        topup.checkout_session_id = "cs_test_" + secrets.token_hex(16)
        db.session.add(topup)
        db.session.commit()
        return StartedTopup(topup, test_checkout_url(topup))

    # Commit the pending top-up before calling Stripe: its id goes into the session's metadata,
    # and a top-up always exists for any session we create.
    db.session.add(topup)
    db.session.commit()
    currency = current_app.config["CURRENCY"].lower()
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": currency,
                            "unit_amount": amount_cents,
                            "product_data": {"name": LINE_ITEM_NAME},
                        },
                    }
                ],
                "client_reference_id": str(user.id),
                "customer_email": user.email,
                "metadata": {"topup_id": str(topup.id)},
                "payment_intent_data": {"metadata": {"topup_id": str(topup.id)}},
                "success_url": return_url(topup),
                "cancel_url": cancel_url,
            },
            # A retried request (network trouble) creates one session, not two.
            options={"idempotency_key": f"soulseer-topup-{topup.id}"},
        )
    except stripe.StripeError as error:
        current_app.logger.warning("Stripe refused checkout for top-up %s: %s", topup.id, error)
        topup.status = TopupStatus.FAILED
        topup.failure_reason = "The payment page could not be opened."
        db.session.commit()
        raise TopupError("We could not open the payment page. Nothing was charged; please try again.") from error
    topup.checkout_session_id = session.id
    db.session.commit()
    return StartedTopup(topup, session.url)


def owned_topup(user, topup_id):
    """The user's own top-up, or None (someone else's is as good as missing: 404)."""
    return db.session.execute(sa.select(Topup).filter_by(id=topup_id, user_id=user.id)).scalar_one_or_none()
