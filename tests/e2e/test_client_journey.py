"""The client's journey on a phone (issue #13): the dashboard leads to every past reading and its
transcript. The readings are made with the billing engine's Session driver against the live
server's database, on the test's own clock (as in test_review_from_history.py)."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import LedgerAccount, accounts, operations, reads
from soulseer.models import ReaderProfile
from soulseer.models.reading import Reading
from soulseer.services.readings import chat
from tests.e2e.conftest import account, end_the_reading, live_server_with, online_luna, sign_in, two_phones_on
from tests.readings.conftest import Session, fund

# Billed minutes of 10 s on the room's server, so minutes are reserved while the story runs.
MINUTE_SECONDS = 10

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

    # The wallet, from the dashboard: one line per reading, its ledger lines a tap away.
    page.go_back()
    page.get_by_role("link", name="Wallet history").click()
    lines = page.locator(".ledger-line")
    expect(lines).to_have_count(4)  # two top-ups, two readings
    reading_line = lines.filter(has_text="Reading with Luna Starweaver · 2:34")
    expect(reading_line.locator(".ledger-amount").first).to_have_text("-$3.85")
    reading_line.get_by_text("ledger lines").click()
    expect(reading_line.locator(".ledger-entries li")).to_have_count(4)  # 3 minutes reserved, 1 release
    expect(lines.filter(has_text="Reading with Luna Starweaver · 0:16").locator(".ledger-amount").first).to_have_text(
        "-$0.40"
    )
    screenshot(page, "wallet")
    assert page.watched.problems() == []


@pytest.fixture(scope="module")
def room_server(app):
    with live_server_with(SOULSEER_MINUTE_SECONDS=str(MINUTE_SECONDS), SOULSEER_HEARTBEAT_SECONDS="2") as server:
        yield server


def in_viewport(page, selector):
    """Whether the element is entirely on the screen."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
        }""",
        selector,
    )


FIGURES = "['[data-cost]', '[data-balance]'].map((figure) => document.querySelector(figure).textContent)"


def cents(text):
    return int(text.strip().replace("$", "").replace(",", "").replace(".", ""))


def into_the_room(phone, reader_phone):
    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    sign_in(phone, "nova@example.test")
    phone.goto("/readings/new?reader=luna")
    phone.locator("#reading-request").get_by_role("button", name="Chat now · $1.50/min").click()
    expect(phone).to_have_url(re.compile(r"/readings/\d+$"))
    reader_phone.get_by_role("alertdialog").get_by_role("button", name="Accept").click()
    expect(phone.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
    expect(reader_phone.get_by_text("Nova: connected")).to_be_visible(timeout=15_000)
    return int(phone.url.rsplit("/", 1)[1])


def test_the_room_keeps_the_meter_and_composer_on_screen_and_cost_plus_balance_is_the_wallet(
    browser, room_server, make_user, screenshot
):
    client = account(make_user, "client", "nova@example.test", "Nova")
    online_luna(make_user)
    operations.credit_topup(client, 2000, f"topup:journey:{client.id}", ("topup", client.id))
    database.session.commit()
    with two_phones_on(browser, room_server) as (phone, reader_phone):
        reading_id = into_the_room(phone, reader_phone)
        phone.evaluate("window.__stayedInTheRoom = true")
        # No site navigation while the reading is open.
        for page in (phone, reader_phone):
            expect(page.locator(".bottom-nav, .site-header, .site-footer")).to_have_count(0)

        # 30 messages, 15 each way; after each, the meter and the composer are on the screen. A line a
        # second at most from each: the chat allows 10 per 10 s per person (docs/readings.md).
        for n in range(15):
            phone.wait_for_timeout(1_000)
            for sender, receiver, text in (
                (phone, reader_phone, f"Question {n}"),
                (reader_phone, phone, f"Answer {n}"),
            ):
                sender.get_by_label("Message").fill(text)
                if n % 2:
                    sender.get_by_label("Message").press("Enter")  # Enter sends on a laptop-like pointer
                else:
                    sender.get_by_role("button", name="Send").click()
                # The body alone, whole: a line's text runs into its time ("Question 1" + "06:19"
                # reads "Question 106:19"), so "Question 10" would also find "Question 1" before 10:00.
                expect(receiver.locator(".chat-body").filter(has_text=re.compile(f"^{text}$"))).to_have_count(1)
            for page in (phone, reader_phone):
                assert in_viewport(page, ".meter") and in_viewport(page, "#chat-body"), n
        expect(phone.locator(".chat-line")).to_have_count(30)
        assert in_viewport(phone, ".chat-line:last-child")  # the newest line is shown
        # Shift+Enter is a new line, not a message.
        phone.get_by_label("Message").fill("two")
        phone.get_by_label("Message").press("Shift+Enter")
        expect(phone.get_by_label("Message")).to_have_value("two\n")
        phone.get_by_label("Message").fill("")
        screenshot(phone, "room-30-messages")
        screenshot(reader_phone, "reader-room-30-messages")

        # Cost + balance, read together on the page, equal the client's money in the ledger (the
        # wallet and the minutes reserved), at five instants; minutes are reserved meanwhile.
        # The wallet and the reading's hold are read in one statement (one snapshot): a minute
        # reserved between two reads would move money from one to the other unseen.
        codes = [accounts.wallet_spec(client)[0], accounts.hold_spec("reading", reading_id, client)[0]]
        in_ledger = sa.select(sa.func.sum(LedgerAccount.balance)).where(LedgerAccount.code.in_(codes))
        for instant in range(5):
            cost, balance = phone.evaluate(FIGURES)
            database.session.rollback()
            assert cents(cost) + cents(balance) == database.session.scalar(in_ledger) == 2000, (instant, cost, balance)
            assert cents(cost) > 0
            phone.wait_for_timeout(2_300)
        database.session.expire_all()
        assert database.session.get(Reading, reading_id).minutes_reserved >= 2

        # End, then Keep reading: the reading goes on.
        phone.locator(".room-end > summary").click()
        confirm = phone.get_by_role("dialog", name="End the reading?")
        expect(confirm).to_be_visible()
        expect(confirm.get_by_role("button", name="Keep reading")).to_be_focused()
        screenshot(phone, "end-confirm")
        # Tab and Shift+Tab go round the dialog's two buttons, never behind it; Escape closes it
        # and gives the focus back to End.
        end_now = confirm.get_by_role("button", name="End", exact=True)
        keep = confirm.get_by_role("button", name="Keep reading")
        for key, focused in (("Tab", end_now), ("Tab", keep), ("Shift+Tab", end_now), ("Shift+Tab", keep)):
            phone.keyboard.press(key)
            expect(focused).to_be_focused()
        phone.keyboard.press("Escape")
        expect(confirm).to_be_hidden()
        expect(phone.locator(".room-end > summary")).to_be_focused()
        phone.locator(".room-end > summary").click()
        expect(confirm).to_be_visible()
        confirm.get_by_role("button", name="Keep reading").click()
        expect(confirm).to_be_hidden()
        clock_before = phone.locator("[data-clock]").inner_text()
        expect(phone.locator("[data-clock]")).not_to_have_text(clock_before, timeout=5_000)
        database.session.expire_all()
        assert database.session.get(Reading, reading_id).state == "active"

        # Leave asks first; Stay keeps the room.
        phone.locator(".room-leave > summary").click()
        leave = phone.get_by_role("dialog", name="Leave the room?")
        expect(leave).to_contain_text("The meter stops while you are away.")
        leave.get_by_role("button", name="Stay").click()
        expect(leave).to_be_hidden()
        assert phone.evaluate("window.__stayedInTheRoom") is True

        for width in (768, 1280):
            phone.set_viewport_size({"width": width, "height": 844})
            screenshot(phone, f"room-{width}")
        phone.set_viewport_size({"width": 390, "height": 844})

        end_the_reading(phone)
        expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
        expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)
        expect(reader_phone.get_by_text("You are online again: new requests reach you.")).to_be_visible()
        expect(reader_phone.get_by_role("link", name="Back to your dashboard")).to_be_visible()
        screenshot(reader_phone, "reader-summary")
        for page in (phone, reader_phone):
            assert page.watched.problems() == []


def test_a_16_second_reading_offers_no_review_and_says_why(browser, live_server, make_user, screenshot):
    client = account(make_user, "client", "nova@example.test", "Nova")
    online_luna(make_user)
    operations.credit_topup(client, 2000, f"topup:journey:{client.id}", ("topup", client.id))
    database.session.commit()
    with two_phones_on(browser, live_server) as (phone, reader_phone):
        reading_id = into_the_room(phone, reader_phone)
        expect(phone.locator("[data-clock]")).to_have_text("00:16", timeout=30_000)
        end_the_reading(phone)
        expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
        expect(phone.get_by_text("Readings shorter than one billed minute cannot be reviewed.")).to_be_visible()
        expect(phone.get_by_role("link", name="Leave a review")).to_have_count(0)
        expect(phone.locator(".bottom-nav")).to_be_visible()  # the site's navigation is back
        database.session.expire_all()
        reading = database.session.get(Reading, reading_id)
        assert reading.state == "finalized" and 16_000 <= reading.metered_ms < 60_000
        screenshot(phone, "short-summary")
        # The reader's room becomes her summary by itself: wait for it before reading her page.
        expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)
        for page in (phone, reader_phone):
            assert page.watched.problems() == []


def test_a_new_client_finds_an_online_reader_tops_up_in_place_and_is_in_the_room(
    browser, room_server, make_user, screenshot
):
    """From the readers list to a running reading: the reader on the first screen, "Chat now" with
    too little balance, the top-up right there, and the same request going by itself."""
    client = account(make_user, "client", "nova@example.test", "Nova")
    online_luna(make_user)
    operations.credit_topup(client, 200, f"topup:journey:{client.id}", ("topup", client.id))  # < 3 min
    database.session.commit()
    with two_phones_on(browser, room_server) as (phone, reader_phone):
        sign_in(reader_phone, "luna@example.test")
        reader_phone.goto("/reader")
        sign_in(phone, "nova@example.test")
        phone.get_by_role("navigation", name="Main (mobile)").get_by_role("link", name="Readers").click()
        phone.locator(".chip-check").filter(has_text="Online now").click()
        expect(phone).to_have_url(re.compile(r"/readers\?online=1$"))
        card = phone.locator(".reader-card").filter(has_text="Luna")
        expect(card).to_be_in_viewport(ratio=1)
        screenshot(phone, "find")
        card.get_by_role("link", name="Luna").click()

        # The reader's page: "Chat now" on the first screen, and still there further down.
        start = phone.get_by_role("button", name="Chat now · $1.50/min")
        expect(start).to_be_in_viewport(ratio=1)
        expect(phone.get_by_text("Set a limit")).to_be_visible()
        expect(phone.get_by_label("Most this reading may cost, in dollars")).to_be_hidden()
        phone.mouse.wheel(0, 1500)
        phone.wait_for_timeout(300)
        expect(start).to_be_in_viewport(ratio=1)  # sticky
        screenshot(phone, "reader-page")
        phone.evaluate("window.__stayed = true")
        start.click()  # tap one

        # Too little: the top-up opens right here; the request waits for the money.
        panel = phone.locator("#reading-request")
        expect(panel).to_contain_text("You need at least 3 minutes of balance to start.")
        expect(panel).to_contain_text("your chat request goes to Luna as soon as it is in")
        panel.get_by_label("$10", exact=True).check()
        panel.get_by_role("button", name="Continue to payment").click()
        screenshot(phone, "top-up-in-place")
        panel.get_by_role("button", name="Pay (test)").click()  # tap two, on the payment
        expect(phone).to_have_url(re.compile(r"/readings/\d+$"), timeout=20_000)
        reading_id = int(phone.url.rsplit("/", 1)[1])
        expect(phone.get_by_text("Waiting for Luna to accept…")).to_be_visible()
        database.session.expire_all()
        reading = database.session.get(Reading, reading_id)
        assert (reading.client_id, reading.mode, reading.state) == (client.id, "chat", "requested")
        assert reads.balance(accounts.wallet_spec(client)) == 1200

        reader_phone.get_by_role("alertdialog").get_by_role("button", name="Accept").click()
        expect(phone.get_by_text("Luna: connected")).to_be_visible(timeout=15_000)
        expect(phone.locator("[data-clock]")).not_to_have_text("00:00", timeout=10_000)
        screenshot(phone, "in-the-room")
        end_the_reading(phone)
        expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
        expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)
        for page in (phone, reader_phone):
            assert page.watched.problems() == []
