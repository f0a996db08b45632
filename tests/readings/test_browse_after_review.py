"""A review and a reading change the browse list at once, though the list is cached
(services/marketplace/page_cache.py): the rating after a review, "In a reading" while one runs."""

from tests.readings.conftest import Session, fund
from tests.readings.helpers import finished_reading, profile_for
from tests.support.browse import cached, card, fresh


def test_a_review_shows_on_the_next_browse_load(app, client, login, post_form, people):
    client_user, reader = people
    profile_for(reader, "luna")
    reading = finished_reading(client_user, reader, seconds=125)
    visitor = app.test_client()
    assert "No reviews yet" in card(cached(visitor), "Luna")
    login(client, client_user)
    response = post_form(client, f"/readings/{reading.id}/review", {"stars": "4", "body": "Clear and kind."})
    assert response.status_code == 302
    assert "(1 review)" in card(fresh(visitor), "Luna")


def test_a_reading_makes_the_reader_busy_on_the_next_browse_load(app, people):
    client_user, reader = people
    profile_for(reader, "luna")
    fund(client_user, 10_000)
    visitor = app.test_client()
    assert "Offline" in card(cached(visitor), "Luna")
    Session(client_user, reader).accept()
    assert "In a reading" in card(fresh(visitor), "Luna")
