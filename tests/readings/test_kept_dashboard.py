"""A client's dashboard is kept for her and answered before Flask (soulseer/signed_in_responses.py;
docs/dashboard.md, "The dashboard, kept"): never once something on it was committed — a reading's
step, a review, a favourite, a favourite reader's status — nor past the moment a review still open
to her closes; and the page kept is the page Flask draws."""

from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import ReaderProfile
from soulseer.services.marketplace import favourites, reader_status
from soulseer.services.readings import reviews
from tests.readings.conftest import Session, fund
from tests.readings.helpers import finished_reading, profile_for
from tests.test_signed_in_responses import _drawn_again, _drawn_by_flask, _kept, _sign_in

CLOSED = "this one has closed"


@pytest.fixture
def browser(client, people, monkeypatch):
    """The client signed in on the frozen clock: her session is signed by it too (a kept page is
    answered only from a session signed within the hour of `clock.now()`)."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(clock.now().timestamp()))
    return _sign_in(client, people[0])


def test_her_dashboard_is_kept_and_is_the_page_flask_draws(app, browser, people):
    client_user, reader = people
    profile_for(reader, "luna")
    finished_reading(client_user, reader)
    kept = _kept(browser, "/dashboard")
    assert "Leave a review" in kept and "Luna" in kept
    assert _drawn_by_flask(app, browser, "/dashboard") == kept


def test_each_step_of_a_reading_is_seen_at_once(browser, people):
    client_user, reader = people
    fund(client_user, 1000)
    assert "Your request" not in _kept(browser, "/dashboard")
    session = Session(client_user, reader, 100)
    assert "Waiting for Luna" in _drawn_again(browser, "/dashboard")
    _kept(browser, "/dashboard")
    session.accept()  # nothing but the reading's row and its event change
    assert "Your reading is in progress" in _drawn_again(browser, "/dashboard")
    _kept(browser, "/dashboard")
    session.join_both()
    session.finish(client_user)
    page = _drawn_again(browser, "/dashboard")
    assert "Your reading is in progress" not in page and f'href="/readings/{session.id}/transcript"' in page


def test_a_review_written_and_the_review_window_closing_are_seen(app, browser, people):
    client_user, reader = people
    profile_for(reader, "luna")
    reading = finished_reading(client_user, reader)
    # Half an hour before her review window closes, the dashboard offers it, kept until it closes.
    clock.advance(reviews.review_deadline(reading) - timedelta(minutes=30) - clock.now())
    browser.get("/dashboard")  # Flask signs her session again on the moved clock
    assert "Leave a review" in _kept(browser, "/dashboard")
    clock.advance(timedelta(minutes=31))
    page = _drawn_again(browser, "/dashboard")
    assert "Leave a review" not in page and CLOSED in page

    second = finished_reading(client_user, reader)
    browser.get("/dashboard")
    assert f'href="/readings/{second.id}/review"' in _kept(browser, "/dashboard")
    with app.test_request_context():  # the reader's notification links to the review
        reviews.create(client_user, second.id, 5, "")
        db.session.commit()
    assert "Your review: 5 out of 5 stars" in _drawn_again(browser, "/dashboard")


def test_a_favourite_and_its_status_are_seen(browser, people):
    client_user, reader = people
    profile = profile_for(reader, "luna")
    reader_status.go_online(profile)
    db.session.commit()
    favourites_part = 'id="favourites-online-title"'
    assert 'href="/readers/luna"' not in _kept(browser, "/dashboard").split(favourites_part)[1]
    favourites.set_favourite(client_user, profile, True)
    db.session.commit()
    assert 'href="/readers/luna"' in _drawn_again(browser, "/dashboard").split(favourites_part)[1]
    assert 'href="/readers/luna"' in _kept(browser, "/dashboard").split(favourites_part)[1]
    reader_status.go_offline(db.session.get(ReaderProfile, profile.id))
    db.session.commit()
    assert 'href="/readers/luna"' not in _drawn_again(browser, "/dashboard").split(favourites_part)[1]
    _kept(browser, "/dashboard")
    favourites.set_favourite(client_user, profile, False)
    db.session.commit()
    _drawn_again(browser, "/dashboard")
