"""A client with a finished reading opens their history on a phone, leaves a five-star review, and
finds it on the reader's page; an admin opens the reading's full record. The reading itself is
made with the billing engine's Session driver against the live server's database."""

import re

from playwright.sync_api import expect

from soulseer import clock
from soulseer.models import ReaderProfile
from tests.e2e.conftest import account, sign_in
from tests.readings.conftest import Session, fund


def test_client_reviews_a_reading_from_their_history(page, second_page, db, make_user, screenshot):
    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = account(make_user, "reader", "luna@example.test", "Luna")
    admin = account(make_user, "admin", "ada@example.test", "Ada")
    db.session.add(ReaderProfile(user_id=reader.id, slug="luna", display_name="Luna Starling", rate_chat_cents=150))
    db.session.commit()
    # The reading happens now, on the test's own clock: the live server's billing tick runs on the
    # real clock, and a reading dated in the past would look silent for days to it and be ended
    # under the test's hands (and a past date would one day close the review window).
    now = clock.now().replace(microsecond=0)
    with clock.frozen(now):
        fund(client, 2_000)
        session = Session(client, reader, rate=150, origin=now)
        session.accept()
        session.join_both()
        session.run_until(154)
        session.finish(client)
    clock.reset()

    sign_in(page, "nova@example.test")
    page.goto("/readings/history")
    item = page.locator(".reading-item").first
    expect(item).to_contain_text("Luna Starling")
    expect(item).to_contain_text("2:34")
    expect(item).to_contain_text("$3.85")  # ceil(154 × 150 / 60)
    screenshot(page, "history")
    item.get_by_role("link", name="Leave a review").click()

    expect(page).to_have_url(re.compile(rf"/readings/{session.id}/review$"))
    expect(page.get_by_role("heading", name="Your reading with Luna Starling")).to_be_visible()
    page.get_by_text("5 stars").click()
    page.get_by_label("Your review (optional)").fill("Luna saw straight to the heart of it.\nThank you.")
    screenshot(page, "review-form")
    page.get_by_role("button", name="Publish the review").click()

    expect(page).to_have_url(re.compile(r"/readings/history$"))
    expect(page.get_by_text("Thank you: your review is on the reader's page.")).to_be_visible()
    expect(page.locator(".reading-item").first.get_by_role("link", name=re.compile("5 out of 5"))).to_be_visible()
    expect(page.get_by_role("link", name="Leave a review")).to_have_count(0)
    screenshot(page, "history-reviewed")

    page.goto("/readers/luna")
    reviews = page.locator(".reader-page .review-list")
    expect(reviews).to_contain_text("Luna saw straight to the heart of it.")
    expect(page.locator(".reader-page")).to_contain_text("5.0")
    screenshot(page, "reader-page")
    assert page.watched.problems() == []

    sign_in(second_page, "ada@example.test")
    second_page.set_viewport_size({"width": 1280, "height": 900})
    second_page.goto(f"/admin/readings/{session.id}")
    expect(second_page.get_by_role("heading", name="State changes")).to_be_visible()
    expect(second_page.locator("body")).to_contain_text("hold settle")
    screenshot(second_page, "admin-record")
    second_page.set_viewport_size({"width": 390, "height": 844})
    screenshot(second_page, "admin-record-phone")
    assert second_page.watched.problems() == []
    assert admin.id
