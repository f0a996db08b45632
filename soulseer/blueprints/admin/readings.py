"""Admin → Readings: readings (search, a reading's full record, refunds) and hiding reviews (docs/admin.md)."""

import secrets
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from soulseer.blueprints.admin.registry import Section
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Reading, ReadingState, Review
from soulseer.money import AmountError, parse_cents
from soulseer.services.moderation import visibility
from soulseer.services.readings import records
from soulseer.views import page_number, refused

bp = Blueprint("readings", __name__)


class RefundForm(FlaskForm):
    amount = StringField("Amount to refund, in dollars", description="Full or partial; at most what is left to refund.")
    reason = TextAreaField("Reason", description="Shown in the audit log and on the client's wallet line.")
    request_key = HiddenField()


class HideReviewForm(FlaskForm):
    reason = TextAreaField("Why hide this review", description="Recorded in the audit log (5–500 characters).")


def _date(name):
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/readings")
def index():
    state = request.args.get("state", "")
    filters = records.ReadingFilter(
        state=state if state in set(ReadingState) else "",
        who=request.args.get("q", "").strip()[:100],
        date_from=_date("from"),
        date_to=_date("to"),
    )
    return render_template(
        "admin/readings/index.html",
        results=records.search(filters, page_number()),
        filters=filters,
        states=list(ReadingState),
    )


def _reading_or_404(reading_id):
    reading = db.session.get(Reading, reading_id)
    if reading is None:
        abort(404)
    return reading


def _record_page(reading, form=None, hide_form=None, status=200):
    if form is None:
        form = RefundForm(formdata=None, request_key=secrets.token_urlsafe(16))
    review = records.review_of(reading)
    hide_form = hide_form or HideReviewForm(formdata=None)
    hide_form.reason.label.text = "Why show it again" if review and review.hidden else "Why hide this review"
    return render_template(
        "admin/readings/reading.html",
        reading=reading,
        events=records.events(reading),
        lines=records.ledger_lines(reading),
        refunded=records.refunded_cents(reading.id),
        refundable=records.refundable_cents(reading),
        review=review,
        transcript=records.transcript(reading),
        form=form,
        hide_form=hide_form,
    ), status


@bp.get("/readings/<int:reading_id>")
def reading(reading_id):
    return _record_page(_reading_or_404(reading_id))


@bp.post("/readings/<int:reading_id>/refunds")
def refund(reading_id):
    reading = _reading_or_404(reading_id)
    form = RefundForm()
    if not form.validate() or not form.request_key.data:
        return _record_page(reading, form, status=422)
    try:
        cents = parse_cents(form.amount.data or "")
        posted = records.refund(current_user, reading.id, cents, form.reason.data, form.request_key.data)
    except AmountError as error:  # the text is not an amount: the form's own field error
        form.amount.errors = [str(error)]
        return _record_page(reading, form, status=422)
    except DomainError as error:  # RefundError, or commerce.RefundRefused (more than is left)
        return refused(error, _record_page, form, reading=reading, form=form)
    db.session.commit()
    flash("Refund recorded." if posted.created else "This refund was already recorded.", "success")
    return redirect(url_for(".reading", reading_id=reading.id))


def _review_visibility(review_id, change, done):
    """Hide or show a review from its reading's page, through moderation (docs/moderation.md)."""
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    form = HideReviewForm()
    if not form.validate():
        abort(400)
    try:
        change("review", review.id, form.reason.data, current_user)
    except visibility.ModerationError as error:
        if error.field:
            return refused(error, _record_page, form, reading=_reading_or_404(review.reading_id), hide_form=form)
        db.session.rollback()  # already hidden or shown: said at the top of the reading's page
        flash(error.message, "error")
        return redirect(url_for(".reading", reading_id=review.reading_id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".reading", reading_id=review.reading_id))


@bp.post("/reviews/<int:review_id>/hide")
def hide_review(review_id):
    return _review_visibility(
        review_id, visibility.hide, "The review is hidden; the reader's rating no longer counts it."
    )


@bp.post("/reviews/<int:review_id>/show")
def show_review(review_id):
    return _review_visibility(review_id, visibility.restore, "The review is shown again and counts in the rating.")


section = Section("readings", "Readings", bp, order=50)
