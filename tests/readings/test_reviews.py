"""Reviews (PRODUCT.md §3): who may review, when, what; the rating; answers; hiding."""

from datetime import timedelta
from decimal import Decimal

import pytest

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import AuditEntry, ReaderProfile, Review
from tests.readings.helpers import finished_reading, profile_for, review_count


@pytest.fixture
def reading(people):
    client, reader = people
    profile_for(reader, "luna")
    return finished_reading(client, reader, seconds=125)


def post_review(post_form, login, client_app, user, reading_id, stars="5", body="Spot on."):
    login(client_app, user)
    return post_form(client_app, f"/readings/{reading_id}/review", {"stars": stars, "body": body})


def profile(reader):
    db.session.expire_all()
    return db.session.query(ReaderProfile).filter_by(user_id=reader.id).one()


def test_client_reviews_a_finished_reading_and_the_rating_follows(client, login, post_form, people, reading):
    client_user, reader = people
    response = post_review(post_form, login, client, client_user, reading.id, "4", "  Clear and kind.  ")
    assert response.status_code == 302
    review = db.session.query(Review).one()
    assert (review.stars, review.body, review.reading_id, review.reader_id) == (
        4,
        "Clear and kind.",
        reading.id,
        reader.id,
    )
    assert (profile(reader).review_count, profile(reader).rating_average) == (1, Decimal("4.00"))
    page = client.get(f"/readings/{reading.id}/review").get_data(as_text=True)
    assert "Your review" in page and "Clear and kind." in page


def test_reviewing_twice_is_refused(client, login, post_form, people, reading):
    client_user, reader = people
    assert post_review(post_form, login, client, client_user, reading.id, "5").status_code == 302
    second = post_review(post_form, login, client, client_user, reading.id, "1", "Changed my mind")
    assert second.status_code == 409
    assert review_count() == 1
    assert db.session.query(Review).one().stars == 5
    assert profile(reader).rating_average == Decimal("5.00")


def test_without_a_reading_is_404(client, login, post_form, people):
    client_user, _ = people
    assert post_review(post_form, login, client, client_user, 999_999).status_code == 404
    assert review_count() == 0


def test_someone_elses_reading_is_403(client, login, post_form, make_user, reading):
    stranger = make_user(role="client", consented=True)
    assert post_review(post_form, login, client, stranger, reading.id).status_code == 403
    assert client.get(f"/readings/{reading.id}/review").status_code == 403
    assert review_count() == 0


def test_the_reader_cannot_review_their_own_reading(client, login, post_form, people, reading):
    _, reader = people
    assert post_review(post_form, login, client, reader, reading.id).status_code == 403
    assert review_count() == 0


def test_before_the_end_is_refused(client, login, post_form, people, start_reading):
    client_user, reader = people
    session = start_reading()
    session.run_until(120)  # active, metered two minutes, not ended
    response = post_review(post_form, login, client, client_user, session.id)
    assert response.status_code == 403
    assert "once it has ended" in response.get_data(as_text=True)
    assert review_count() == 0


def test_without_a_billed_minute_is_refused(client, login, post_form, people):
    client_user, reader = people
    short = finished_reading(client_user, reader, seconds=50)
    assert short.state == "finalized" and short.metered_seconds == 50
    response = post_review(post_form, login, client, client_user, short.id)
    assert response.status_code == 403
    assert review_count() == 0


def test_after_the_window_is_refused_and_on_the_last_day_allowed(client, login, post_form, people, reading):
    client_user, _ = people
    clock.advance(timedelta(days=14, seconds=1))
    response = post_review(post_form, login, client, client_user, reading.id)
    assert response.status_code == 403
    assert "14 days" in response.get_data(as_text=True)
    assert review_count() == 0
    clock.advance(timedelta(seconds=-2))  # just inside the window
    assert post_review(post_form, login, client, client_user, reading.id).status_code == 302
    assert review_count() == 1


@pytest.mark.parametrize("stars", ["6", "0", "-1", "five", ""])
def test_stars_outside_one_to_five_are_refused(client, login, post_form, people, reading, stars):
    client_user, _ = people
    response = post_review(post_form, login, client, client_user, reading.id, stars)
    assert response.status_code == 422
    assert "1 to 5 stars" in response.get_data(as_text=True)
    assert review_count() == 0


def test_2001_characters_are_refused_and_2000_accepted(client, login, post_form, people, reading):
    client_user, _ = people
    response = post_review(post_form, login, client, client_user, reading.id, "3", "x" * 2001)
    assert response.status_code == 422
    assert "2000 characters" in response.get_data(as_text=True)
    assert review_count() == 0
    assert post_review(post_form, login, client, client_user, reading.id, "3", "x" * 2000).status_code == 302
    assert len(db.session.query(Review).one().body) == 2000


def test_average_of_visible_reviews_and_hiding_changes_it(client, login, post_form, people, make_user):
    client_user, reader = people
    profile_for(reader, "luna")
    other = make_user(role="client", consented=True)
    first = finished_reading(client_user, reader, seconds=70)
    second = finished_reading(other, reader, seconds=70)
    assert profile(reader).readings_count == 2
    post_review(post_form, login, client, client_user, first.id, "5")
    post_review(post_form, login, client, other, second.id, "2", "Not for me")
    assert (profile(reader).review_count, profile(reader).rating_average) == (2, Decimal("3.50"))

    admin = make_user(role="admin", consented=True)
    hidden = db.session.query(Review).filter_by(stars=2).one()
    login(client, admin)
    refused = post_form(client, f"/admin/reviews/{hidden.id}/hide", {"reason": ""})
    assert refused.status_code == 422
    assert (profile(reader).review_count, profile(reader).rating_average) == (2, Decimal("3.50"))
    response = post_form(client, f"/admin/reviews/{hidden.id}/hide", {"reason": "Names a third person"})
    assert response.status_code == 302
    assert (profile(reader).review_count, profile(reader).rating_average) == (1, Decimal("5.00"))
    entry = db.session.query(AuditEntry).filter_by(action="review.hidden").one()  # every kind: <kind>.hidden
    assert (entry.actor_id, entry.target_id, entry.reason) == (admin.id, hidden.id, "Names a third person")


def test_the_reader_answers_once(client, login, post_form, people, reading, make_user):
    client_user, reader = people
    post_review(post_form, login, client, client_user, reading.id, "5", "Wonderful")
    review = db.session.query(Review).one()
    login(client, reader)
    assert "Wonderful" in client.get("/reader/reviews").get_data(as_text=True)
    assert post_form(client, f"/reader/reviews/{review.id}/answer", {"answer": "Thank you!"}).status_code == 302
    again = post_form(client, f"/reader/reviews/{review.id}/answer", {"answer": "Edited"}, follow_redirects=True)
    assert "already answered" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Review, review.id).answer == "Thank you!"
    # Another reader cannot answer it.
    other = make_user(role="reader", consented=True)
    login(client, other)
    assert post_form(client, f"/reader/reviews/{review.id}/answer", {"answer": "Hi"}).status_code == 404
    login(client, reader)
    assert "Thank you!" in client.get("/reader/reviews").get_data(as_text=True)
