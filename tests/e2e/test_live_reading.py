"""Two people on phones do a paid chat reading, from the top-up to the review: the client tops up
with a test payment, asks from the reader's page, the reader (on their dashboard) gets the alert
and accepts, both land in the room and chat, the meter runs (a billed "minute" is 10 s here), the
low-balance warning shows to both, the client tops up inside the room without leaving it, then
ends; the summary shows the cost, the reader's the earnings, the ledger agrees to the cent, and
the review written from the summary is on the reader's page. Also: nobody answers and the client
is told; the reader leaves and comes back."""

import math
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer.content_pages import CONTENT_PAGES
from soulseer.extensions import db
from soulseer.ledger import accounts, operations, verify
from soulseer.models import ReaderProfile, Review, Topup
from soulseer.models.reading import Reading, ReadingEvent
from soulseer.money import format_cents
from soulseer.services.core import content
from soulseer.services.payments import wallet
from tests.e2e.conftest import account, end_the_reading, live_server_with, online_luna, sign_in, two_phones_on

# A billed minute of 10 s: the low-balance warning shows for two of them, 20 s, time enough to top up.
MINUTE_SECONDS = 10


@pytest.fixture(scope="module")
def reading_server(app):
    """Minutes of 10 seconds and requests that expire after 8, so the stories run in seconds; the
    room heartbeats every 2 s, so its panel (the low-balance warning) keeps up with such minutes."""
    with live_server_with(
        SOULSEER_MINUTE_SECONDS=str(MINUTE_SECONDS),
        SOULSEER_REQUEST_TIMEOUT_SECONDS="8",
        SOULSEER_HEARTBEAT_SECONDS="2",
    ) as server:
        yield server


@pytest.fixture
def two_phones(browser, reading_server):
    with two_phones_on(browser, reading_server) as phones:
        yield phones


@pytest.fixture
def luna(make_user):
    return online_luna(make_user)


@pytest.fixture
def nova_and_luna(make_user, luna):
    client = account(make_user, "client", "nova@example.test", "Nova")
    operations.credit_topup(client, 2000, f"topup:e2e:{client.id}", ("topup", client.id))
    db.session.commit()
    return client, luna


def test_a_paid_chat_reading_from_top_up_to_review(two_phones, make_user, luna, screenshot):
    client = account(make_user, "client", "nova@example.test", "Nova")
    reader = luna
    content.seed_pages(CONTENT_PAGES)
    phone, reader_phone = two_phones

    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    expect(reader_phone.get_by_role("heading", name="Reading requests")).to_be_visible()

    # Nova tops up $6.00 with a test payment: four minutes at Luna's $1.50 (three are needed).
    sign_in(phone, "nova@example.test")
    phone.goto("/wallet")
    phone.get_by_role("link", name="Add money").click()
    phone.get_by_label("Other amount").fill("6")
    phone.get_by_role("button", name="Continue to payment").click()
    phone.get_by_role("button", name="Pay (test)").click()
    expect(phone.get_by_role("heading", name="$6.00 added to your wallet")).to_be_visible(timeout=20_000)

    # From Luna's page: the request form, with how billing works a tap away.
    phone.goto("/readers/luna")
    request_form = phone.locator("#reading-request")
    expect(request_form.get_by_role("link", name="How billing works")).to_be_visible()
    expect(request_form).to_contain_text("yours is $6.00")
    request_form.get_by_role("button", name="Chat now · $1.50/min").click()
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
    phone.evaluate("window.__stayedInTheRoom = true")  # gone if the page reloads or navigates

    # Minute 2 is reserved ahead of the first one's end, which changes nothing the panel says: the
    # heartbeat is answered 204 with the meter's new limit, the page's clock takes it and runs on.
    with phone.expect_response(
        lambda answer: (
            answer.url.endswith("/heartbeat")
            and answer.status == 204
            and int(answer.headers.get("x-limit-ms", "0")) >= 2 * MINUTE_SECONDS * 1000
        ),
        timeout=30_000,
    ) as heartbeat:
        pass
    limit = heartbeat.value.headers["x-limit-ms"]
    # At once: the page asks for its panel only 2 s after its clock reached the old limit.
    expect(phone.locator(".reading-status")).to_have_attribute("data-limit-ms", limit, timeout=1_500)
    expect(phone.locator("[data-clock]")).to_have_text(re.compile(r"00:(1[2-9]|[2-5]\d)"), timeout=15_000)

    phone.get_by_label("Message").fill("Hello Luna, what do the cards say?")
    phone.get_by_role("button", name="Send").click()
    expect(reader_phone.locator(".chat-line").filter(has_text="what do the cards say")).to_contain_text("Nova")
    reader_phone.get_by_label("Message").fill("The Star: hope <and> renewal.")
    reader_phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".chat-line").filter(has_text="The Star: hope <and> renewal.")).to_be_visible()
    expect(phone.get_by_label("Message")).to_have_value("")

    # Two of the four minutes gone, less than two left: both are warned, the client is offered a top-up.
    warning = phone.locator(".low-balance")
    expect(warning).to_contain_text("Less than 2 minutes of balance left.", timeout=30_000)
    expect(reader_phone.locator(".low-balance")).to_contain_text("Nova has less than 2 minutes of balance left.")
    assert int(phone.locator("[data-balance]").get_attribute("data-balance")) < 2 * 150
    # The room shows one balance, its own (the wallet plus the unused reservation): the site's header,
    # with the wallet's badge, is not shown in the room (issue #13: an app screen).
    expect(phone.locator("#balance-badge")).to_have_count(0)
    expect(phone.locator("[data-balance]")).to_have_count(1)
    screenshot(phone, "low-balance")
    screenshot(reader_phone, "reader-low-balance")

    # The top-up happens in the room: the TEST checkout opens under the panel, the reading runs on.
    warning.get_by_role("link", name="Top up here").click()
    topup = phone.locator("#room-topup")
    expect(topup).to_have_attribute("open", "")
    topup.get_by_label("$10", exact=True).check()
    topup.get_by_role("button", name="Continue to payment").click()
    expect(topup.get_by_text("TEST", exact=True)).to_be_visible()
    expect(topup.locator(".checkout-amount")).to_have_text("$10.00")
    screenshot(phone, "room-topup")
    topup.get_by_role("button", name="Pay (test)").click()
    expect(topup.get_by_role("heading", name="$10.00 added to your wallet")).to_be_visible(timeout=20_000)
    expect(warning).to_have_count(0)  # the room asked for its panel as soon as the money came
    assert int(phone.locator("[data-balance]").get_attribute("data-balance")) > 1000
    expect(phone.locator(".meter-clock")).to_be_visible()
    assert phone.evaluate("window.__stayedInTheRoom") is True and phone.url.endswith(f"/readings/{reading_id}")
    expect(reader_phone.locator(".low-balance")).to_have_count(0, timeout=10_000)
    db.session.expire_all()
    running = db.session.get(Reading, reading_id)
    assert running.state == "active" and running.minutes_reserved >= 3
    assert [t.amount_cents for t in db.session.query(Topup).order_by(Topup.id)] == [600, 1000]
    screenshot(phone, "room-topped-up")

    end_the_reading(phone)
    expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
    expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)

    # The money, to the cent: cost = ceil(seconds × rate / minute), with the minute shortened here.
    db.session.expire_all()
    reading = db.session.get(Reading, reading_id)
    assert reading.state == "finalized" and reading.end_reason == "completed_by_client"
    assert funds_pauses(reading_id) == 0  # topped up before running out
    seconds = reading.metered_ms // 1000
    assert reading.cost_cents == math.ceil(seconds * 150 / MINUTE_SECONDS) and reading.cost_cents > 2 * 150
    earnings = reading.cost_cents * 7000 // 10000
    assert reading.reader_earnings_cents == earnings
    assert wallet.balance(client) == 600 + 1000 - reading.cost_cents
    assert accounts.reader_earnings(reader).balance == earnings
    assert all(check.ok for check in verify.run())

    expect(phone.locator(".summary-cost")).to_have_text(format_cents(reading.cost_cents))
    expect(phone.locator(".summary-duration")).to_have_text(f"{seconds // 60:02d}:{seconds % 60:02d}")
    expect(reader_phone.locator(".summary-earnings")).to_have_text(format_cents(earnings))
    screenshot(phone, "summary")
    screenshot(reader_phone, "reader-summary")
    assert db.session.execute(sa.select(ReaderProfile.status).filter_by(slug="luna")).scalar() == "online"

    phone.get_by_role("link", name=re.compile("Transcript")).click()
    expect(phone.locator(".chat-line")).to_have_count(2)
    phone.go_back()

    # The review, from the summary, then on Luna's page.
    phone.get_by_role("link", name="Leave a review").click()
    expect(phone).to_have_url(re.compile(rf"/readings/{reading_id}/review$"))
    phone.get_by_text("5 stars").click()
    phone.get_by_label("Your review (optional)").fill("Luna read the Star for me, and it was spot on.")
    phone.get_by_role("button", name="Publish the review").click()
    expect(phone.get_by_text("Thank you: your review is on the reader's page.")).to_be_visible()
    review = db.session.execute(sa.select(Review).filter_by(reading_id=reading_id)).scalar_one()
    assert (review.stars, review.client_id, review.reader_id) == (5, client.id, reader.id)
    phone.goto("/readers/luna")
    expect(phone.locator(".reader-page .review-list")).to_contain_text("Luna read the Star for me, and it was spot on.")
    expect(phone.locator(".reader-page")).to_contain_text("5.0")
    screenshot(phone, "reader-page-review")
    for page in (phone, reader_phone):
        assert page.watched.problems() == []


def funds_pauses(reading_id):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ReadingEvent).filter_by(reading_id=reading_id, reason="funds")
    )


def test_nobody_answers_and_the_client_is_told(two_phones, nova_and_luna, screenshot):
    phone, reader_phone = two_phones
    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    sign_in(phone, "nova@example.test")
    phone.goto("/readings/new?reader=luna")
    phone.get_by_role("button", name="Chat now · $1.50/min").click()
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
    phone.get_by_role("button", name="Chat now · $1.50/min").click()
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
    end_the_reading(phone)
    expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
    assert phone.watched.problems() == []
