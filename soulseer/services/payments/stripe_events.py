"""Stripe webhook events: verify, store once, process idempotently (docs/stripe.md).

The web process only verifies the signature and stores the event by its Stripe id; the job
`soulseer.jobs.payments.process_stripe_event` applies it. Events may come in any order and any
number of times. Each is applied by its owner: an area's payments (`register_payments`: shop
orders), an area's handler by type (`register_handler`: payouts), or the top-ups' own handlers
(topup_events.py: one credit per Checkout Session, refunds and disputes of a top-up). An event
that waits for another (a refund before its credit) is kept as failed with the reason and run
again by `enqueue_waiting` once that has come. An event that cannot be applied (unknown checkout
session, unknown user, amount mismatch) is kept as failed with the reason. It never raises out of
the job.
"""

import functools
import json
import logging

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import StripeEvent, StripeEventStatus
from soulseer.services.core import after_commit

log = logging.getLogger(__name__)

# Stripe's own default: a signature older than 5 minutes is refused (replay protection).
SIGNATURE_TOLERANCE_SECONDS = 300
NOT_CREDITED_YET = "top-up not credited yet"
EXTENSION = "soulseer.stripe_event_handlers"
PAYMENT_AREAS = "soulseer.stripe_payment_areas"
DISPUTE_NOT_APPLIED_YET = "dispute not applied yet"


class InvalidEvent(Exception):
    """The request is not a genuine, well-formed Stripe event: answer 400, store nothing."""


class NotApplicable(Exception):
    """The event is genuine but cannot be applied; the event is kept as failed with this reason."""


# --- receiving (web process) -------------------------------------------------------------------


def verify(payload, signature_header, secret=None):
    """Check the Stripe-Signature header with Stripe's own code and return the event as a dict.
    `secret`: the endpoint's signing secret (the platform endpoint's by default)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"] if secret is None else secret
    if not secret:
        raise InvalidEvent("no webhook secret is configured")
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        raise InvalidEvent(f"signature: {error.user_message or error}") from error
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError) as error:
        # Not JSON (JSONDecodeError is a ValueError), or JSON that is no event object at all.
        raise InvalidEvent("the body is not a Stripe event") from error
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and event["id"]
        and isinstance(event.get("type"), str)
        and isinstance((event.get("data") or {}).get("object"), dict)
    ):
        raise InvalidEvent("not a Stripe event")
    return event


def verify_connect(payload, signature_header):
    """The Connect endpoint's check: its own secret, and the event names the connected account it
    is about (Stripe sends connected accounts' events only to a Connect endpoint)."""
    event = verify(payload, signature_header, current_app.config["STRIPE_CONNECT_WEBHOOK_SECRET"])
    account = event.get("account")
    if not (isinstance(account, str) and account.startswith("acct_")):
        raise InvalidEvent("not a Connect event: no connected account")
    return event


def register_handler(app, event_type, handler):
    """An area applies events of `event_type` with `handler(stripe_event)` (the stored StripeEvent:
    payload, account, created), registered in its init_app (payouts: Connect events)."""
    app.extensions.setdefault(EXTENSION, {})[event_type] = handler


def register_payments(app, owns, handlers):
    """An area that takes card payments of its own, beside top-ups (the shop's orders): an event
    whose object `owns(object)` recognises is applied by `handlers[event type](object)`, never by
    the top-ups' handlers; a type the area has no handler for is kept as ignored."""
    app.extensions.setdefault(PAYMENT_AREAS, []).append((owns, handlers))


def store(event):
    """Keep the event once by its id and process it after commit. Returns (StripeEvent, created).

    A second delivery of an event that is stored already starts nothing, unless the event had
    failed: a replay (from Stripe's dashboard or the CLI) is how one retries it."""
    from soulseer.jobs.payments import process_stripe_event

    inserted = db.session.execute(
        insert(StripeEvent)
        .values(id=event["id"][:255], type=event["type"][:100], payload=event, received_at=clock.now())
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(StripeEvent.id)
    ).scalar_one_or_none()
    stored = db.session.get(StripeEvent, event["id"][:255])
    if inserted is not None or stored.status == StripeEventStatus.FAILED:
        after_commit.enqueue(process_stripe_event, stored.id)
    return stored, inserted is not None


def retry(event_id):
    """An admin's retry of a failed (or stuck) event: process it again. Returns False if done."""
    from soulseer.jobs.payments import process_stripe_event

    event = db.session.get(StripeEvent, event_id)
    if event is None or event.status in (StripeEventStatus.APPLIED, StripeEventStatus.IGNORED):
        return False
    after_commit.enqueue(process_stripe_event, event.id)
    return True


def stuck_event_ids(older_than):
    """Events still 'received' after `older_than` (their job was lost): the cron enqueues them."""
    return (
        db.session.execute(
            sa.select(StripeEvent.id).where(
                StripeEvent.status == StripeEventStatus.RECEIVED, StripeEvent.received_at < clock.now() - older_than
            )
        )
        .scalars()
        .all()
    )


# --- processing (worker) -----------------------------------------------------------------------


def process(event_id):
    """Apply one stored event, at most once. Commits. Returns the event's status."""
    event = db.session.execute(sa.select(StripeEvent).filter_by(id=event_id).with_for_update()).scalar_one_or_none()
    if event is None:
        db.session.rollback()
        return None
    if event.status in (StripeEventStatus.APPLIED, StripeEventStatus.IGNORED):
        db.session.rollback()
        return event.status
    event.attempts += 1
    handler = _handler_for(event)
    try:
        with db.session.begin_nested():  # a failure undoes the handler's writes, not the record
            if handler is None:
                status = StripeEventStatus.IGNORED
            else:
                handler()
                status = StripeEventStatus.APPLIED
        event.status, event.error = status, None
    except NotApplicable as problem:
        event.status, event.error = StripeEventStatus.FAILED, str(problem)
        log.warning("Stripe event %s (%s) not applied: %s", event.id, event.type, problem)
    except Exception as error:  # kept and shown to admins; the worker goes on
        log.exception("Stripe event %s (%s) failed", event.id, event.type)
        event.status, event.error = StripeEventStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
    event.processed_at = clock.now()
    db.session.commit()
    return event.status


def _handler_for(event):
    """The work for this event: an area's payments (register_payments) or the top-ups' handlers
    take its object, an area's handler by type (register_handler) its row."""
    data_object = event.data_object
    for owns, handlers in current_app.extensions.get(PAYMENT_AREAS, []):
        if owns(data_object):
            handler = handlers.get(event.type)
            return functools.partial(handler, data_object) if handler else None
    from soulseer.services.payments.topup_events import HANDLERS  # the top-ups' own events

    if event.type in HANDLERS:
        return lambda: HANDLERS[event.type](event.data_object)
    registered = current_app.extensions.get(EXTENSION, {}).get(event.type)
    return (lambda: registered(event)) if registered else None


def check_session_pays(session, owner_id, amount_cents, what):
    """The Checkout Session is `owner_id`'s (client_reference_id) and pays `amount_cents` in our
    currency for `what` ("top-up 7", "order 12"); otherwise NotApplicable, and nothing moves."""
    reference = str(session.get("client_reference_id") or "")
    if reference != str(owner_id):
        raise NotApplicable(f"unknown user: client_reference_id {reference!r} is not {what}'s owner")
    amount, currency = session.get("amount_total"), str(session.get("currency") or "").lower()
    expected_currency = current_app.config["CURRENCY"].lower()
    if amount != amount_cents or currency != expected_currency:
        raise NotApplicable(
            f"amount mismatch: the session is {amount} {currency}, {what} is {amount_cents} {expected_currency}"
        )


def enqueue_waiting(reason, field, value):
    """Process again, after this commit, the failed events that waited for `reason` and whose
    object's `field` is `value`."""
    from soulseer.jobs.payments import process_stripe_event

    waiting = db.session.execute(
        sa.select(StripeEvent.id).where(
            StripeEvent.status == StripeEventStatus.FAILED,
            StripeEvent.error.startswith(reason),
            StripeEvent.payload["data"]["object"][field].astext == value,
        )
    ).scalars()
    for event_id in waiting:
        after_commit.enqueue(process_stripe_event, event_id)
