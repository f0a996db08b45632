"""The reviews of the reader's readings and their answers (/reader/reviews), docs/reviews.md."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.reader import bp
from soulseer.blueprints.reader.forms import AnswerForm
from soulseer.extensions import db
from soulseer.services.readings import reviews
from soulseer.views import page_number


@bp.get("/reviews")
def reviews_to_answer():
    return render_template(
        "reader/reviews.html",
        waiting=reviews.to_answer(current_user.id),
        answered=reviews.visible_for_reader(current_user.id, page_number()),
        form=AnswerForm(formdata=None),
        max_chars=reviews.max_chars(),
    )


@bp.post("/reviews/<int:review_id>/answer")
def answer_review(review_id):
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
        return redirect(url_for("reader.reviews_to_answer", _anchor=f"review-{review_id}"))
    db.session.commit()
    flash("Your answer is on your page, under the review.", "success")
    tell_writer(answered)
    return redirect(url_for("reader.reviews_to_answer"))
