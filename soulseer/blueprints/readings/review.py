"""The client's review of a finished reading (/readings/<id>/review), docs/reviews.md."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.readings import bp
from soulseer.blueprints.readings.forms import ReviewForm
from soulseer.extensions import db
from soulseer.models import Reading, Role
from soulseer.services.readings import reviews
from soulseer.views import refused, role_required


@bp.app_template_global()
def reader_reviews(profile, per_page=10):
    """The newest visible reviews of this reader, with their answers, for the reader's page
    (readers/_reviews.html)."""
    return reviews.visible_for_reader(profile.user_id, 1, per_page)


def _review_page(reading, form, status=200, problem=None, review=None):
    name, slug = reviews.reader_name(reading.reader_id)
    return render_template(
        "readings/review.html",
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
        return redirect(url_for("readings.client_history"))
    try:
        reviews.check_can_review(current_user, reading)
    except reviews.ReviewError as error:
        return refused(error, _review_page, reading=reading, form=None, problem=error.message)
    return _review_page(reading, form, 422 if form.errors else 200)
