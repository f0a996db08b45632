from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.reviews import bp
from soulseer.blueprints.reviews.forms import AnswerForm, ReviewForm
from soulseer.extensions import db
from soulseer.models import Reading, Role
from soulseer.services.readings import reviews
from soulseer.views import page_number, refused, role_required


@bp.app_template_filter("reading_duration")
def reading_duration(seconds):
    """Metered seconds as M:SS (or H:MM:SS)."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@bp.app_context_processor
def _review_helpers():
    def reader_reviews(profile, per_page=10):
        return reviews.visible_for_reader(profile.user_id, 1, per_page)

    return {"reader_reviews": reader_reviews}


def _review_page(reading, form, status=200, problem=None, review=None):
    name, slug = reviews.reader_name(reading.reader_id)
    return render_template(
        "reviews/review.html",
        reading=reading,
        reader_name=name,
        reader_slug=slug,
        form=form,
        problem=problem,
        review=review,
        deadline=reviews.review_deadline(reading),
        max_chars=reviews.max_chars(),
    ), status


@bp.route("/readings/<int:reading_id>/review", methods=["GET", "POST"])
@role_required(Role.CLIENT)
def review(reading_id):
    reading = db.session.get(Reading, reading_id)
    if reading is None:
        abort(404)
    if reading.client_id != current_user.id:
        abort(403)
    existing = reviews.review_for(reading.id)
    if existing is not None and request.method == "GET":
        return _review_page(reading, None, review=existing)
    form = ReviewForm()
    if request.method == "POST" and form.validate():
        try:
            review = reviews.create(current_user, reading.id, form.stars.data, form.body.data)
        except reviews.ReviewError as error:
            if error.field:
                return refused(error, _review_page, form, reading=reading, form=form)

            def page(status, problem):  # for the whole page, with the review if one exists after the rollback
                return _review_page(reading, None, status, problem, reviews.review_for(reading.id))

            return refused(error, page, problem=error.message)
        db.session.commit()
        flash("Thank you: your review is on the reader's page.", "success")
        tell_writer(review)
        return redirect(url_for("history.client_readings"))
    try:
        reviews.check_can_review(current_user, reading)
    except reviews.ReviewError as error:
        return refused(error, _review_page, reading=reading, form=None, problem=error.message)
    return _review_page(reading, form, 422 if form.errors else 200)


@bp.get("/reader/reviews")
@role_required(Role.READER)
def to_answer():
    return render_template(
        "reviews/to_answer.html",
        waiting=reviews.to_answer(current_user.id),
        answered=reviews.visible_for_reader(current_user.id, page_number()),
        form=AnswerForm(formdata=None),
        max_chars=reviews.max_chars(),
    )


@bp.post("/reader/reviews/<int:review_id>/answer")
@role_required(Role.READER)
def answer(review_id):
    form = AnswerForm()
    if not form.validate():
        abort(400)
    try:
        answered = reviews.answer(current_user, review_id, form.answer.data)
    except reviews.ReviewError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for("reviews.to_answer", _anchor=f"review-{review_id}"))
    db.session.commit()
    flash("Your answer is on your page, under the review.", "success")
    tell_writer(answered)
    return redirect(url_for("reviews.to_answer"))
