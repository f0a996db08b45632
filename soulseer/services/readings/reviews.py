"""Reviews of live readings (PRODUCT.md §3; docs/reviews.md has the rules in prose).

Who may review: the client of a finalized reading with at least one billed minute (metered time of
one full minute, `MINUTE_SECONDS`), once per reading, within REVIEW_WINDOW_DAYS of its end. 1–5
stars, up to REVIEW_MAX_CHARS characters. The reader may answer once. Admins hide a review with a
reason through moderation (services/moderation/visibility.py, audit-logged). The reader profile's
rating_average and review_count are the average and count of the *visible* reviews, recomputed in
the same transaction as every change, under a lock on the profile row so two reviews committed at
once cannot leave a stale average.
"""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import joinedload

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import ReaderProfile, ReadingState, Review, User
from soulseer.services.core import notifications
from soulseer.services.moderation import automatic
from soulseer.services.readings import metering, states

REVIEWS_PER_PAGE = 10


class ReviewError(DomainError):
    """A refused review action: on its field, or for the whole page (`field` None)."""

    status = 422


def window_days():
    return current_app.config["REVIEW_WINDOW_DAYS"]


def max_chars():
    return current_app.config["REVIEW_MAX_CHARS"]


def has_billed_minute(reading):
    """At least one whole billed minute of metered time (a shortened minute in tests and demos)."""
    return reading.metered_ms >= metering.minute_ms()


def review_deadline(reading):
    return reading.ended_at + timedelta(days=window_days()) if reading.ended_at else None


def review_for(reading_id):
    return db.session.execute(sa.select(Review).filter_by(reading_id=reading_id)).scalar_one_or_none()


def check_can_review(user, reading, now=None):
    """Raise ReviewError unless `user` may review `reading` now."""
    if reading is None:
        raise ReviewError("There is no such reading.", status=404)
    if user.id != reading.client_id:
        raise ReviewError("Only the client of a reading can review it.", status=403)
    if reading.state != ReadingState.FINALIZED:
        raise ReviewError("You can review a reading once it has ended.", status=403)
    if not has_billed_minute(reading):
        raise ReviewError("Readings shorter than one billed minute cannot be reviewed.", status=403)
    if review_for(reading.id) is not None:
        raise ReviewError("You have already reviewed this reading.", status=409)
    if (now or clock.now()) > review_deadline(reading):
        closed = f"Reviews are open for {window_days()} days after a reading; this one has closed."
        raise ReviewError(closed, status=403)


def can_review(user, reading, now=None):
    return why_no_review(user, reading, now) is None


def why_no_review(user, reading, now=None):
    """None when `user` may review `reading` now; otherwise the reason, in words for the client
    (the summary and the dashboard say it instead of offering a link that would be refused)."""
    try:
        check_can_review(user, reading, now)
    except ReviewError as refusal:
        return refusal.message
    return None


def _clean_stars(stars):
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise ReviewError("Choose from 1 to 5 stars.", field="stars") from None
    if not 1 <= stars <= 5:
        raise ReviewError("Choose from 1 to 5 stars.", field="stars")
    return stars


def _clean_text(text, field, required=False):
    text = (text or "").strip().replace("\r\n", "\n")
    if required and not text:
        raise ReviewError("Write your answer.", field=field)
    if len(text) > max_chars():
        raise ReviewError(f"Keep it to {max_chars()} characters (this is {len(text)}).", field=field)
    return text


def _lock_profile(reader_id):
    return db.session.execute(
        sa.select(ReaderProfile).filter_by(user_id=reader_id).with_for_update()
    ).scalar_one_or_none()


def refresh_rating(reader_id):
    """rating_average and review_count from the visible reviews (the profile row is locked)."""
    profile = _lock_profile(reader_id)
    if profile is None:
        return
    count, average = db.session.execute(
        sa.select(sa.func.count(), sa.func.avg(Review.stars)).where(
            Review.reader_id == reader_id, Review.hidden_at.is_(None)
        )
    ).one()
    profile.review_count = count
    profile.rating_average = Decimal(average or 0).quantize(Decimal("0.01"))


def create(client, reading_id, stars, body):
    """Store the client's review of a reading; the caller commits. Raises ReviewError."""
    reading = states.lock(reading_id)  # one review per reading, even for a double submit
    check_can_review(client, reading)
    stars = _clean_stars(stars)
    body = _clean_text(body, "body")
    _lock_profile(reading.reader_id)  # ratings change one at a time per reader
    review = Review(reading_id=reading.id, client_id=client.id, reader_id=reading.reader_id, stars=stars, body=body)
    db.session.add(review)
    db.session.flush()
    automatic.screen("review", review)  # flags, never blocks: the review is published
    refresh_rating(reading.reader_id)
    notifications.notify(
        reading.reader_id,
        "review",
        f"{client.display_name} left a {stars}-star review of your reading.",
        url_for("reader.reviews_to_answer"),
    )
    return review


def _lock_review(review_id):
    return db.session.execute(sa.select(Review).filter_by(id=review_id).with_for_update()).scalar_one_or_none()


def answer(reader, review_id, text):
    """The reader's one answer to a review of one of their readings."""
    review = _lock_review(review_id)
    if review is None or review.reader_id != reader.id:
        raise ReviewError("There is no such review of your readings.", status=404)
    if review.answer is not None:
        raise ReviewError("You have already answered this review.", status=409)
    review.answer = _clean_text(text, "answer", required=True)
    review.answered_at = clock.now()
    automatic.screen("review_answer", review)
    return review


def visible_for_reader(reader_id, page=1, per_page=REVIEWS_PER_PAGE):
    """A reader's visible reviews, newest first, with the client's display name."""
    statement = (
        sa.select(Review)
        .options(joinedload(Review.client))
        .where(Review.reader_id == reader_id, Review.hidden_at.is_(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def to_answer(reader_id, limit=None):
    """Visible reviews of the reader's readings that have no answer yet, newest first."""
    statement = (
        sa.select(Review)
        .options(joinedload(Review.client))
        .where(Review.reader_id == reader_id, Review.hidden_at.is_(None), Review.answer.is_(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if limit:
        statement = statement.limit(limit)
    return list(db.session.execute(statement).scalars())


def reader_name(user_id):
    """The name clients know a reader by: the profile's display name, else the account's."""
    row = db.session.execute(
        sa.select(ReaderProfile.display_name, ReaderProfile.slug).filter_by(user_id=user_id)
    ).first()
    if row:
        return row.display_name, row.slug
    return db.session.get(User, user_id).display_name, None
