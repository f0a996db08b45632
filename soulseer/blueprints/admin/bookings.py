"""Admin → Bookings: scheduled readings (search, state, each reader's cancellations, a booking's
ledger lines, refunds of what a booking kept). Cancelling is on the booking's own page, which
admins open too (docs/bookings.md)."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.readings import RefundForm
from soulseer.blueprints.admin.registry import Section
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Booking
from soulseer.money import AmountError, parse_cents
from soulseer.services.bookings import admin as bookings_admin
from soulseer.services.bookings import zones
from soulseer.views import page_number, refused

bp = Blueprint("bookings", __name__)


@bp.get("/bookings")
def index():
    state = request.args.get("state", "")
    filters = bookings_admin.BookingFilter(
        state=state if state in bookings_admin.STATES else "", who=request.args.get("q", "").strip()[:100]
    )
    results = bookings_admin.search(filters, page_number())
    return render_template(
        "admin/bookings/index.html",
        results=results,
        cancellations=bookings_admin.cancellations(results.items),
        filters=filters,
        states=bookings_admin.STATES,
    )


def _booking_or_404(booking_id):
    found = db.session.get(Booking, booking_id)
    if found is None:
        abort(404)
    return found


def _record_page(found, form=None, status=200):
    if form is None:
        form = RefundForm(formdata=None, request_key=secrets.token_urlsafe(16))
    return render_template(
        "admin/bookings/booking.html",
        booking=found,
        lines=bookings_admin.ledger_lines(found),
        refunded=bookings_admin.refunded_cents(found),
        refundable=bookings_admin.refundable_cents(found),
        form=form,
        zones=zones,
    ), status


@bp.get("/bookings/<int:booking_id>")
def booking(booking_id):
    return _record_page(_booking_or_404(booking_id))


@bp.post("/bookings/<int:booking_id>/refunds")
def refund(booking_id):
    found = _booking_or_404(booking_id)
    form = RefundForm()
    if not form.validate() or not form.request_key.data:
        return _record_page(found, form, status=422)
    try:
        cents = parse_cents(form.amount.data or "")
        posted = bookings_admin.refund(current_user, found.id, cents, form.reason.data, form.request_key.data)
    except AmountError as error:
        form.amount.errors = [str(error)]
        return _record_page(found, form, status=422)
    except DomainError as error:  # BookingError, or commerce.RefundRefused (more than is left)
        return refused(error, lambda status: _record_page(_booking_or_404(booking_id), form, status), form)
    db.session.commit()
    flash("Refund recorded." if posted.created else "This refund was already recorded.", "success")
    return redirect(url_for(".booking", booking_id=found.id))


section = Section("bookings", "Bookings", bp, order=52)
