"""Admin → Bookings: the list with the reader's cancellations, a booking's record, refunds of what
a booking kept (through commerce.refund, once per form), and cancelling from the booking's page."""

import re
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry
from soulseer.services.bookings import booking
from soulseer.services.marketplace import profiles
from tests.bookings.conftest import MONDAY_NOON
from tests.conftest import csrf_token_from
from tests.support.money import earnings_of, revenue, wallet_of

START = MONDAY_NOON + timedelta(hours=27)


def late_cancelled(client, reader):
    with clock.frozen(MONDAY_NOON):
        made = booking.book(client, profiles.profile_for(reader), "chat", 30, START, "Europe/London")
        database.session.commit()
    with clock.frozen(START - timedelta(hours=1)):
        booking.cancel(booking.locked(made.id), client)
        database.session.commit()
    return made


def text_of(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_list_and_a_record_show_state_money_and_the_readers_cancellations(luna, nova, make_user, signed_in):
    made = late_cancelled(nova, luna)
    admin, _ = signed_in(make_user(role="admin", consented=True))
    listed = text_of(admin.get("/admin/bookings?q=luna&state=cancelled"))
    assert f"Booking #{made.id} · Nova with Luna Starweaver" in listed
    assert "$15.00 · the reader's cancellations: 0" in listed
    assert "No bookings match." in text_of(admin.get("/admin/bookings?state=completed"))
    record = text_of(admin.get(f"/admin/bookings/{made.id}"))
    assert "Kept</dt><dd>$7.50 · reader $5.25 · back to the client $7.50" in record
    assert "Up to <strong>$7.50</strong>" in record
    assert admin.get("/admin/bookings/999999").status_code == 404
    client_browser, _ = signed_in(nova)
    assert client_browser.get("/admin/bookings").status_code == 403


def test_an_admin_refunds_what_a_late_cancellation_kept_once(luna, nova, make_user, signed_in):
    made = late_cancelled(nova, luna)
    ada = make_user(role="admin", consented=True)
    admin, _ = signed_in(ada)
    page = admin.get(f"/admin/bookings/{made.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "request_key": key, "amount": "7.50", "reason": "She was ill; goodwill refund."}
    short = admin.post(f"/admin/bookings/{made.id}/refunds", data={**form, "reason": "no"})
    assert short.status_code == 422 and "Give a reason of 5 to 500 characters." in text_of(short)
    assert admin.post(f"/admin/bookings/{made.id}/refunds", data=form).status_code == 302
    assert admin.post(f"/admin/bookings/{made.id}/refunds", data=form).status_code == 302  # the same form again
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (10_000, 0, 0)
    logged = database.session.execute(sa.select(AuditEntry.action, AuditEntry.reason)).all()
    assert logged == [("booking.refund", "She was ill; goodwill refund.")]
    over = admin.post(f"/admin/bookings/{made.id}/refunds", data={**form, "request_key": "another", "amount": "1"})
    assert over.status_code == 422


def test_an_admin_cancels_a_booking_from_its_page_and_everything_goes_back(
    frozen_monday, luna, nova, make_user, signed_in
):
    made = booking.book(nova, profiles.profile_for(luna), "chat", 30, START, "Europe/London")
    database.session.commit()
    admin, token = signed_in(make_user(role="admin", consented=True))
    page = text_of(admin.get(f"/bookings/{made.id}"))
    assert "If you cancel, all <strong>$15.00</strong> goes back to the client." in page
    assert admin.post(f"/bookings/{made.id}/cancel", data={"csrf_token": token}).status_code == 303
    assert wallet_of(nova) == 10_000
    assert "the reader's cancellations: 1" in text_of(admin.get("/admin/bookings"))
