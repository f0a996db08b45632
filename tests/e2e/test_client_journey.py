"""The client's journey on a phone (issue #13): the dashboard leads to every past reading and its
transcript. The readings are made with the billing engine's Session driver against the live
server's database, on the test's own clock (as in test_review_from_history.py)."""

import re

from playwright.sync_api import expect

from soulseer import clock
from soulseer.models import ReaderProfile
from soulseer.services.readings import chat
from tests.e2e.conftest import account, sign_in
from tests.readings.conftest import Session, fund

WIDTHS = (390, 768, 1280)


def finished(client, reader, seconds, lines=()):
    """A reading of `seconds`, with chat `lines` ((who, text)...) written while it ran, ended by
    the client and settled, dated now."""
    now = clock.now().replace(microsecond=0)
    with clock.frozen(now):
        fund(client, 2_000, key=f"j{now.timestamp()}-{seconds}")
        session = Session(client, reader, rate=150, origin=now)
        session.accept()
        session.join_both()
        for who, text in lines:
            chat.post_message(session.reading(), who, text)
            session.do(lambda reading: None)
        session.run_until(seconds)
        session.finish(client)
    clock.reset()
    return session.id


def test_the_client_finds_a_reading_and_its_transcript_from_the_dashboard(page, db, make_user, screenshot):
    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = account(make_user, "reader", "luna@example.test", "Luna")
    db.session.add(
        ReaderProfile(
            user_id=reader.id, slug="luna", display_name="Luna Starweaver", rate_chat_cents=150, status="online"
        )
    )
    db.session.commit()
    reading_id = finished(
        client,
        reader,
        154,
        [(client, "Will the new job suit me?"), (reader, "The Eight of Pentacles: yes, with patience.")],
    )
    short_id = finished(client, reader, 16)

    sign_in(page, "nova@example.test")
    page.get_by_role("navigation", name="Main (mobile)").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Hello, Nova")).to_be_visible()
    expect(page.locator(".balance-amount")).to_have_text("$35.75")  # 40.00 - 3.85 - 0.40 (ceil(16 × 150 / 60))
    readings = page.locator(".reading-item")
    expect(readings).to_have_count(2)
    short, reading = readings.filter(has_text="0:16"), readings.filter(has_text="2:34")
    expect(short).to_contain_text("Readings shorter than one billed minute cannot be reviewed.")
    expect(short.get_by_role("link", name="Leave a review")).to_have_count(0)
    expect(reading).to_contain_text("Luna Starweaver")
    expect(reading).to_contain_text("$3.85")
    expect(reading.get_by_role("link", name="Leave a review")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        screenshot(page, f"dashboard-{width}")
    page.set_viewport_size({"width": 390, "height": 844})

    reading.get_by_role("link", name="Transcript").click()
    expect(page).to_have_url(re.compile(rf"/readings/{reading_id}/transcript$"))
    lines = page.locator(".chat-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Will the new job suit me?")
    expect(lines.nth(1)).to_contain_text("The Eight of Pentacles: yes, with patience.")
    screenshot(page, "transcript")
    assert short_id != reading_id
    assert page.watched.problems() == []
