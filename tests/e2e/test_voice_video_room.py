"""Voice and video, tested on our side of the network: the live server runs with Agora configured
(an app id and certificate of Agora's shape), Chromium has fake camera and microphone, and every
request to another host than ours (Agora's gateways and stats collectors) is refused by the
browser, as when Agora cannot be reached. A client asks a reader for a video reading from the
reader's page; in both rooms the page loads the vendored Agora Web SDK, fetches its own token,
and asks Agora's gateway to join the reading's channel with it (the refused request carries the
channel, uid and token); the join cannot succeed, so the page says the call could not start,
stops retrying, offers to try again, and the chat and the meter go on to the bill. Without Agora,
the reader's page offers chat only and says why. A real call needs Agora's network (docs/readings.md)."""

import hashlib
import json
import math
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from soulseer.extensions import db
from soulseer.ledger import operations
from soulseer.models.reading import Reading, ReadingMessage
from soulseer.money import format_cents
from soulseer.services.payments import wallet
from tests.e2e.conftest import AGORA, account, end_the_reading, live_server_with, online_luna, sign_in, two_phones_on

APP_ID = AGORA["AGORA_APP_ID"]
MINUTE_SECONDS = 10
VIDEO_CENTS = 300
VENDOR = Path(__file__).resolve().parents[2] / "soulseer" / "static" / "vendor"
NO_AV_HINT = "Voice and video readings are not available yet: this site has not set up its voice and video service."
CALL_FAILED = "The call could not start. The call service did not answer."


def vendored_sdk():
    """(URL path, sha256) of the Agora Web SDK, from the agora-rtc-sdk-ng row of VENDOR.md."""
    for line in (VENDOR / "VENDOR.md").read_text().splitlines():
        if line.startswith("| `agora-rtc-sdk-ng` |"):
            cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
            return f"/static/vendor/{cells[3]}", cells[4]
    raise AssertionError("VENDOR.md has no agora-rtc-sdk-ng row")


@pytest.fixture(scope="module")
def agora_server(app):
    """Agora configured; minutes of 10 s and heartbeats every 2 s, so the meter is seen to run."""
    with live_server_with(
        SOULSEER_MINUTE_SECONDS=str(MINUTE_SECONDS), SOULSEER_HEARTBEAT_SECONDS="2", **AGORA
    ) as server:
        yield server


@pytest.fixture
def two_phones(media_browser, agora_server):
    """Two people on phones; whatever is not our server (Agora, by host) is refused and recorded
    in page.refused as (url, body)."""
    ours = urlsplit(agora_server.url).netloc
    refused_per_phone = []  # in the order the phones open

    def refuse_other_hosts(context):
        context.grant_permissions(["camera", "microphone"], origin=agora_server.url)
        refused = []
        refused_per_phone.append(refused)

        def refuse(route, request):
            refused.append((request.url, request.post_data or ""))
            route.abort("internetdisconnected")

        # By host, not by path: our own copy of the SDK lives under /static/vendor/agora/.
        context.route(lambda url: urlsplit(url).netloc != ours, refuse)
        context.route_web_socket(lambda url: urlsplit(url).netloc != ours, lambda ws: ws.close())

    with two_phones_on(media_browser.browser, agora_server, prepare=refuse_other_hosts) as phones:
        for page, refused in zip(phones, refused_per_phone, strict=True):
            page.refused = refused
        yield phones


@pytest.fixture
def nova_and_luna(make_user):
    """Luna reads by chat, voice and video and is online; Nova has $20.00."""
    reader = online_luna(make_user, rate_voice_cents=200, rate_video_cents=VIDEO_CENTS)
    client = account(make_user, "client", "nova@example.test", "Nova")
    operations.credit_topup(client, 2000, f"topup:e2e:{client.id}", ("topup", client.id))
    db.session.commit()
    return client, reader


def join_requests(page, channel):
    """The requests to Agora's gateway asking to join `channel` (refused on the way out)."""
    return [body for url, body in page.refused if "/api/v2/transpond/" in url and f'"cname":"{channel}"' in body]


def test_a_video_reading_whose_call_cannot_reach_agora(two_phones, nova_and_luna, screenshot):
    client, reader = nova_and_luna
    phone, reader_phone = two_phones
    sdk_path, sdk_sha256 = vendored_sdk()

    sign_in(reader_phone, "luna@example.test")
    reader_phone.goto("/reader")
    expect(reader_phone.get_by_role("heading", name="Reading requests")).to_be_visible()

    # Luna's page offers all three ways, with no word about anything missing.
    sign_in(phone, "nova@example.test")
    phone.goto("/readers/luna")
    request_form = phone.locator("#reading-request")
    expect(request_form.get_by_role("button", name="Chat now · $1.50/min")).to_be_visible()
    expect(request_form.get_by_role("button", name="Voice call now · $2.00/min")).to_be_visible()
    expect(request_form.get_by_role("button", name="Video call now · $3.00/min")).to_be_visible()
    expect(request_form).not_to_contain_text("not available yet")
    request_form.get_by_role("button", name="Video call now · $3.00/min").click()
    expect(phone).to_have_url(re.compile(r"/readings/\d+$"))
    reading_id = int(phone.url.rsplit("/", 1)[1])
    channel = f"soulseer-reading-{reading_id}"
    expect(phone.get_by_text("Waiting for Luna to accept…")).to_be_visible()
    assert phone.locator("#av").count() == 0  # no call before the room

    # The reader accepts; both rooms load the SDK and fetch their own token.
    def is_sdk(response):
        return urlsplit(response.url).path == sdk_path

    def is_token(response):
        return urlsplit(response.url).path == f"/readings/{reading_id}/rtc-token"

    alert = reader_phone.get_by_role("alertdialog")
    expect(alert).to_contain_text("Nova wants a video reading")
    with (
        phone.expect_response(is_sdk, timeout=20_000) as client_sdk,
        phone.expect_response(is_token, timeout=20_000) as client_token,
        reader_phone.expect_response(is_sdk, timeout=20_000) as reader_sdk,
        reader_phone.expect_response(is_token, timeout=20_000) as reader_token,
    ):
        alert.get_by_role("button", name="Accept").click()
    for page in (phone, reader_phone):
        expect(page.get_by_role("heading", name="Video reading")).to_be_visible()
        expect(page.locator("#av-state")).to_have_text("Connecting the call…")

    # The vendored file, byte for byte (VENDOR.md's path and checksum), served as JavaScript. The
    # bytes are fetched again at the URL the page loaded: a response's body can no longer be read
    # once its page has moved on (the room replaces itself when the reading's phase changes).
    for page, sdk in ((phone, client_sdk.value), (reader_phone, reader_sdk.value)):
        assert sdk.status == 200 and "javascript" in sdk.headers["content-type"]
        served = page.request.get(sdk.url)
        assert served.status == 200 and hashlib.sha256(served.body()).hexdigest() == sdk_sha256
    # Each person's own credentials for the reading's channel.
    tokens = {}
    for person, response in ((client, client_token.value), (reader, reader_token.value)):
        assert response.status == 200 and response.headers["cache-control"] == "no-store"
        data = response.json()
        assert (data["app_id"], data["channel"], data["uid"]) == (APP_ID, channel, person.id)
        assert data["token"].startswith("006" + APP_ID) and 1190 < data["expires_in"] <= 1200  # 20 minutes
        tokens[person.id] = data["token"]
    assert tokens[client.id] != tokens[reader.id]

    # Agora cannot be reached: after the join's deadline each page says so, in its live region.
    for page, person in ((phone, client), (reader_phone, reader)):
        state = page.locator("#av-state")
        expect(state).to_contain_text(CALL_FAILED, timeout=30_000)
        expect(state).to_contain_text("keep going in the chat below")
        assert state.get_attribute("role") == "status" and state.get_attribute("aria-live") == "polite"
        expect(page.locator("#av")).to_have_attribute("data-call", "failed")
        expect(page.get_by_role("button", name="Try the call again")).to_be_visible()
        expect(page.get_by_role("button", name="Mute")).to_be_hidden()
        expect(page.get_by_role("button", name="Camera off")).to_be_hidden()
        expect(page.locator("#av-remote")).to_be_hidden()  # no empty black box pushing the chat down
        # join() was called with this person's own token: the refused gateway request carries it.
        asked = join_requests(page, channel)
        assert asked, page.refused[:5]
        assert all(f'"uid":{person.id}' in body and json.dumps(tokens[person.id]) in body for body in asked)

    # The SDK would retry for ever; the page stopped it.
    tries = len(join_requests(phone, channel))
    phone.wait_for_timeout(5_000)
    assert len(join_requests(phone, channel)) == tries

    # The chat works both ways.
    phone.get_by_label("Message").fill("No picture, but I am here. What do the cards say?")
    phone.get_by_role("button", name="Send").click()
    expect(reader_phone.locator(".chat-line").filter(has_text="What do the cards say?")).to_contain_text("Nova")
    reader_phone.get_by_label("Message").fill("The Star: hope and renewal.")
    reader_phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".chat-line").filter(has_text="The Star: hope and renewal.")).to_contain_text("Luna")

    # After the chat: Playwright's screenshot leaves style="" on inputs (it hides the caret), which
    # htmx's settling would then copy onto the new chat form against the CSP (style-src 'self').
    for page, name in ((phone, "call-failed"), (reader_phone, "reader-call-failed")):
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top, as the page opens
        screenshot(page, name)

    # The meter runs (server truth: the reading is active and minutes are being reserved).
    expect(phone.get_by_text("Luna: connected")).to_be_visible()
    expect(reader_phone.get_by_text("Nova: connected")).to_be_visible()
    clock_then = phone.locator(".meter-clock").inner_text()
    expect(phone.locator(".meter-clock")).not_to_have_text(clock_then, timeout=5_000)
    expect(phone.locator(".meter-cost")).not_to_have_text("$0.00")
    db.session.expire_all()
    running = db.session.get(Reading, reading_id)
    assert running.state == "active" and running.minutes_reserved >= 2  # > 15 s, in 10-second minutes

    # Trying again really asks Agora again, and fails the same clear way.
    phone.get_by_role("button", name="Try the call again").click()
    expect(phone.locator("#av-state")).to_have_text("Connecting the call…")
    expect(phone.locator("#av-remote")).to_be_visible()
    expect(phone.get_by_role("button", name="Try the call again")).to_be_hidden()
    # On a laptop the room uses the width: the call and the chat side by side, both in view.
    phone.set_viewport_size({"width": 1280, "height": 800})
    call, chat = phone.locator("#av-remote").bounding_box(), phone.locator("#chat-lines").bounding_box()
    assert call["x"] + call["width"] <= chat["x"] and call["y"] < 800 and chat["y"] < 800, (call, chat)
    screenshot(phone, "video-room-1280")
    phone.set_viewport_size({"width": 390, "height": 844})
    expect(phone.locator("#av-state")).to_contain_text(CALL_FAILED, timeout=30_000)
    assert len(join_requests(phone, channel)) > tries

    # The bill: only metered time, to the cent, after a reading held in the chat.
    end_the_reading(phone)
    expect(phone.get_by_role("heading", name="Reading summary")).to_be_visible()
    expect(reader_phone.get_by_role("heading", name="Reading summary")).to_be_visible(timeout=15_000)
    db.session.expire_all()
    reading = db.session.get(Reading, reading_id)
    assert reading.state == "finalized" and reading.mode == "video"
    cost = math.ceil(reading.metered_ms // 1000 * VIDEO_CENTS / MINUTE_SECONDS)
    assert reading.cost_cents == cost and cost >= 3 * VIDEO_CENTS
    assert wallet.balance(client) == 2000 - cost
    expect(phone.locator(".summary-cost")).to_have_text(format_cents(cost))
    senders = db.session.scalars(
        sa.select(ReadingMessage.sender_id).filter_by(reading_id=reading_id).order_by(ReadingMessage.id)
    ).all()
    assert senders == [client.id, reader.id]
    for page in (phone, reader_phone):
        assert page.watched.problems() == []


def test_without_agora_the_reader_page_offers_chat_and_says_why(page, live_server, make_user):
    account(make_user, "client", "nova@example.test", "Nova")
    online_luna(make_user, rate_voice_cents=200, rate_video_cents=VIDEO_CENTS)
    sign_in(page, "nova@example.test")
    page.goto("/readers/luna")
    request_form = page.locator("#reading-request")
    expect(request_form.get_by_role("button", name="Chat now · $1.50/min")).to_be_visible()
    expect(request_form.get_by_role("button", name=re.compile("Start (voice|video)"))).to_have_count(0)
    expect(request_form).to_contain_text(re.compile(re.escape(f"{NO_AV_HINT} Chat works."), re.IGNORECASE))
    assert page.watched.problems() == []
