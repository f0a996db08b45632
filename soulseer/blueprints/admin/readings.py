"""Admin → Readings: readings (search, a reading's full record, refunds) and hiding reviews (docs/admin.md)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from soulseer.blueprints.admin import refunds
from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import Reading, ReadingState, Review
from soulseer.services.moderation import visibility
from soulseer.services.readings import records
from soulseer.views import page_number, refused

bp = Blueprint("readings", __name__)


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


def _record_page(reading, form=None, hide_form=None, status=200):
    form = form or refunds.blank_form()
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
    return _record_page(db.get_or_404(Reading, reading_id))


refunds.add_route(bp, "/readings/<int:reading_id>", Reading, _record_page, records.refund, ".reading")


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
            return refused(error, _record_page, form, reading=db.get_or_404(Reading, review.reading_id), hide_form=form)
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
