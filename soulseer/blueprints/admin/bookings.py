"""Admin → Bookings: scheduled readings (search, state, each reader's cancellations, a booking's
ledger lines, refunds of what a booking kept). Cancelling is on the booking's own page, which
admins open too (docs/bookings.md)."""

from flask import Blueprint, render_template, request

from soulseer.blueprints.admin import refunds
from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import Booking
from soulseer.services.bookings import admin as bookings_admin
from soulseer.services.bookings import zones
from soulseer.views import page_number

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


def _record_page(found, form=None, status=200):
    form = form or refunds.blank_form()
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
    return _record_page(db.get_or_404(Booking, booking_id))


refunds.add_route(bp, "/bookings/<int:booking_id>", Booking, _record_page, bookings_admin.refund, ".booking")


section = Section("bookings", "Bookings", bp, order=52)
