"""The private calendar feed (issue #16, Build 6; next-areas.md S-8): turned on from /bookings, its
address shown once (only the token's hash is kept), listing the person's upcoming bookings with
the single files' fields (UTC times, stable UIDs, SEQUENCE, no one's email) and the refresh hints;
a new address or turning it off makes the old one 404, as does any token it never gave."""

import re
from datetime import timedelta

import icalendar
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import CalendarFeed
from soulseer.services import accounts
from soulseer.services.accounts import tokens
from soulseer.services.bookings import booking
from soulseer.services.core import data_export
from soulseer.services.marketplace import profiles
from tests.bookings.conftest import MONDAY_NOON

TUESDAY_10_NEW_YORK = MONDAY_NOON + timedelta(hours=27)  # 15:00 UTC
ADDRESS = re.compile(r'id="calendar-feed-address" type="url" value="http://localhost/bookings/calendar/([\w-]+)\.ics"')


def text_of(response):
    return response.get_data(as_text=True)


def book(client, reader, start, length=30):
    with clock.frozen(MONDAY_NOON):
        made = booking.book(client, profiles.profile_for(reader), "chat", length, start, "Europe/London")
        database.session.commit()
    return made


def turn_on(browser, token):
    answer = browser.post("/bookings/calendar", data={"csrf_token": token, "action": "new"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return ADDRESS.search(text_of(answer)).group(1)


def events_of(answer):
    calendar = icalendar.Calendar.from_ical(text_of(answer))
    return calendar, calendar.walk("VEVENT")


def test_the_feed_lists_the_upcoming_bookings_with_the_files_fields(frozen_monday, luna, nova, signed_in, app):
    later = book(nova, luna, TUESDAY_10_NEW_YORK + timedelta(days=1))
    first = book(nova, luna, TUESDAY_10_NEW_YORK)
    gone = book(nova, luna, TUESDAY_10_NEW_YORK + timedelta(days=2))
    with clock.frozen(MONDAY_NOON):
        booking.cancel(booking.locked(gone.id), nova)
        database.session.commit()
    browser, token = signed_in(nova)
    assert "Turn on the calendar feed" in text_of(browser.get("/bookings"))
    raw = turn_on(browser, token)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64
    stored = database.session.execute(sa.select(CalendarFeed.token_hash)).scalar_one()
    assert stored == tokens.digest(raw) and raw not in stored  # only the hash is kept

    answer = app.test_client().get(f"/bookings/calendar/{raw}.ics")  # a calendar app: no sign-in
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = text_of(answer)
    calendar, events = events_of(answer)
    assert (str(calendar["PRODID"]), str(calendar["METHOD"])) == ("-//SoulSeer//Bookings//EN", "PUBLISH")
    assert "X-PUBLISHED-TTL:PT1H" in body and "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    # Upcoming only (the cancelled one left), soonest first, the same UIDs as the single files.
    assert [str(e["UID"]).split("@")[0] for e in events] == [f"booking-{first.id}", f"booking-{later.id}"]
    single = icalendar.Calendar.from_ical(text_of(browser.get(f"/bookings/{first.id}.ics"))).walk("VEVENT")[0]
    assert str(events[0]["UID"]) == str(single["UID"]) and int(events[0]["SEQUENCE"]) == 0
    assert (events[0].decoded("DTSTART"), events[0].decoded("DTEND")) == (
        TUESDAY_10_NEW_YORK,
        TUESDAY_10_NEW_YORK + timedelta(minutes=30),
    )
    assert "DTSTART:20261208T150000Z" in body  # UTC: no VTIMEZONE
    assert str(events[0]["SUMMARY"]) == "Chat reading with Luna Starweaver"
    assert "@example.test" not in body and "ORGANIZER" not in body and "ATTENDEE" not in body
    # The reader's own feed names the client.
    reader_browser, reader_token = signed_in(luna)
    _, theirs = events_of(app.test_client().get(f"/bookings/calendar/{turn_on(reader_browser, reader_token)}.ics"))
    assert [str(e["SUMMARY"]) for e in theirs] == ["Chat reading with Nova", "Chat reading with Nova"]

    # The address is not shown again; the page says the feed is on.
    page = text_of(browser.get("/bookings"))
    assert raw not in page and "Your calendar feed is on since 7 December 2026" in page
    # A cancellation leaves the feed at the next refresh.
    with clock.frozen(MONDAY_NOON):
        booking.cancel(booking.locked(first.id), nova)
        database.session.commit()
    _, events = events_of(app.test_client().get(f"/bookings/calendar/{raw}.ics"))
    assert [str(e["UID"]).split("@")[0] for e in events] == [f"booking-{later.id}"]


def test_a_new_address_or_turning_it_off_makes_the_old_one_404(frozen_monday, luna, nova, signed_in, app):
    book(nova, luna, TUESDAY_10_NEW_YORK)
    browser, token = signed_in(nova)
    visitor = app.test_client()
    old = turn_on(browser, token)
    assert visitor.get(f"/bookings/calendar/{old}.ics").status_code == 200
    assert "Get a new address" in text_of(browser.get("/bookings"))
    new = turn_on(browser, token)
    assert new != old
    assert visitor.get(f"/bookings/calendar/{old}.ics").status_code == 404
    assert visitor.get(f"/bookings/calendar/{new}.ics").status_code == 200
    assert database.session.execute(sa.select(sa.func.count()).select_from(CalendarFeed)).scalar() == 1
    answer = browser.post("/bookings/calendar", data={"csrf_token": token, "action": "off"})
    assert answer.status_code == 303
    assert "Your calendar feed is off" in text_of(browser.get("/bookings"))
    assert visitor.get(f"/bookings/calendar/{new}.ics").status_code == 404
    assert database.session.execute(sa.select(sa.func.count()).select_from(CalendarFeed)).scalar() == 0


def test_wrong_tokens_404_and_the_controls_are_the_owners(frozen_monday, luna, nova, signed_in, app, make_user):
    browser, token = signed_in(nova)
    raw = turn_on(browser, token)
    visitor = app.test_client()
    for wrong in (raw[:-1], raw + "x", raw.upper(), tokens.digest(raw), "x"):
        assert visitor.get(f"/bookings/calendar/{wrong}.ics").status_code == 404, wrong
    # Without the CSRF token, or an action it does not know: refused, nothing changed.
    assert browser.post("/bookings/calendar", data={"action": "off"}).status_code == 400
    assert browser.post("/bookings/calendar", data={"csrf_token": token, "action": "on"}).status_code == 400
    assert visitor.get(f"/bookings/calendar/{raw}.ics").status_code == 200
    admin_browser, admin_token = signed_in(make_user(role="admin", consented=True))
    assert "calendar-feed" not in text_of(admin_browser.get("/bookings"))
    answer = admin_browser.post("/bookings/calendar", data={"csrf_token": admin_token, "action": "new"})
    assert answer.status_code == 403
    assert visitor.post("/bookings/calendar", data={"action": "new"}).status_code == 400  # no session, no CSRF
    assert database.session.execute(sa.select(sa.func.count()).select_from(CalendarFeed)).scalar() == 1


def test_an_account_deleted_or_suspended_has_no_feed(frozen_monday, luna, nova, signed_in, app):
    browser, token = signed_in(nova)
    raw = turn_on(browser, token)
    assert data_export.export_data(nova)["bookings"]["calendar_feed_since"] == MONDAY_NOON.isoformat()
    reader_browser, reader_token = signed_in(luna)
    theirs = turn_on(reader_browser, reader_token)
    luna.status = "suspended"
    database.session.commit()
    assert app.test_client().get(f"/bookings/calendar/{theirs}.ics").status_code == 404
    accounts.delete_account(nova, signed_in_recently=True)
    database.session.commit()
    assert app.test_client().get(f"/bookings/calendar/{raw}.ics").status_code == 404
    assert database.session.get(CalendarFeed, nova.id) is None
