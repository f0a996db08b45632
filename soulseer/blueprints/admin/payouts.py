"""Admin → Payouts: readers' payouts by status and reader, the platform's Stripe balance against
what it owes readers, and sending a failed payout again (docs/payouts.md)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.registry import Badge, Section
from soulseer.extensions import db
from soulseer.models import PayoutStatus, User
from soulseer.money import format_cents
from soulseer.services.payouts import admin as payouts_admin
from soulseer.services.payouts import connect, transfers
from soulseer.views import page_number

bp = Blueprint("payouts", __name__, url_prefix="/payouts")

STATUS_LABELS = {PayoutStatus.PENDING: "In transit", PayoutStatus.PAID: "Paid", PayoutStatus.FAILED: "Failed"}


@bp.get("")
def index():
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    reader_id = request.args.get("reader", type=int)
    reader = db.session.get(User, reader_id) if reader_id else None
    earnings, in_transit = payouts_admin.owed_to_readers()
    return render_template(
        "admin/payouts/index.html",
        results=payouts_admin.listing(status, reader.id if reader else None, page_number()),
        status=status,
        reader=reader,
        labels=STATUS_LABELS,
        counts=payouts_admin.counts(),
        owed_earnings=earnings,
        owed_in_transit=in_transit,
        platform_balance=payouts_admin.platform_balance(),
        testing=connect.testing(),
        unresolved=payouts_admin.failed_unresolved_count(),
    )


@bp.post("/<int:payout_id>/retry")
def retry(payout_id):
    try:
        payout = payouts_admin.retry(payout_id, current_user)
    except transfers.PayoutRefused as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Payout {payout.id} of {format_cents(payout.amount_cents)} is on its way.", "success")
    return redirect(url_for(".index", status=request.args.get("status", "")), 303)


section = Section(
    "payouts",
    "Payouts",
    bp,
    order=65,
    badge=Badge(payouts_admin.failed_unresolved_count, "failed"),
)
