"""Messages in the browser, on phones: a client writes to a reader from the reader's page; the
reader's badge counts it live, the reader answers, and the answer appears in the client's open
thread without a reload (which marks it read, so the client's other tab's badge goes back to 0)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import _new_page, account, close_context, online_luna, sign_in, two_phones_on

LAPTOP = {"width": 1280, "height": 800}


def badge(page):
    """The unread count in the bottom navigation's "Messages" (the phone's navigation)."""
    return page.locator(".bottom-nav .messages-unread-slot")


def test_a_client_and_a_reader_hold_a_conversation_live(browser, live_server, make_user, screenshot):
    online_luna(make_user)
    account(make_user, "client", "nova@example.test", "Nova")
    with two_phones_on(browser, live_server) as (nova, luna):
        sign_in(luna, "luna@example.test")
        luna.goto("/reader")
        expect(luna.get_by_text("No one is waiting for an answer.")).to_be_visible()

        sign_in(nova, "nova@example.test")
        nova.goto("/readers/luna")
        nova.get_by_role("link", name="Message", exact=True).click()
        expect(nova.get_by_role("heading", name="Message Luna")).to_be_visible()
        nova.get_by_label("Your message").fill("Hello Luna,\nwill my new job work out?")
        nova.get_by_role("button", name="Send").click()
        expect(nova.locator(".message-mine .message-body")).to_have_text("Hello Luna,\nwill my new job work out?")
        screenshot(nova, "client-thread")

        # Luna's dashboard counts it live, without a reload.
        expect(badge(luna)).to_contain_text("1")
        luna.reload()
        expect(luna.get_by_text(re.compile(r"Nova\s+waiting"))).to_be_visible()
        luna.locator(".bottom-nav").get_by_role("link", name=re.compile("Messages")).click()
        expect(luna.locator(".inbox-unread")).to_contain_text("will my new job work out?")
        screenshot(luna, "reader-inbox")
        luna.locator(".inbox-link").first.click()
        expect(badge(luna)).to_have_text("")  # opening the thread marks it read
        expect(luna.locator(".message .message-body")).to_have_text("Hello Luna,\nwill my new job work out?")
        expect(luna.locator(".message").get_by_role("link", name="Report")).to_be_visible()

        # Nova keeps her thread open; a second tab of hers is on the readers' list.
        nova.evaluate("window.__samePage = true")
        other_context, other_tab = _new_page(browser, live_server)
        try:
            other_tab.context.add_cookies(nova.context.cookies())
            other_tab.goto("/readers")
            expect(badge(other_tab)).to_have_text("")
            luna.get_by_label("Your message").fill("Yes. Trust the timing; spring brings news.")
            luna.get_by_role("button", name="Send").click()
            expect(luna.locator(".message-mine")).to_contain_text("spring brings news")
            # The answer arrives in Nova's open thread, no reload; being seen, it is read at once.
            expect(nova.locator(".message:not(.message-mine) .message-body")).to_have_text(
                "Yes. Trust the timing; spring brings news."
            )
            assert nova.evaluate("window.__samePage") is True
            expect(badge(other_tab)).to_have_text("")
            screenshot(nova, "answer-arrived")
        finally:
            close_context(other_context)
        for page in (nova, luna):
            box = page.locator(".thread").bounding_box()
            assert box["width"] <= 390
            assert page.watched.problems() == []


def test_the_inbox_and_a_thread_on_a_laptop(browser, live_server, make_user, db, screenshot):
    from soulseer.services.messages import sending

    luna = online_luna(make_user)
    nova = account(make_user, "client", "nova@example.test", "Nova")
    sending.start(nova, luna, "A question about my career, and whether to move cities this year.")
    db.session.commit()
    context, page = _new_page(browser, live_server, viewport=LAPTOP)
    try:
        sign_in(page, "nova@example.test")
        page.goto("/messages")
        expect(page.locator(".top-nav").get_by_role("link", name="Messages")).to_have_attribute("aria-current", "page")
        expect(page.locator(".inbox-row")).to_contain_text("You: A question about my career")
        screenshot(page, "inbox-laptop")
        page.locator(".inbox-link").click()
        expect(page.get_by_role("heading", name="Luna")).to_be_visible()
        screenshot(page, "thread-laptop")
    finally:
        close_context(context)
