"""The client's own time zone (issue #16, Build 2; next-areas.md S-9): stored on the account, changed
on the booking page or in account settings, checked against the IANA names we list (a field error
and nothing changed otherwise). The browser's zone is stored by bookings.js on a first visit
(tests/e2e/test_bookings.py)."""

import pytest

from soulseer.extensions import db as database
from soulseer.models import User

BOOK = "/readers/luna-starweaver/book"


def text_of(response):
    return response.get_data(as_text=True)


def zone_of(user):
    database.session.expire_all()
    return database.session.get(User, user.id).time_zone


def test_the_booking_page_stores_the_zone_and_shows_the_times_in_it(frozen_monday, luna, nova, signed_in):
    browser, token = signed_in(nova)
    answer = browser.post(
        f"{BOOK}/time-zone", data={"csrf_token": token, "time_zone": "Asia/Tokyo", "length": "60", "day": "2026-12-08"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{BOOK}?mode=chat&length=60&day=2026-12-08"
    assert zone_of(nova) == "Asia/Tokyo"
    page = text_of(browser.get(answer.headers["Location"]))
    # Tuesday 9:00 in New York is Tuesday 23:00 in Tokyo, now without ?tz= in the address.
    assert '<option value="Asia/Tokyo" selected>' in page and "<strong>11:00 PM JST</strong>" in page
    assert "data-detect-zone" not in page  # stored: the browser's is not asked again


@pytest.mark.parametrize("name", ["Atlantis/Capital", "", "EST5EDT", "europe/london"])
def test_a_zone_we_do_not_know_is_a_field_error_on_the_booking_page_and_nothing_changes(
    frozen_monday, luna, nova, signed_in, name
):
    browser, token = signed_in(nova)
    answer = browser.post(f"{BOOK}/time-zone", data={"csrf_token": token, "time_zone": name, "day": "2026-12-08"})
    assert answer.status_code == 422
    page = text_of(answer)
    assert '<p class="field-error" id="tz-error">Choose a time zone from the list' in page
    assert 'aria-invalid="true"' in page and '<option value="Europe/London" selected>' in page
    assert "<strong>2:00 PM GMT</strong>" in page  # the times still in the zone kept
    assert zone_of(nova) == "Europe/London"


def test_account_settings_show_and_change_the_clients_zone(luna, nova, signed_in, make_user):
    browser, token = signed_in(nova)
    page = text_of(browser.get("/account"))
    assert '<label class="field-label" for="account-time-zone">Your time zone</label>' in page
    assert '<option selected value="Europe/London">' in page
    answer = browser.post("/account/time-zone", data={"csrf_token": token, "time_zone": "America/Chicago"})
    assert (answer.status_code, answer.headers["Location"]) == (303, "/account")
    assert zone_of(nova) == "America/Chicago"
    assert "Your time zone is saved: America/Chicago." in text_of(browser.get("/account"))
    for name in ("Mars/Olympus", "", "UTC+3"):
        answer = browser.post("/account/time-zone", data={"csrf_token": token, "time_zone": name})
        assert answer.status_code == 422, name
        page = text_of(answer)
        assert "Choose a time zone from the list, like Europe/London or America/New_York." in page
        assert 'id="account-time-zone-error"' in page and 'aria-invalid="true"' in page
        assert zone_of(nova) == "America/Chicago"
    # Without the CSRF token: refused, nothing changed.
    assert browser.post("/account/time-zone", data={"time_zone": "Asia/Tokyo"}).status_code == 400
    assert zone_of(nova) == "America/Chicago"


def test_a_client_with_no_zone_yet_is_asked_for_the_browsers(frozen_monday, luna, make_user, signed_in):
    newcomer = make_user(role="client", consented=True, display_name="Wren")
    browser, token = signed_in(newcomer)
    page = text_of(browser.get("/account"))
    select = page[page.find('<select class="input" id="account-time-zone"') :].split("</select>")[0]
    assert '<option value="">Choose your time zone</option>' in select and "selected" not in select
    assert "data-detect-zone" in text_of(browser.get(BOOK))
    refused = browser.post(f"{BOOK}/time-zone", data={"csrf_token": token, "time_zone": "Nowhere"})
    assert refused.status_code == 422 and "data-detect-zone" not in text_of(refused)  # not over a refusal
    assert zone_of(newcomer) is None


def test_only_clients_keep_a_zone_here(luna, signed_in):
    browser, token = signed_in(luna)
    assert "account-time-zone" not in text_of(browser.get("/account"))
    assert browser.post("/account/time-zone", data={"csrf_token": token, "time_zone": "UTC"}).status_code == 403
    assert browser.post(f"{BOOK}/time-zone", data={"csrf_token": token, "time_zone": "UTC"}).status_code == 403
