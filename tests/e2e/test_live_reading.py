"""Two people on phones do a paid chat reading: the client asks, the reader (on their dashboard)
gets the alert and accepts, both land in the room, chat, the meter runs (a billed "minute" is 6 s
here), the client ends; the summary shows the cost, the reader's the earnings, and the ledger
agrees to the cent. Also: nobody answers and the client is told."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import accounts, operations
from soulseer.models import ReaderProfile
from soulseer.models.reading import Reading
from soulseer.money import format_cents
from soulseer.services import passwords, wallet
from tests.conftest import LIVE_REDIS_URL
from tests.e2e.conftest import PASSWORD, Watched, _new_page, sign_in
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def reading_server(app):
    """Minutes of 6 seconds and requests that expire after 8, so the stories run in seconds."""
    server = LiveServer(
        env={
            "REDIS_URL": LIVE_REDIS_URL,
            "SOULSEER_MINUTE_SECONDS": "6",
            "SOULSEER_REQUEST_TIMEOUT_SECONDS": "8",
        }
    ).start()
    yield server
    server.stop()


@pytest.fixture
def two_phones(browser, reading_server):
    opened = []

    def phone():
        context, page = _new_page(browser, reading_server)
        page.watched = Watched(page)
        opened.append(context)
        return page

    yield phone(), phone()
    for context in opened:
        context.close()


def account(make_user, role, email, name):
    return make_user(
        role=role,
        email=email,
        display_name=name,
        consented=True,
        password_hash=passwords.hash_password(PASSWORD),
        email_verified_at=clock.now(),
    )


@pytest.fixture
def nova_and_luna(make_user):
    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = account(make_user, "reader", "luna@example.test", "Luna")
    db.session.add(
        ReaderProfile(
            user_id=reader.id,
            slug="luna",
            display_name="Luna",
            rate_chat_cents=150,
            status="online",
            bio="I read tarot gently and honestly for people at a crossroads in love and work.",
        )
    )
    operations.credit_topup(client, 2000, f"topup:e2e:{client.id}", ("topup", client.id))
    db.session.commit()
    return client, reader


def test_a_paid_chat_reading_from_request_to_summary(two_phones, nova_and_luna, screenshot):
    client, reader = nova_and_luna
    phone, reader_phone = two_phones
    before = wallet.balance(client)

    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    expect(reader_phone.get_by_role("heading", name="Reading requests")).to_be_visible()

    sign_in(phone, "nova@example.test")
    phone.goto("/readings/new?reader=luna")
    phone.get_by_role("button", name="Start chat · $1.50/min").click()
    expect(phone).to_have_url(re.compile(r"/readings/\d+$"))
    reading_id = int(phone.url.rsplit("/", 1)[1])
    expect(phone.get_by_text("Waiting for Luna to accept…")).to_be_visible()

    # The reader's dashboard shows the alert without a reload.
    alert = reader_phone.get_by_role("alertdialog")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Nova wants a chat reading")
    expect(alert).to_contain_text("$1.50 per minute")
    expect(alert).not_to_contain_text("nova@example.test")
    screenshot(reader_phone, "alert")
    alert.get_by_role("button", name="Accept").click()

    # Both are in the room.
    expect(reader_phone).to_have_url(re.compile(rf"/readings/{reading_id}$"))
    expect(reader_phone.get_by_role("heading", name="Chat reading")).to_be_visible()
    expect(phone.get_by_role("heading", name="Chat reading")).to_be_visible(timeout=15_000)
    expect(phone.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
    expect(reader_phone.get_by_text("Nova: connected")).to_be_visible(timeout=15_000)

    phone.get_by_label("Message").fill("Hello Luna, what do the cards say?")
    phone.get_by_role("button", name="Send").click()
    expect(reader_phone.locator(".chat-line").filter(has_text="what do the cards say")).to_contain_text("Nova")
    reader_phone.get_by_label("Message").fill("The Star: hope <and> renewal.")
    reader_phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".chat-line").filter(has_text="The Star: hope <and> renewal.")).to_be_visible()
    expect(phone.get_by_label("Message")).to_have_value("")

    # The meter runs (a minute is 6 s here): past the first minute.
    expect(phone.locator("[data-clock]")).to_have_text(re.compile(r"00:(0[8-9]|[1-5]\d)"), timeout=20_000)
    screenshot(phone, "room")

    phone.get_by_text("End reading").click()
    phone.get_by_role("button", name="Yes, end the reading").click()
    expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
    expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)

    db.session.expire_all()
    reading = db.session.get(Reading, reading_id)
    assert reading.state == "finalized" and reading.cost_cents > 0
    seconds = reading.metered_ms // 1000
    assert reading.cost_cents == (seconds * 150 + 5) // 6
    earnings = reading.cost_cents * 7000 // 10000
    assert reading.reader_earnings_cents == earnings
    assert wallet.balance(client) == before - reading.cost_cents
    assert accounts.reader_earnings(reader).balance == earnings

    expect(phone.locator(".summary-cost")).to_have_text(format_cents(reading.cost_cents))
    expect(phone.locator(".summary-duration")).to_have_text(f"{seconds // 60:02d}:{seconds % 60:02d}")
    expect(reader_phone.locator(".summary-earnings")).to_have_text(format_cents(earnings))
    screenshot(phone, "summary")
    screenshot(reader_phone, "reader-summary")

    phone.get_by_role("link", name=re.compile("Transcript")).click()
    expect(phone.locator(".chat-line")).to_have_count(2)
    assert db.session.execute(sa.select(ReaderProfile.status).filter_by(slug="luna")).scalar() == "online"
    for page in (phone, reader_phone):
        assert page.watched.problems() == []


def test_nobody_answers_and_the_client_is_told(two_phones, nova_and_luna, screenshot):
    phone, reader_phone = two_phones
    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    sign_in(phone, "nova@example.test")
    phone.goto("/readings/new?reader=luna")
    phone.get_by_role("button", name="Start chat · $1.50/min").click()
    expect(phone.get_by_text("Waiting for Luna to accept…")).to_be_visible()
    expect(reader_phone.get_by_role("alertdialog")).to_be_visible()
    # The request times out after 8 s here; the tick runs every 5 s.
    expect(phone.get_by_text("Luna did not answer in time.")).to_be_visible(timeout=25_000)
    expect(phone.get_by_role("link", name="Choose another reader")).to_be_visible()
    expect(reader_phone.get_by_role("alertdialog")).to_have_count(0)
    screenshot(phone, "told")
    for page in (phone, reader_phone):
        assert page.watched.problems() == []


def into_the_room(phone, reader_phone):
    """Nova asks Luna for a chat; Luna accepts from her dashboard; both are connected."""
    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    sign_in(phone, "nova@example.test")
    phone.goto("/readings/new?reader=luna")
    phone.get_by_role("button", name="Start chat · $1.50/min").click()
    expect(phone).to_have_url(re.compile(r"/readings/\d+$"))
    reader_phone.get_by_role("alertdialog").get_by_role("button", name="Accept").click()
    expect(phone.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
    expect(reader_phone.get_by_text("Nova: connected")).to_be_visible(timeout=15_000)
    return int(phone.url.rsplit("/", 1)[1])


def test_the_reader_leaves_mid_reading_and_comes_back(two_phones, nova_and_luna, screenshot):
    phone, reader_phone = two_phones
    reading_id = into_the_room(phone, reader_phone)
    expect(phone.locator("[data-clock]")).to_have_text(re.compile(r"00:0[3-9]|00:[1-5]\d"), timeout=15_000)

    # The reader's tab goes away (pagehide sends the leave beacon): the meter stops at once.
    reader_phone.goto("about:blank")
    expect(phone.get_by_text("Luna: reconnecting…")).to_be_visible(timeout=10_000)
    expect(phone.get_by_text("The meter is stopped until you are both connected again.")).to_be_visible()
    screenshot(phone, "reconnecting")
    db.session.expire_all()
    paused = db.session.get(Reading, reading_id)
    assert (paused.state, paused.pause_reason) == ("paused", "disconnected")
    metered_at_pause = paused.metered_ms
    clock_at_pause = phone.locator("[data-clock]").inner_text()
    phone.wait_for_timeout(3000)
    expect(phone.locator("[data-clock]")).to_have_text(clock_at_pause)  # the clock does not run

    # Back within the grace period: the reading resumes by itself.
    reader_phone.goto(f"/readings/{reading_id}")
    expect(phone.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
    expect(reader_phone.get_by_text("Nova: connected")).to_be_visible()
    db.session.expire_all()
    resumed = db.session.get(Reading, reading_id)
    assert resumed.state == "active" and resumed.metered_ms == metered_at_pause  # the pause was not metered
    phone.get_by_text("End reading").click()
    phone.get_by_role("button", name="Yes, end the reading").click()
    expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
    assert phone.watched.problems() == []
