"""Admin → Stripe events: every event received, by status; retrying a failed one (docs/stripe.md).
Its URLs stay under /admin/ledger/stripe-events, where bookmarks know them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import StripeEvent, StripeEventStatus
from soulseer.services.core import audit
from soulseer.services.payments import stripe_events
from soulseer.views import page_number

bp = Blueprint("payments", __name__, url_prefix="/ledger/stripe-events")


@bp.get("")
def events():
    status = request.args.get("status", "")
    status = status if status in set(StripeEventStatus) else ""
    statement = db.select(StripeEvent).order_by(StripeEvent.received_at.desc())
    if status:
        statement = statement.filter_by(status=status)
    results = db.paginate(statement, page=page_number(), per_page=50, error_out=False)
    return render_template(
        "admin/payments/events.html",
        results=results,
        status=status,
        statuses=list(StripeEventStatus),
    )


@bp.post("/<event_id>/retry")
def retry_event(event_id):
    event = db.session.get(StripeEvent, event_id)
    if event is None:
        abort(404)
    before = {"stripe_event": event.id, "status": event.status, "error": event.error}
    if stripe_events.retry(event.id):
        # Stripe's event ids are text, so the event is named in before/after rather than target_id.
        audit.record(current_user, "stripe_event.retry", None, before=before,
                     after={"stripe_event": event.id, "status": "queued again"})  # fmt: skip
        db.session.commit()
        flash(f"Event {event.id} is queued to be processed again.", "success")
    else:
        flash(f"Event {event.id} was {event.status}; there is nothing to retry.", "info")
    return redirect(url_for(".events", status=request.args.get("status", "")))


section = Section("payments", "Stripe events", bp, order=70, links=(("events", None),))
