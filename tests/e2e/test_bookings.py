"""Scheduled readings in the browser, on phones in two time zones: a reader in New York opens her
week, a client in London books a time (her zone found by the browser), both see the time on
their own clocks, and the client cancels more than a day ahead and gets everything back."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    MOTION,
    PHONE,
    Watched,
    account,
    close_context,
    live_server_with,
    online_luna,
    sign_in,
    two_phones_on,
)
from tests.support.axe import axe_source, small_targets, violations


def phone_in(browser, live_server, zone):
    context = browser.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        service_workers="block",
        timezone_id=zone,
        locale="en-GB",
        reduced_motion=MOTION,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watched = Watched(page)
    return context, page


def accessible(page, source, label):
    assert violations(page, source) == [], label
    assert small_targets(page) == [], label


def test_a_reader_in_new_york_opens_her_week_and_a_client_in_london_books_and_cancels(
    browser, live_server, make_user, screenshot
):
    from soulseer.extensions import db
    from soulseer.ledger import keys, operations
    from tests.support.money import wallet_of

    online_luna(make_user)  # chat at $1.50 a minute: 30 minutes are $45.00
    nova = account(make_user, "client", "nova@example.test", "Nova")
    operations.credit_topup(nova, 10_000, keys.topup("cs_e2e_nova"), ("topup", nova.id))
    db.session.commit()
    source = axe_source()
    opened = []
    try:
        luna_context, luna = phone_in(browser, live_server, "America/New_York")
        opened.append(luna_context)
        nova_context, page = phone_in(browser, live_server, "Europe/London")
        opened.append(nova_context)

        # Luna opens her week, in her own zone, from her dashboard.
        sign_in(luna, "luna@example.test")
        luna.goto("/reader")
        luna.get_by_role("link", name="Your availability").click()
        expect(luna.get_by_role("heading", name="Your availability")).to_be_visible()
        luna.get_by_label("Your time zone").select_option("America/New_York")
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
            luna.get_by_label(day).fill("9:00-17:00")
        luna.get_by_role("checkbox", name="30 minutes").check()
        luna.get_by_role("button", name="Save my availability").click()
        expect(luna.get_by_text("Your availability is saved.")).to_be_visible()
        expect(luna.get_by_text("Clients can book you now.")).to_be_visible()
        accessible(luna, source, "availability")
        screenshot(luna, "reader-availability")

        # Nova, in London, books from Luna's page; the page takes her zone from the browser.
        sign_in(page, "nova@example.test")
        page.goto("/readers/luna")
        page.get_by_role("link", name="Book a time").click()
        expect(page.locator(".book[data-detect-zone]")).to_have_count(0)  # stored, and the page drawn again
        expect(page.get_by_label("Your time zone")).to_have_value("Europe/London")
        db.session.expire_all()
        assert db.session.get(type(nova), nova.id).time_zone == "Europe/London"  # stored on her account
        days = page.locator(".book-days a")
        days.nth(2).click()  # two days ahead at least: more than 24 hours to cancel for free
        expect(days.nth(2)).to_have_attribute("aria-current", "date")
        first = page.locator(".slot").first
        # 9:00 in New York is 14:00 in London (both on standard time in December).
        expect(first).to_contain_text("2:00 PM GMT")
        expect(first).to_contain_text("9:00 AM EST for Luna")
        accessible(page, source, "book")
        screenshot(page, "client-book")
        first.click()
        expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
        expect(page.locator(".facts")).to_contain_text(re.compile(r"Your time\s*\w+day \d+ December 2026, 2:00 PM GMT"))
        expect(page.locator(".facts")).to_contain_text(
            re.compile(r"Luna’s time\s*\w+day \d+ December 2026, 9:00 AM EST")
        )
        accessible(page, source, "confirm")
        page.get_by_role("button", name="Pay $45.00 and book").click()
        expect(page.get_by_text("Your reading is booked and paid.")).to_be_visible()
        assert wallet_of(nova) == 10_000 - 4500

        # Luna sees it on her own clock.
        luna.goto("/bookings")
        item = luna.locator(".booking-item").first
        expect(item).to_contain_text("9:00 AM EST")
        expect(item).to_contain_text("30-minute chat reading with Nova")
        accessible(luna, source, "reader bookings")
        screenshot(luna, "reader-bookings")

        # Nova cancels, more than 24 hours ahead: the page says all of it comes back, and it does.
        page.goto("/bookings")
        expect(page.locator(".booking-item").first).to_contain_text("2:00 PM GMT")
        page.locator(".booking-link").first.click()
        expect(page.get_by_text("Cancel now and all $45.00 comes back to your wallet.")).to_be_visible()
        accessible(page, source, "booking")
        page.get_by_text("Cancel this booking").click()
        page.get_by_role("button", name="Yes, cancel it").click()
        expect(page.get_by_text("The booking is cancelled. $45.00 is back in your wallet.")).to_be_visible()
        expect(page.locator(".facts")).to_contain_text("Back to you")
        screenshot(page, "client-cancelled")
        assert wallet_of(nova) == 10_000
        assert page.watched.problems() == [] and luna.watched.problems() == []
    finally:
        for context in opened:
            close_context(context)


# A booked minute of 2 s: a 15-minute booking runs its whole length in 30 s.
MINUTE_SECONDS = 2


@pytest.fixture(scope="module")
def booking_server(app):
    with live_server_with(SOULSEER_MINUTE_SECONDS=str(MINUTE_SECONDS)) as server:
        yield server


def test_a_booked_reading_opens_in_the_live_room_at_its_time_and_settles_in_full(
    browser, booking_server, make_user, screenshot
):
    from datetime import timedelta

    import sqlalchemy as sa

    from soulseer import clock
    from soulseer.extensions import db
    from soulseer.ledger import keys, operations
    from soulseer.models import Booking
    from soulseer.services.bookings import availability, booking
    from soulseer.services.marketplace import profiles
    from tests.support.money import earnings_of, wallet_of

    luna = online_luna(make_user)
    availability.save(luna, availability.AvailabilityInput(
        time_zone="America/New_York", lengths=[15], prices={15: "12.00"}, notice_minutes=0,
        weekly={day: "0:00-24:00" for day in range(7)},
    ))  # fmt: skip
    nova = account(make_user, "client", "nova@example.test", "Nova")
    operations.credit_topup(nova, 5_000, keys.topup("cs_e2e_room"), ("topup", nova.id))
    db.session.commit()
    start = (clock.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 15)
    made = booking.book(nova, profiles.profile_for(luna), "chat", 15, start, "Europe/London")
    db.session.commit()
    # A test's shortcut: the booking is moved to start a minute from now (the real wait for the next
    # free quarter hour is up to 15 minutes); the cron's tick opens its room at once (start − 5 min).
    shift = clock.now() + timedelta(minutes=1) - made.starts_at
    db.session.execute(
        sa.update(Booking).where(Booking.id == made.id).values(
            starts_at=Booking.starts_at + shift, ends_at=Booking.ends_at + shift,
            blocked_until=Booking.blocked_until + shift,
        )
    )  # fmt: skip
    db.session.commit()

    with two_phones_on(browser, booking_server) as (page, luna_page):
        sign_in(luna_page, "luna@example.test")
        sign_in(page, "nova@example.test")
        for person in (page, luna_page):
            person.goto(f"/bookings/{made.id}")
            join = person.get_by_role("link", name="Join the reading")
            for _ in range(20):  # the cron ticks every 5 s
                if join.count():
                    break
                person.wait_for_timeout(1_000)
                person.reload()
            join.click()
        expect(page.get_by_role("heading", name="Chat reading")).to_be_visible()
        expect(page.locator(".meter-booked")).to_have_text("15 min · paid")
        expect(page.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
        expect(luna_page.get_by_text("Nova: connected")).to_be_visible(timeout=15_000)
        expect(page.locator(".meter-cost")).to_have_count(0)  # nothing runs against the wallet
        screenshot(page, "booked-room")
        page.get_by_label("Message").fill("Hello Luna, thank you for making the time.")
        page.get_by_role("button", name="Send").click()
        expect(luna_page.locator(".chat-line").filter(has_text="thank you for making the time")).to_be_visible()
        # Fifteen booked minutes of 2 s: the room ends by itself and both see the summary.
        expect(page.get_by_text("The booked time is over.")).to_be_visible(timeout=60_000)
        expect(luna_page.get_by_text("The booked time is over.")).to_be_visible(timeout=15_000)
        expect(page.locator(".summary-cost")).to_have_text("$12.00")
        expect(luna_page.locator(".summary-earnings")).to_have_text("$8.40")
        screenshot(page, "booked-summary")
        page.goto(f"/bookings/{made.id}")
        expect(page.locator(".facts")).to_contain_text("You paid$12.00")
        assert page.watched.problems() == [] and luna_page.watched.problems() == []
    db.session.expire_all()
    assert db.session.get(Booking, made.id).state == "completed"
    assert (wallet_of(nova), earnings_of(luna)) == (5_000 - 1_200, 840)
