"""Stripe's webhooks: verify, store once, answer fast; a job applies the event (docs/stripe.md).

Two endpoints, each with its own signing secret: /webhooks/stripe for the platform's own events
(top-ups), /webhooks/stripe/connect for connected accounts' events (payouts, docs/payouts.md).
Stripe sends a connected account's events only to a Connect endpoint."""

from flask import Blueprint, current_app, jsonify, request

from soulseer.extensions import csrf, db, limiter
from soulseer.services.payments import stripe_events

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

# Stripe's events are a few kilobytes; anything far larger is not one of them.
MAX_EVENT_BYTES = 512 * 1024


@bp.post("/stripe")
@csrf.exempt  # authenticated by the Stripe-Signature header instead
@limiter.exempt  # Stripe retries and bursts; a refused event would be re-sent for days
def stripe_webhook():
    return _receive(stripe_events.verify)


@bp.post("/stripe/connect")
@csrf.exempt
@limiter.exempt
def stripe_connect_webhook():
    return _receive(stripe_events.verify_connect)


def _receive(verify):
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return _refuse("too large", 413)
    payload = request.get_data(cache=False)
    if len(payload) > MAX_EVENT_BYTES:
        return _refuse("too large", 413)
    try:
        event = verify(payload, request.headers.get("Stripe-Signature"))
    except stripe_events.InvalidEvent as error:
        current_app.logger.warning("Refused a Stripe webhook: %s", error)
        return _refuse(str(error))
    stored, created = stripe_events.store(event)
    db.session.commit()  # the job is enqueued once this commits
    return jsonify(received=True, duplicate=not created, status=stored.status)


def _refuse(reason, status=400):
    response = jsonify(received=False, error=reason)
    response.status_code = status
    return response
