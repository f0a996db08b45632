"""The pages: the reader's availability, the booking page in the client's zone, the lists, the
detail page's cancellation, and who may see what."""

import re
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AvailabilityOverride, AvailabilityRule, Booking, BookingSettings
from soulseer.services.bookings import booking
from soulseer.services.marketplace import profiles
from tests.bookings.conftest import MONDAY_NOON
from tests.support.money import wallet_of

TUESDAY_10_NEW_YORK = MONDAY_NOON + timedelta(hours=27)

WEEK_FORM = {
    "time_zone": "America/New_York",
    "lengths": ["30", "60"],
    "notice_minutes": "120",
    "horizon_days": "60",
    "buffer_minutes": "10",
    "day_0": "9:00-12:00, 14:00-24:00",
    "day_2": "10:00-11:00",
}


def text_of(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_a_reader_sets_her_week_and_sees_it_again(make_user, signed_in):
    luna = make_user(role="reader", consented=True)
    browser, token = signed_in(luna)
    page = browser.get("/reader/availability")
    assert page.status_code == 200 and "Clients cannot book you yet" in text_of(page)
    answer = browser.post("/reader/availability", data={"csrf_token": token, **WEEK_FORM})
    assert answer.status_code == 303
    settings = database.session.get(BookingSettings, luna.id)
    assert (settings.time_zone, settings.lengths, settings.buffer_minutes) == ("America/New_York", [30, 60], 10)
    rules = database.session.execute(
        sa.select(AvailabilityRule.weekday, AvailabilityRule.start_minute, AvailabilityRule.end_minute)
        .filter_by(reader_id=luna.id)
        .order_by(AvailabilityRule.weekday, AvailabilityRule.start_minute)
    ).all()
    assert rules == [(0, 540, 720), (0, 840, 1440), (2, 600, 660)]
    page = text_of(browser.get("/reader/availability"))
    assert 'value="09:00-12:00, 14:00-24:00"' in page and "Clients can book you now" in page


def test_bad_ranges_and_settings_come_back_on_their_fields_and_nothing_is_kept(make_user, signed_in):
    luna = make_user(role="reader", consented=True)
    browser, token = signed_in(luna)
    for field, value, message in [
        ("day_1", "9-25", "is not a time of day"),
        ("day_1", "12:00-9:00", "A range ends after it starts"),
        ("day_1", "9:00-12:00, 11:00-13:00", "Two of these ranges overlap"),
        ("day_1", "nine to five", "Write each range like 9:00-12:00"),
        ("time_zone", "Atlantis/Capital", "Choose a time zone from the list"),
        ("buffer_minutes", "7", "Choose a break of 0, 5, 10, 15 or 30 minutes."),
        ("horizon_days", "365", "Clients can book 1 to 180 days ahead."),
        ("price_30", "0.10", "A price is from $1.00 to $1,000.00."),
        ("notice_minutes", "soon", "Not a valid integer value."),
    ]:
        answer = browser.post("/reader/availability", data={"csrf_token": token, **WEEK_FORM, field: value})
        assert answer.status_code == 422, (field, value)
        page = text_of(answer)
        assert message in page, (field, value)
        assert f'id="{field}" ' in page and 'aria-invalid="true"' in page
    assert database.session.get(BookingSettings, luna.id) is None
    assert database.session.execute(sa.select(sa.func.count(AvailabilityRule.id))).scalar() == 0


def test_a_date_is_blocked_or_given_its_own_hours_and_goes_back(frozen_monday, luna, signed_in):
    browser, token = signed_in(luna)
    answer = browser.post("/reader/availability/dates", data={"csrf_token": token, "day": "2026-12-08", "blocked": "y"})
    assert answer.status_code == 303
    answer = browser.post(
        "/reader/availability/dates", data={"csrf_token": token, "day": "2026-12-09", "hours": "18:00-20:00"}
    )
    assert answer.status_code == 303
    page = text_of(browser.get("/reader/availability"))
    assert "Tue 8 Dec 2026</strong>: not available" in page and "Wed 9 Dec 2026</strong>: 18:00-20:00" in page
    # Neither hours nor "not available"; a date in the past.
    for data, message in [
        ({"day": "2026-12-10"}, "Write the hours for that date"),
        ({"day": "2026-12-01", "blocked": "y"}, "Choose a date from today"),
    ]:
        answer = browser.post("/reader/availability/dates", data={"csrf_token": token, **data})
        assert answer.status_code == 422 and message in text_of(answer)
    browser.post("/reader/availability/dates/remove", data={"csrf_token": token, "day": "2026-12-08"})
    days = database.session.execute(sa.select(AvailabilityOverride.day).filter_by(reader_id=luna.id)).scalars().all()
    assert [d.isoformat() for d in days] == ["2026-12-09"]


def test_the_booking_page_shows_times_in_the_clients_zone_with_the_readers_beside(frozen_monday, luna, nova, signed_in):
    browser, _ = signed_in(nova)
    reader_page = text_of(browser.get("/readers/luna-starweaver"))
    assert 'href="/readers/luna-starweaver/book">Book a time</a>' in reader_page
    page = text_of(browser.get("/readers/luna-starweaver/book?day=2026-12-08"))
    assert '<option value="Europe/London" selected>' in page
    # Tuesday 9:00–17:00 in New York is 14:00–22:00 in London (GMT); the last 30-minute start 16:30 EST.
    assert '<strong>2:00 PM GMT</strong><span class="slot-theirs">9:00 AM EST for Luna Starweaver</span>' in page
    assert '<strong>9:30 PM GMT</strong><span class="slot-theirs">4:30 PM EST for Luna Starweaver</span>' in page
    assert "10:00 PM GMT" not in page
    # Monday: nothing before 14:00 UTC (two hours' notice from noon), which is 9:00 in New York.
    monday = text_of(browser.get("/readers/luna-starweaver/book?day=2026-12-07&length=60"))
    assert "<strong>2:00 PM GMT</strong>" in monday and "1:45 PM GMT" not in monday
    # The same list seen from Tokyo: Tuesday 9:00 in New York is Tuesday 23:00 there.
    tokyo = text_of(browser.get("/readers/luna-starweaver/book?tz=Asia/Tokyo&day=2026-12-08"))
    assert "<strong>11:00 PM JST</strong>" in tokyo


def test_a_time_less_than_a_day_ahead_says_there_is_no_free_cancellation(frozen_monday, luna, nova, signed_in):
    browser, _ = signed_in(nova)
    today = text_of(browser.get("/readers/luna-starweaver/book?start=2026-12-07T15:00:00Z&length=30&tz=Europe/London"))
    assert "It starts in less than 24 hours: if you cancel, $7.50 is kept and $7.50 comes back." in today
    assert "Cancel until" not in today


def test_booking_through_the_pages_pays_and_lists_it_for_both(frozen_monday, luna, nova, signed_in):
    browser, token = signed_in(nova)
    start = "2026-12-08T15:00:00Z"
    confirm = text_of(browser.get(f"/readers/luna-starweaver/book?start={start}&length=30&tz=Europe/London"))
    assert "Tuesday 8 December 2026, 3:00 PM GMT" in confirm and "Tuesday 8 December 2026, 10:00 AM EST" in confirm
    assert "Cancel until Monday 7 December 2026, 3:00 PM GMT and all $15.00 comes back" in confirm
    answer = browser.post(
        "/readers/luna-starweaver/book",
        data={"csrf_token": token, "start": start, "mode": "chat", "length": "30", "tz": "Europe/London"},
    )
    assert answer.status_code == 303
    made = database.session.execute(sa.select(Booking)).scalar_one()
    assert answer.headers["Location"] == f"/bookings/{made.id}"
    assert wallet_of(nova) == 8500
    listed = text_of(browser.get("/bookings"))
    assert (
        "<strong>Tue 8 Dec</strong> 3:00 PM GMT" in listed and "30-minute chat reading with Luna Starweaver" in listed
    )
    reader_browser, _ = signed_in(luna)
    theirs = text_of(reader_browser.get("/bookings"))
    assert "<strong>Tue 8 Dec</strong> 10:00 AM EST" in theirs and "with Nova" in theirs
    assert "the next is Tuesday 8 December 2026, 10:00 AM EST" in text_of(reader_browser.get("/reader"))
    assert "3:00 PM GMT" in text_of(browser.get("/dashboard"))


def test_a_taken_time_answers_409_with_fresh_times_and_too_little_money_402_with_the_top_up(
    frozen_monday, luna, nova, make_user, signed_in
):
    booking.book(nova, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "Europe/London")
    database.session.commit()
    poor = make_user(role="client", consented=True, time_zone="Europe/London")
    browser, token = signed_in(poor)
    data = {"csrf_token": token, "start": "2026-12-08T15:00:00Z", "mode": "chat", "length": "30", "tz": "Europe/London"}
    taken = browser.post("/readers/luna-starweaver/book", data=data)
    assert taken.status_code == 409
    page = text_of(taken)
    assert "That time was just taken. Here are the times still free." in page
    assert "<strong>2:00 PM GMT</strong>" in page and "<strong>3:00 PM GMT</strong>" not in page
    short = browser.post("/readers/luna-starweaver/book", data={**data, "start": "2026-12-08T18:00:00Z"})
    assert short.status_code == 402
    page = text_of(short)
    assert "Your balance is too low for this." in page and 'hx-trigger="wallet-credited from:body"' in page
    assert 'name="start" value="2026-12-08T18:00:00Z"' in page and "Continue to payment" in page
    assert database.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 1


def test_the_detail_page_says_what_comes_back_and_cancelling_gives_it(luna, nova, signed_in):
    with clock.frozen(MONDAY_NOON):
        made = booking.book(nova, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "Europe/London")
        database.session.commit()
    browser, token = signed_in(nova)
    # 25 hours before: the whole price.
    with clock.frozen(TUESDAY_10_NEW_YORK - timedelta(hours=25)):
        page = text_of(browser.get(f"/bookings/{made.id}"))
        assert "Cancel now and all <strong>$15.00</strong> comes back to your wallet." in page
    # 23 hours before: half.
    with clock.frozen(TUESDAY_10_NEW_YORK - timedelta(hours=23)):
        page = text_of(browser.get(f"/bookings/{made.id}"))
        assert "cancel now and <strong>$7.50</strong> comes back to your wallet; $7.50 is kept." in page
        answer = browser.post(f"/bookings/{made.id}/cancel", data={"csrf_token": token})
        assert answer.status_code == 303
        page = text_of(browser.get(f"/bookings/{made.id}"))
    assert "$7.50 is back in your wallet; $7.50 was kept (late cancellation)." in page
    assert wallet_of(nova) == 10_000 - 750


def test_only_its_two_people_and_admins_see_a_booking(frozen_monday, luna, nova, make_user, signed_in):
    made = booking.book(nova, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "Europe/London")
    database.session.commit()
    stranger, token = signed_in(make_user(role="client", consented=True))
    assert stranger.get(f"/bookings/{made.id}").status_code == 404
    assert stranger.post(f"/bookings/{made.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert stranger.get("/bookings/999999").status_code == 404
    admin, _ = signed_in(make_user(role="admin", consented=True))
    assert admin.get(f"/bookings/{made.id}").status_code == 200
    reader_browser, _ = signed_in(luna)
    assert reader_browser.get("/readers/luna-starweaver/book").status_code == 403  # readers do not book
    assert wallet_of(nova) == 8500


def test_a_reader_who_takes_no_bookings_has_no_button_and_no_page(frozen_monday, make_user, nova, signed_in):
    from tests.support.marketplace import make_profile

    orion = make_user(role="reader", consented=True, display_name="Orion")
    make_profile(orion, "Orion", status="online")
    browser, _ = signed_in(nova)
    assert "Book a time" not in text_of(browser.get("/readers/orion"))
    page = browser.get("/readers/orion/book")
    assert page.status_code == 404 and "Orion does not take bookings" in text_of(page)


def test_a_change_of_hours_shows_the_bookings_now_outside_them_and_moves_none(frozen_monday, luna, nova, signed_in):
    made = booking.book(nova, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "Europe/London")
    database.session.commit()
    browser, token = signed_in(luna)
    assert "Bookings outside your hours now" not in text_of(browser.get("/reader/availability"))
    form = {**WEEK_FORM, "day_1": "13:00-17:00"}  # Tuesdays now start at 13:00
    assert browser.post("/reader/availability", data={"csrf_token": token, **form}).status_code == 303
    page = text_of(browser.get("/reader/availability"))
    assert "Bookings outside your hours now" in page
    assert f'href="/bookings/{made.id}">Tuesday 8 December 2026, 10:00 AM EST · 30 min with Nova</a>' in page
    database.session.refresh(made)
    assert (made.starts_at, made.state) == (TUESDAY_10_NEW_YORK, "confirmed")


def test_export_my_data_has_the_bookings_of_both_and_the_readers_week(frozen_monday, luna, nova, signed_in):
    import json

    booking.book(nova, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "Europe/London")
    database.session.commit()
    mine = json.loads(signed_in(nova)[0].get("/account/export").get_data(as_text=True))["bookings"]
    assert mine["time_zone"] == "Europe/London" and "availability" not in mine
    assert [(b["with"], b["minutes"], b["price_cents"], b["state"]) for b in mine["bookings"]] == [
        ("Luna Starweaver", 30, 1500, "confirmed")
    ]
    hers = json.loads(signed_in(luna)[0].get("/account/export").get_data(as_text=True))["bookings"]
    assert [b["with"] for b in hers["bookings"]] == ["Nova"]
    assert hers["availability"]["weekly"][0] == {"weekday": "Monday", "hours": "09:00-17:00"}


def test_a_reader_caps_her_bookings_a_day_and_a_cap_out_of_range_is_a_field_error(make_user, signed_in):
    luna = make_user(role="reader", consented=True)
    browser, token = signed_in(luna)
    answer = browser.post("/reader/availability", data={"csrf_token": token, **WEEK_FORM, "daily_cap": "3"})
    assert answer.status_code == 303
    assert database.session.get(BookingSettings, luna.id).daily_cap == 3
    assert re.search(r'<input[^>]*name="daily_cap"[^>]*value="3"', text_of(browser.get("/reader/availability")))
    for wrong in ("0", "25"):
        refused = browser.post("/reader/availability", data={"csrf_token": token, **WEEK_FORM, "daily_cap": wrong})
        assert refused.status_code == 422
        assert "Most bookings in a day is 1 to 24, or empty for no limit." in text_of(refused)
        database.session.expire_all()
        assert database.session.get(BookingSettings, luna.id).daily_cap == 3
    assert browser.post("/reader/availability", data={"csrf_token": token, **WEEK_FORM}).status_code == 303
    database.session.expire_all()
    assert database.session.get(BookingSettings, luna.id).daily_cap is None  # empty: no limit
