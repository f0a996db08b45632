"""Messages in the browser, on phones: a client writes to a reader from the reader's page; the
reader's badge counts it live, the reader answers, and the answer appears in the client's open
thread without a reload (which marks it read, so the client's other tab's badge goes back to 0)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Watched, _new_page, account, close_context, online_luna, sign_in, two_phones_on

LAPTOP = {"width": 1280, "height": 800}
AGREE_MS = 2_000  # next-areas.md §3 M-6: all of a person's tabs agree within 2 s


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


SECRET = "The Tower reversed: take the Lisbon job; the letter you wait for comes in March."


def funded(make_user, db, cents):
    """Nova, a client with `cents` in her wallet."""
    from soulseer.ledger import keys, operations

    nova = account(make_user, "client", "nova@example.test", "Nova")
    operations.credit_topup(nova, cents, keys.topup(f"cs_e2e_{nova.id}"), ("topup", nova.id))
    db.session.commit()
    return nova


def test_a_paid_reply_locked_then_unlocked_with_the_money_exact(browser, live_server, make_user, db, screenshot):
    online_luna(make_user)
    funded(make_user, db, 1000)
    with two_phones_on(browser, live_server) as (nova, luna):
        sign_in(nova, "nova@example.test")
        nova.goto("/readers/luna")
        nova.get_by_role("link", name="Message", exact=True).click()
        nova.get_by_label("Your message").fill("Should I take the job in Lisbon?")
        nova.get_by_role("button", name="Send").click()
        expect(nova.locator(".message-mine")).to_contain_text("Lisbon")
        nova.goto("/readers")  # Nova leaves the thread; a third tab of hers shows her wallet
        third_context, third = _new_page(browser, live_server)
        try:
            third.context.add_cookies(nova.context.cookies())
            third.goto("/wallet")
            expect(third.locator("#balance-badge")).to_have_text("$10.00")

            sign_in(luna, "luna@example.test")
            luna.goto("/messages")
            luna.locator(".inbox-link").first.click()
            luna.get_by_label("Paid, for").check()
            luna.get_by_label("Price in dollars").fill("4")
            luna.get_by_label("Your message").fill(SECRET)
            luna.get_by_role("button", name="Send").click()
            mine = luna.locator(".message-mine.message-paid")
            expect(mine).to_contain_text("Locked until Nova unlocks it.")
            expect(mine.get_by_role("button", name="Withdraw")).to_be_visible()
            # (Screenshots come after the swaps: Playwright's caret hiding leaves style="" on the
            # focused field, which htmx's settling would copy, a CSP report that is the tool's.)
            screenshot(luna, "reader-sent-a-paid-reply")

            # Both of Nova's tabs count the reply live, within M-6's 2 s.
            expect(badge(nova)).to_have_text(re.compile("1"), timeout=AGREE_MS)
            expect(badge(third)).to_have_text(re.compile("1"), timeout=AGREE_MS)
            nova.locator(".bottom-nav").get_by_role("link", name=re.compile("Messages")).click()
            expect(nova.locator(".inbox-row")).to_contain_text("Paid reply — 15 words, $4.00")
            nova.locator(".inbox-link").first.click()
            card = nova.locator(".message-paid")
            expect(card).to_contain_text("Luna answered with a paid reply")
            expect(card).to_contain_text("15 words · $4.00")
            assert "Lisbon job" not in nova.content()  # the text is not in the page at all
            expect(badge(third)).to_have_text("", timeout=AGREE_MS)  # opened: read, in every tab
            screenshot(nova, "locked")

            card.get_by_role("button", name="Unlock for $4.00").click()
            expect(nova.locator(".message-paid .message-body")).to_have_text(SECRET)
            expect(nova.locator("#balance-badge")).to_have_text("$6.00")
            expect(third.locator("#balance-badge")).to_have_text("$6.00", timeout=AGREE_MS)  # live, no reload
            expect(nova.get_by_role("link", name="Report this paid reply")).to_be_visible()
            screenshot(nova, "unlocked")
            expect(mine).to_contain_text("Unlocked")  # Luna's open thread follows, no reload
            expect(mine.get_by_role("button", name="Withdraw")).to_have_count(0)
        finally:
            close_context(third_context)
        luna.goto("/reader")
        figures = luna.get_by_role("region", name="Your paid replies")
        expect(figures).to_contain_text("$4.00")  # what Nova paid
        expect(figures).to_contain_text("$2.80")  # Luna's 70%
        screenshot(luna, "reader-dashboard")
        assert nova.watched.problems() == [], "nova"
        assert luna.watched.problems() == [], "luna"


def test_too_little_in_the_wallet_tops_up_in_place_and_unlocks(browser, live_server, make_user, db, screenshot):
    from soulseer.models import Conversation
    from soulseer.services.messages import sending

    luna = online_luna(make_user)
    nova = funded(make_user, db, 399)
    message, _ = sending.start(nova, luna, "Will it work out?")
    conversation = db.session.get(Conversation, message.conversation_id)
    sending.send(conversation, luna, SECRET, price_cents=400)
    db.session.commit()
    context, page = _new_page(browser, live_server)
    try:
        page.watched = Watched(page)
        sign_in(page, "nova@example.test")
        page.goto(f"/messages/{conversation.id}")
        card = page.locator(".message-paid")
        card.get_by_role("button", name="Unlock for $4.00").click()
        expect(card.get_by_role("alert")).to_contain_text("Your balance is too low")
        expect(page.locator("#balance-badge")).to_have_text("$3.99")  # nothing was taken
        screenshot(page, "too-little")
        card.get_by_label("$10", exact=True).check()
        card.get_by_role("button", name="Continue to payment").click()
        card.get_by_role("button", name="Pay (test)").click()
        # When the money is in, the reply unlocks by itself.
        expect(page.locator(".message-paid .message-body")).to_have_text(SECRET, timeout=20_000)
        expect(page.locator("#balance-badge")).to_have_text("$9.99")
        screenshot(page, "unlocked-after-top-up")
        assert page.watched.problems() == []
    finally:
        close_context(context)


def test_a_contested_paid_reply_is_refunded_by_an_admin(browser, live_server, make_user, db, screenshot):
    """The client reports an unlocked paid reply on a phone; an admin refunds it from the queue on a
    laptop; the client's balance comes back. The reader also writes first to a client they read for."""
    from soulseer.models import Conversation
    from soulseer.services.messages import paid, sending
    from tests.moderation.conftest import make_reading

    luna = online_luna(make_user)
    nova = funded(make_user, db, 400)
    make_reading(nova, luna)
    account(make_user, "admin", "ada@example.test", "Ada")
    with two_phones_on(browser, live_server) as (client_phone, reader_phone):
        # Luna writes first, from her readings, to the client she read for.
        sign_in(reader_phone, "luna@example.test")
        reader_phone.goto("/reader/readings")
        reader_phone.get_by_role("link", name="Message Nova").click()
        expect(reader_phone.get_by_role("heading", name="Message Nova")).to_be_visible()
        reader_phone.get_by_label("Your message").fill("Thank you for today's reading. Any questions, write here.")
        reader_phone.get_by_role("button", name="Send").click()
        expect(reader_phone.locator(".message-mine")).to_contain_text("Thank you for today's reading")
        conversation = db.session.query(Conversation).one()
        reply = sending.send(conversation, luna, SECRET, price_cents=400)
        db.session.commit()
        paid.unlock(nova, reply.id)
        db.session.commit()

        sign_in(client_phone, "nova@example.test")
        expect(client_phone.locator("#balance-badge")).to_have_text("$0.00")
        client_phone.goto(f"/messages/{conversation.id}")
        card = client_phone.locator(".message-paid")
        card.get_by_role("link", name="Report this paid reply").click()
        card.get_by_label("It did not answer my question").check()
        card.get_by_label("Tell us what happened").fill("I asked about my career and got a generic horoscope.")
        card.get_by_role("button", name="Send the report").click()
        expect(card.get_by_role("status")).to_contain_text("Thank you")
        screenshot(client_phone, "contested")

        context, admin = _new_page(browser, live_server, viewport=LAPTOP)
        try:
            admin.watched = Watched(admin)
            sign_in(admin, "ada@example.test")
            admin.goto("/admin/moderation?kind=paid_reply")
            admin.get_by_role("link", name=re.compile("Paid reply by Luna")).click()
            expect(admin.get_by_text("Conversation between Nova (client) and Luna (reader)")).to_be_visible()
            admin.get_by_label("Why refund it").fill("The reply did not address the question asked.")
            admin.get_by_role("button", name="Refund $4.00 to the client").click()
            expect(admin.get_by_text("Refunded to the client's wallet")).to_be_visible()
            screenshot(admin, "refunded")
            assert admin.watched.problems() == []
        finally:
            close_context(context)
        expect(client_phone.locator("#balance-badge")).to_have_text("$4.00")  # live, no reload
        assert client_phone.watched.problems() == []
        assert reader_phone.watched.problems() == []


def test_the_thread_at_tablet_width(browser, live_server, make_user, db, screenshot):
    from soulseer.services.messages import sending

    luna = online_luna(make_user)
    nova = account(make_user, "client", "nova@example.test", "Nova")
    message, _ = sending.start(nova, luna, "Hello Luna, a question about my family.")
    sending.send(message.conversation, luna, SECRET, price_cents=450)
    db.session.commit()
    context, page = _new_page(browser, live_server, viewport={"width": 768, "height": 1024})
    try:
        sign_in(page, "nova@example.test")
        page.goto(f"/messages/{message.conversation_id}")
        expect(page.get_by_role("button", name="Unlock for $4.50")).to_be_visible()
        screenshot(page, "thread-768")
        box = page.locator(".thread").bounding_box()
        assert box["width"] <= 768
    finally:
        close_context(context)
