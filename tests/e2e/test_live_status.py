"""A client on the browse page asks to hear when a reader comes online; the reader, in a second
browser, flips the switch on their dashboard; the client's bell count and the reader's card on the
browse list change without a reload (the event stream). Phone size, two browser contexts."""

from playwright.sync_api import expect

from soulseer.extensions import db
from soulseer.models import ReaderProfile
from tests.e2e.conftest import account, sign_in


def test_reader_goes_online_and_the_client_sees_it_live(page, second_page, make_user, screenshot):
    account(make_user, "client", "ana@example.test", "Ana")
    reader = account(make_user, "reader", "luna@example.test", "Luna")
    profile = ReaderProfile(
        user_id=reader.id,
        slug="luna-star",
        display_name="Luna Star",
        tagline="Tarot by candlelight",
        rate_chat_cents=199,
    )
    db.session.add(profile)
    db.session.commit()

    # The client asks to be told, on the reader's page, then watches the browse list.
    sign_in(page, "ana@example.test")
    page.goto("/readers/luna-star")
    page.get_by_role("button", name="Notify me when online").click()
    expect(page.get_by_text("We will notify you when Luna Star comes online.")).to_be_visible()
    page.goto("/readers")
    card = page.locator(f"#reader-card-{profile.id}")
    expect(card.locator(".status-badge")).to_have_text("Offline")
    bell = page.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, none unread")

    # The reader goes online in their own browser.
    sign_in(second_page, "luna@example.test")
    second_page.goto("/reader")
    switch = second_page.get_by_role("switch")
    expect(switch).to_have_attribute("aria-checked", "false")
    screenshot(second_page, "reader-dashboard-offline")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(second_page.locator(".status-toggle-label")).to_have_text("Online")
    screenshot(second_page, "reader-dashboard-online")

    # Without a reload, the client's list and bell change.
    expect(card.locator(".status-badge")).to_have_text("Online now", timeout=10_000)
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=10_000)
    expect(page.locator(".bell-count")).to_have_text("1")
    screenshot(page, "browse-live-online-with-bell")

    page.locator("#notification-bell").click()
    expect(page.get_by_role("link", name="Luna Star is online now.")).to_be_visible()
    screenshot(page, "notifications-page")
    page.get_by_role("button", name="Mark read: “Luna Star is online now.”").click()
    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications, none unread")

    assert page.watched.problems() == []
    assert second_page.watched.problems() == []
