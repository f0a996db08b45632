"""Moderation in the browser: a client reports a review from a reader's page on a phone (the form
opens in place, a too-short note is refused in place, then the thanks); an admin works the queue
on a laptop (the items in order, a review hidden with a reason and shown again, a screened chat
line with its phone number marked, dismissed; the decisions in the audit log)."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Watched, _new_page, account, close_context, online_luna, sign_in

LAPTOP = {"width": 1280, "height": 800}


def reviewed_luna(make_user, db):
    """Luna with a finished reading by Nova and Nova's one-star review."""
    from soulseer.models import Review
    from soulseer.services.readings import reviews
    from tests.moderation.conftest import make_reading

    luna = online_luna(make_user)
    nova = account(make_user, "client", "nova@example.test", "Nova")
    reading = make_reading(nova, luna)
    review = Review(reading_id=reading.id, client_id=nova.id, reader_id=luna.id, stars=1,
                    body="Total fraud, she is a liar and everyone should know it.")  # fmt: skip
    db.session.add(review)
    db.session.flush()
    reviews.refresh_rating(luna.id)
    db.session.commit()
    return luna, nova, reading, review


def test_a_client_reports_a_review_on_a_phone(page, make_user, db, screenshot):
    from soulseer.models import Flag

    reviewed_luna(make_user, db)
    account(make_user, "client", "cleo@example.test", "Cleo")
    sign_in(page, "cleo@example.test")
    page.goto("/readers/luna")
    review = page.locator(".review-list .review").first
    expect(review).to_contain_text("Total fraud")
    page.evaluate("window.__samePage = true")
    review.get_by_role("link", name="Report this review").click()
    form = review.locator("form.report-form")
    expect(form).to_be_visible()
    expect(form.get_by_text("Report this review")).to_be_visible()
    form.get_by_label("Rude, hateful or inappropriate").check()
    form.get_by_label("Tell us what happened").fill("Bad")
    form.get_by_role("button", name="Send the report").click()
    expect(form.get_by_text("Tell us what happened in 5 to 1000 characters.")).to_be_visible()
    screenshot(page, "refused-in-place")
    form.get_by_label("Tell us what happened").fill("Calls the reader a liar and a fraud, with no details.")
    form.get_by_role("button", name="Send the report").click()
    expect(review.get_by_role("status")).to_have_text(re.compile("Thank you. Your report is with SoulSeer"))
    assert page.evaluate("window.__samePage") is True  # all in place, no page load
    screenshot(page, "reported")
    box = page.locator(".review-list .review").first.bounding_box()
    assert box["width"] <= 390
    [flag] = db.session.query(Flag).all()
    assert (flag.reason, flag.item.kind) == ("inappropriate", "review")
    assert page.watched.problems() == []


def test_an_admin_works_the_moderation_queue_on_a_laptop(browser, live_server, make_user, db, screenshot):
    from soulseer.services.moderation import automatic, flags
    from tests.moderation.conftest import chat_line

    luna, nova, reading, review = reviewed_luna(make_user, db)
    cleo = account(make_user, "client", "cleo@example.test", "Cleo")
    flags.flag(cleo, "review", review.id, "inappropriate", "Calls the reader a liar and a fraud.")
    chat_line(reading, luna, "Welcome, Nova")
    line = chat_line(reading, nova, "Text me at 415 555 2671 instead <3")
    automatic.screen("reading_message", line)
    db.session.commit()
    account(make_user, "admin", "ada@example.test", "Ada")

    context, page = _new_page(browser, live_server, viewport=LAPTOP)
    try:
        page.watched = Watched(page)
        sign_in(page, "ada@example.test")
        page.goto("/admin")
        nav = page.get_by_role("navigation", name="Admin")
        expect(nav.get_by_role("link", name="Moderation")).to_contain_text("2")
        expect(page.locator('[data-figure="open_flags"] .figure-number')).to_have_text("2")
        nav.get_by_role("link", name="Moderation").click()
        rows = page.locator(".moderation-list > li")
        expect(rows).to_have_count(2)
        # Screening found two things in the chat line (score 2); one new account reported the review (1).
        expect(rows.nth(0)).to_contain_text("A chat line by Nova")
        expect(rows.nth(0)).to_contain_text("phone")
        expect(rows.nth(1)).to_contain_text("1-star review by Nova")
        screenshot(page, "queue")

        rows.nth(1).get_by_role("link").click()
        expect(page.get_by_role("heading", name="1-star review by Nova")).to_be_visible()
        expect(page.get_by_text("Calls the reader a liar and a fraud.")).to_be_visible()
        page.get_by_role("button", name="Hide it").click()
        expect(page.get_by_text("Give a reason of 5 to 500 characters.")).to_be_visible()
        page.get_by_label("Why hide it").fill("Personal attack, no account of the reading")
        page.get_by_role("button", name="Hide it").click()
        expect(page.get_by_text("Hidden. The author still sees it, marked hidden.")).to_be_visible()
        expect(page.locator(".visibility")).to_contain_text("Personal attack, no account of the reading")
        screenshot(page, "hidden")
        page.get_by_label("Why show it again").fill("Reader asked us to keep it up")
        page.get_by_role("button", name="Show it again").click()
        expect(page.get_by_text("Shown again.")).to_be_visible()
        expect(page.locator(".visibility")).to_contain_text("Visible")

        page.get_by_role("link", name="← The queue").click()
        expect(page.locator(".moderation-list > li")).to_have_count(1)
        page.locator(".moderation-list > li").first.get_by_role("link").click()
        expect(page.locator(".screened mark")).to_have_text(["Text me", "415 555 2671"])
        expect(page.locator(".context-chat li")).to_have_count(2)
        screenshot(page, "chat-line")
        for width, height in ((768, 1024), (390, 844)):  # a tablet and a phone: nothing runs off the side
            page.set_viewport_size({"width": width, "height": height})
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"chat-line-{width}")
        page.set_viewport_size(LAPTOP)
        page.get_by_label("Why dismiss the reports (optional)").fill("Nova shared her own number; told her")
        page.get_by_role("button", name="Dismiss the reports").click()
        expect(page.get_by_text("Dismissed: the reports are closed.")).to_be_visible()
        expect(nav.get_by_role("link", name="Moderation").locator(".count-badge")).to_have_count(0)

        nav.get_by_role("link", name="Audit log").click()
        for action, reason in (
            ("review.hidden", "Personal attack, no account of the reading"),
            ("review.shown", "Reader asked us to keep it up"),
            ("moderation.dismissed", "Nova shared her own number; told her"),
        ):
            entry = page.locator(".audit-entry", has=page.locator(".row-title", has_text=action))
            expect(entry).to_contain_text("By Ada")
            expect(entry).to_contain_text(f"Reason: {reason}")
        screenshot(page, "audit")
        assert page.watched.problems() == []
    finally:
        close_context(context)
