"""A client's booking page (the days and times of a reader) is kept for her and answered before
Flask (soulseer/signed_in_responses.py, `also`: the reader's slots version; docs/bookings.md, "The
booking page, kept"): never once a booking, a cancellation or a change of hours has moved the
reader's free times, never past the minute it was drawn in, and only for the page's own query."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import Booking
from soulseer.services.bookings import availability, booking
from soulseer.services.marketplace import profiles
from tests.bookings.conftest import MONDAY_NOON
from tests.support.browse import Statements
from tests.test_signed_in_responses import _drawn_again, _drawn_by_flask, _kept, _sign_in

TWO_PM_LONDON = "start=2026-12-07T14%3A00%3A00Z"  # 09:00 in New York, the first time after the notice
THREE_PM_LONDON = "start=2026-12-07T15%3A00%3A00Z"


@pytest.fixture
def cleo(make_user, db):
    return make_user(role="client", consented=True, display_name="Cleo", time_zone="Europe/London")


@pytest.fixture
def page(luna):
    return f"/readers/{profiles.profile_for(luna.id).slug}/book?tz=Europe%2FLondon&length=30"


@pytest.fixture
def browser(client, cleo, frozen_monday, monkeypatch):
    """Cleo signed in on the frozen Monday: her session cookie is signed by the frozen clock too (a
    kept page is answered only from a session signed within the hour of `clock.now()`)."""
    from itsdangerous import TimestampSigner

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(clock.now().timestamp()))
    return _sign_in(client, cleo)


def test_her_booking_page_is_kept_and_is_the_page_flask_draws(app, browser, page):
    kept = _kept(browser, page)
    assert TWO_PM_LONDON in kept and "Book a time with Luna Starweaver" in kept
    drawn = _drawn_by_flask(app, browser, page)
    assert TWO_PM_LONDON in drawn and drawn.count('class="slot"') == kept.count('class="slot"')


def test_another_clients_booking_takes_the_time_off_her_kept_page(browser, page, luna, nova):
    assert TWO_PM_LONDON in _kept(browser, page)
    start = MONDAY_NOON + timedelta(hours=2)
    booking.book(nova, profiles.profile_for(luna.id), "chat", 30, start, "Europe/London")
    database.session.commit()
    assert TWO_PM_LONDON not in _drawn_again(browser, page)
    assert TWO_PM_LONDON not in _kept(browser, page)


def test_a_cancelled_booking_gives_the_time_back_at_once(browser, page, luna, nova):
    start = MONDAY_NOON + timedelta(hours=2)
    made = booking.book(nova, profiles.profile_for(luna.id), "chat", 30, start, "Europe/London")
    database.session.commit()
    assert TWO_PM_LONDON not in _kept(browser, page)
    booking.cancel(database.session.get(Booking, made.id), nova)
    database.session.commit()
    assert TWO_PM_LONDON in _drawn_again(browser, page)


def test_her_hours_and_a_blocked_date_change_the_page_at_once(browser, page, luna):
    assert THREE_PM_LONDON in _kept(browser, page)
    availability.add_override(luna, MONDAY_NOON.date(), True, "", MONDAY_NOON.date())  # Monday off
    database.session.commit()
    assert THREE_PM_LONDON not in _drawn_again(browser, page)
    _kept(browser, page)
    availability.remove_override(luna, MONDAY_NOON.date())
    database.session.commit()
    assert THREE_PM_LONDON in _drawn_again(browser, page)
    _kept(browser, page)
    settings = availability.settings_for(luna)
    data = availability.AvailabilityInput(
        time_zone=settings.time_zone, lengths=[30, 60], prices={}, notice_minutes=240, horizon_days=60,
        buffer_minutes=10, weekly={day: "9:00-17:00" for day in range(5)},
    )  # fmt: skip
    availability.save(luna, data)  # four hours' notice: 14:00 in London is too soon now
    database.session.commit()
    html = _drawn_again(browser, page)
    assert TWO_PM_LONDON not in html and "start=2026-12-07T16%3A00%3A00Z" in html


def test_a_kept_page_lives_until_the_minute_ends(browser, page):
    _kept(browser, page)
    with clock.frozen(MONDAY_NOON + timedelta(seconds=59, microseconds=900_000)):
        with Statements() as statements:
            assert browser.get(page).status_code == 200
        assert statements.seen == []  # still this minute's times
    with clock.frozen(MONDAY_NOON + timedelta(minutes=1)):
        _drawn_again(browser, page)  # the notice has moved on by a minute: drawn again


@pytest.mark.parametrize("query", ["&start=", "&length=30", "&utm_source=mail"])
def test_only_the_pages_own_query_is_kept(browser, page, query):
    browser.get(page + query)
    _drawn_again(browser, page + query)


def _funded(cleo):
    from soulseer.ledger import keys, operations

    operations.credit_topup(cleo, 5_000, keys.topup(f"cs_cleo_{cleo.id}"), ("topup", cleo.id))
    database.session.commit()


def _booked(cleo, luna):
    """Cleo's 30-minute chat reading with Luna, two hours after the frozen Monday noon; its start."""
    start = MONDAY_NOON + timedelta(hours=2)
    booking.book(cleo, profiles.profile_for(luna.id), "chat", 30, start, "Europe/London")
    database.session.commit()
    return start


def _kept_until_it_ends(browser, path, start, empty):
    """Her kept `path` lists the booking until its end; after it, Flask draws it again without it."""
    with clock.frozen(start + timedelta(minutes=29)):
        browser.get(path)  # Flask signs her session again on the moved clock
        assert "30-minute chat reading with Luna" in _kept(browser, path)
    with clock.frozen(start + timedelta(minutes=30, seconds=1)):
        assert empty in _drawn_again(browser, path)


def test_her_dashboard_lists_a_booking_until_it_ends(browser, luna, cleo):
    """The dashboard is kept too (docs/dashboard.md): a booking made is on it at once, and once the
    booking's end has passed the kept page is not answered: it leaves the list."""
    _funded(cleo)
    assert "No readings booked ahead" in _kept(browser, "/dashboard")
    start = _booked(cleo, luna)
    assert "30-minute chat reading with Luna Starweaver" in _drawn_again(browser, "/dashboard")
    _kept_until_it_ends(browser, "/dashboard", start, "No readings booked ahead")


def test_her_bookings_list_is_kept_until_a_booking_leaves_it_and_follows_her_calendar_feed(browser, luna, cleo):
    """/bookings is kept whole for a client: a booking made is on it at once, her calendar feed
    turned on or off too (its row moves her version), and once the first upcoming booking's end
    has passed the kept list is not answered: the booking moves to the past."""
    from tests.conftest import csrf_token_from

    _funded(cleo)
    assert "No upcoming bookings." in _kept(browser, "/bookings")
    start = _booked(cleo, luna)
    html = _drawn_again(browser, "/bookings")
    assert "No upcoming bookings." not in html and "30-minute chat reading with Luna Starweaver" in html
    assert "Turn on the calendar feed" in _kept(browser, "/bookings")
    token = csrf_token_from(html)
    assert browser.post("/bookings/calendar", data={"csrf_token": token, "action": "new"}).status_code == 200
    assert "Your calendar feed is on since" in _drawn_again(browser, "/bookings")
    _kept(browser, "/bookings")
    answer = browser.post("/bookings/calendar", data={"csrf_token": token, "action": "off"})
    assert answer.status_code == 303
    assert "Your calendar feed is off" in _drawn_again(browser, "/bookings")  # the flash, by Flask
    html = _drawn_again(browser, "/bookings")  # her session holds no flash now: Flask's page, kept
    assert "Turn on the calendar feed" in html and "Your calendar feed is off" not in html
    _kept_until_it_ends(browser, "/bookings", start, "No upcoming bookings.")
