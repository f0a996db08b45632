"""The live reading as people use it: request, the reader's alert, the room, chat, heartbeats,
leaving, ending, the summary and the transcript (docs/readings.md)."""

import re
from collections.abc import Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.content_pages import CONTENT_PAGES
from soulseer.extensions import db as database
from soulseer.extensions import get_redis
from soulseer.ledger import accounts
from soulseer.models import ReaderProfile
from soulseer.models.reading import Reading, ReadingMessage
from soulseer.services.core import content, events
from soulseer.services.payments import wallet
from soulseer.services.readings import billing, metering, publishing
from tests.conftest import csrf_token_from
from tests.readings.conftest import Session, fund, go_to


class Published(Sequence):
    """What reached the event channel in Redis since the test began (the `tabs` fixture), as every
    open tab would get it: (user id, or None for everyone signed in, event, html), one row per
    user of an audience, in order."""

    def __init__(self, tabs):
        self._tabs = tabs

    def _rows(self):
        rows = []
        for to, event, html in self._tabs(wait=0.2):
            rows.extend((user_id, event, html) for user_id in (to if isinstance(to, list) else [to]))
        return rows

    def __getitem__(self, index):
        return self._rows()[index]

    def __len__(self):
        return len(self._rows())


@pytest.fixture
def published(tabs):
    return Published(tabs)


@pytest.fixture
def people(make_user):
    client = make_user(role="client", consented=True, display_name="Nova", email="nova-secret@example.test")
    reader = make_user(role="reader", consented=True, display_name="Luna")
    profile = ReaderProfile(
        user_id=reader.id, slug="luna", display_name="Luna", rate_chat_cents=150, status="online", bio="x" * 60
    )
    database.session.add(profile)
    database.session.commit()
    for user in (client, reader):  # both have SoulSeer open: their event streams keep alive
        events.record_presence(get_redis(), user.id)
    return client, reader


def browser(app, login, user):
    """A signed-in test client with the CSRF token of its pages."""
    test_client = app.test_client()
    login(test_client, user)
    test_client.csrf = csrf_token_from(test_client.get("/account").get_data(as_text=True))
    return test_client


def post(test_client, url, data=None, hx=False):
    headers = {"X-CSRFToken": test_client.csrf}
    if hx:
        headers["HX-Request"] = "true"
    return test_client.post(url, data=data or {}, headers=headers)


def profile():
    return database.session.execute(sa.select(ReaderProfile).filter_by(slug="luna")).scalar_one()


def reading_row(reading_id):
    database.session.expire_all()
    return database.session.get(Reading, reading_id)


def request_chat(test_client, hx=False, **data):
    return post(test_client, "/readings", {"reader": profile().id, "mode": "chat", **data}, hx=hx)


# --- requesting ---------------------------------------------------------------------------------


def test_a_client_requests_a_chat_and_the_reader_is_alerted(app, login, people, published):
    client, reader = people
    fund(client, 10_000)
    nova = browser(app, login, client)
    response = request_chat(nova, hx=True, spend_cap="20")
    reading = database.session.execute(sa.select(Reading)).scalar_one()
    assert response.headers["HX-Redirect"] == f"/readings/{reading.id}"
    assert (reading.rate_cents, reading.share_bps, reading.spend_cap_cents, reading.state) == (
        150,
        7000,
        2000,
        "requested",
    )

    alerts = [html for user_id, event, html in published if user_id == reader.id and event == "reading-alert"]
    assert len(alerts) == 1
    assert "Nova wants a chat reading" in alerts[0] and "$1.50 per minute" in alerts[0]
    assert "nova-secret" not in alerts[0]
    assert f"/readings/{reading.id}/accept" in alerts[0]

    page = nova.get(f"/readings/{reading.id}").get_data(as_text=True)
    assert "Waiting for Luna to accept… (<span data-countdown>60</span> s)" in page

    # The reader sees the alert on any page they load (stored, not only pushed).
    luna = browser(app, login, reader)
    assert "Nova wants a chat reading" in luna.get("/account").get_data(as_text=True)


def test_not_enough_balance_offers_a_top_up_in_place(app, login, people, published):
    client, _ = people
    fund(client, 300)  # 3 minutes at $1.50 is $4.50
    nova = browser(app, login, client)
    response = request_chat(nova, hx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert "You need at least 3 minutes of balance to start." in html
    # The top-up in place (issue #13), and the same request waiting for the money to come in.
    assert 'hx-post="/wallet/topups"' in html and 'name="in_place" value="1"' in html
    pending = html.split('class="reading-request-pending"', 1)[1].split("</form>", 1)[0]
    assert 'hx-trigger="wallet-credited from:body"' in pending and 'hx-post="/readings"' in pending
    assert 'name="mode" value="chat"' in pending and f'name="reader" value="{profile().id}"' in pending
    assert database.session.execute(sa.select(sa.func.count(Reading.id))).scalar() == 0
    assert request_chat(nova).status_code == 402  # without HTMX: the page, with the status
    fund(client, 1000, key="more")  # the money comes in: the waiting request goes through
    assert request_chat(nova, hx=True).headers["HX-Redirect"].startswith("/readings/")


def test_a_second_request_while_one_is_pending_is_refused(app, login, people, make_user, published):
    client, _ = people
    fund(client, 10_000)
    other = make_user(role="reader", consented=True, display_name="Orion")
    database.session.add(
        ReaderProfile(user_id=other.id, slug="orion", display_name="Orion", rate_chat_cents=100, status="online")
    )
    database.session.commit()
    nova = browser(app, login, client)
    assert request_chat(nova, hx=True).headers["HX-Redirect"]
    orion_id = database.session.execute(sa.select(ReaderProfile.id).filter_by(slug="orion")).scalar()
    response = post(nova, "/readings", {"reader": orion_id, "mode": "chat"}, hx=True)
    assert "You already have a reading in progress." in response.get_data(as_text=True)
    assert database.session.execute(sa.select(sa.func.count(Reading.id))).scalar() == 1


@pytest.mark.parametrize("status", ["busy", "offline"])
def test_only_an_online_reader_can_be_requested(app, login, people, status, published):
    client, _ = people
    fund(client, 10_000)
    profile().status = status
    database.session.commit()
    nova = browser(app, login, client)
    assert request_chat(nova).status_code == 409
    page = nova.get("/readings/new?reader=luna").get_data(as_text=True)
    assert "Chat now" not in page and ("offline" in page or "another reading" in page)


def test_the_request_form_offers_only_the_modes_that_can_run(app, login, people):
    client, _ = people
    fund(client, 10_000)
    row = profile()
    row.rate_video_cents = 400
    database.session.commit()
    nova = browser(app, login, client)
    page = nova.get("/readings/new?reader=luna").get_data(as_text=True)
    assert "Chat now · $1.50/min" in page and "Video call now" not in page
    assert "Video readings are not available yet" in page
    assert post(nova, "/readings", {"reader": row.id, "mode": "video"}).status_code == 422


def test_readers_cannot_request_and_bad_caps_are_refused(app, login, people, published):
    client, reader = people
    fund(client, 10_000)
    assert request_chat(browser(app, login, reader)).status_code == 403
    nova = browser(app, login, client)
    assert "Write the spend cap in dollars" in request_chat(nova, hx=True, spend_cap="lots").get_data(as_text=True)
    assert "at least one minute" in request_chat(nova, hx=True, spend_cap="1").get_data(as_text=True)


def test_a_spend_cap_under_one_minute_is_a_field_error_422(app, login, people):
    """docs/readings.md: a bad mode or cap answers 422 (not 409, which is for a busy reader or a
    reading in progress), with the error on the spend cap field and nothing created."""
    client, _ = people
    fund(client, 10_000)
    nova = browser(app, login, client)
    response = request_chat(nova, spend_cap="1.49")  # the rate is $1.50 a minute
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A spend cap must allow at least one minute." in html
    assert re.search(r'class="input field-invalid" id="spend-cap" name="spend_cap"[^>]*value="1.49"', html)
    assert database.session.query(Reading).count() == 0
    assert request_chat(nova, spend_cap="1.50").status_code == 303  # exactly one minute is enough


# --- answering ------------------------------------------------------------------------------------


def requested(people):
    client, reader = people
    fund(client, 10_000)
    return Session(client, reader, rate=150)


def test_accepting_takes_both_to_the_room_and_marks_the_reader_busy(app, login, people, published):
    client, reader = people
    session = requested(people)
    luna = browser(app, login, reader)
    response = post(luna, f"/readings/{session.id}/accept", hx=True)
    assert response.headers["HX-Redirect"] == f"/readings/{session.id}"
    assert reading_row(session.id).state == "accepted"
    assert profile().status == "busy"
    client_events = [
        html for user_id, event, html in published if user_id == client.id and event == f"reading-{session.id}"
    ]
    assert 'data-phase="room"' in client_events[-1]
    # The client cannot accept, and accepting twice is refused.
    assert post(browser(app, login, client), f"/readings/{session.id}/accept").status_code == 403
    assert post(luna, f"/readings/{session.id}/accept").status_code == 409


def test_declining_tells_the_client_at_once(app, login, people, published):
    client, reader = people
    session = requested(people)
    response = post(browser(app, login, reader), f"/readings/{session.id}/decline", hx=True)
    assert "reading-alert" not in response.get_data(as_text=True)
    assert reading_row(session.id).state == "cancelled"
    told = [html for user_id, event, html in published if user_id == client.id and event == f"reading-{session.id}"]
    assert "Luna declined this request." in told[-1] and 'data-phase="cancelled"' in told[-1]
    page = browser(app, login, client).get(f"/readings/{session.id}").get_data(as_text=True)
    assert "Choose another reader" in page
    assert profile().status == "online"


def test_an_unanswered_request_expires_and_the_client_is_told(app, login, people, published):
    client, _ = people
    session = requested(people)
    go_to(61)
    billing.tick()
    assert reading_row(session.id).end_reason == "expired"
    told = [html for user_id, event, html in published if user_id == client.id and event == f"reading-{session.id}"]
    assert "Luna did not answer in time." in told[-1]


def test_panels_are_rendered_only_for_people_with_a_page_open(app, login, people, published, redis):
    """A batch renders a room panel per person (a tick ends hundreds of readings at once): only for
    those whose event stream connected or kept alive lately; the page anyone else opens next is
    drawn from the database."""
    client, reader = people
    redis.delete(events.PRESENCE_KEY.format(user_id=reader.id))  # Luna has no page open
    session = requested(people)
    go_to(61)
    billing.tick()
    assert reading_row(session.id).end_reason == "expired"
    to_client = [event for user_id, event, _ in published if user_id == client.id]
    to_reader = [event for user_id, event, _ in published if user_id == reader.id and event.startswith("reading")]
    assert f"reading-{session.id}" in to_client and to_reader == []
    before = len(published)
    with clock.frozen(clock.now() + timedelta(seconds=events.OPEN_TAB_SECONDS + 1)):
        publishing.publish_readings([session.id])  # no page of either has kept alive since
    assert published[before:] == []


def test_accepting_after_expiry_is_refused(app, login, people, published):
    _, reader = people
    session = requested(people)
    go_to(61)
    response = post(browser(app, login, reader), f"/readings/{session.id}/accept", hx=True)
    assert "expired" in response.get_data(as_text=True)
    assert reading_row(session.id).state == "cancelled"


# --- the room ------------------------------------------------------------------------------------


@pytest.fixture
def in_room(app, login, people, published):
    client, reader = people
    session = requested(people)
    session.accept()
    nova, luna = browser(app, login, client), browser(app, login, reader)
    return session, nova, luna


def test_heartbeats_join_start_the_meter_and_answer_the_panel(in_room):
    session, nova, luna = in_room
    html = post(nova, f"/readings/{session.id}/heartbeat", hx=True).get_data(as_text=True)
    assert "Luna: joining…" in html and reading_row(session.id).state == "accepted"
    post(luna, f"/readings/{session.id}/heartbeat", hx=True)
    assert reading_row(session.id).state == "active"
    session.run_until(75)  # heartbeats from both and the cron's tick (which reserves minute 2)
    html = post(nova, f"/readings/{session.id}/heartbeat", hx=True).get_data(as_text=True)
    assert "data-clock>01:15<" in html
    assert "Luna: connected" in html
    assert "Your balance" in html and 'data-running="1"' in html


def test_leaving_pauses_and_the_partner_sees_reconnecting(in_room, published):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    go_to(30)
    assert post(luna, f"/readings/{session.id}/leave").status_code == 204
    reading = reading_row(session.id)
    assert (reading.state, reading.pause_reason, reading.metered_ms) == ("paused", "disconnected", 30_000)
    assert "Luna: reconnecting…" in post(nova, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    go_to(50)
    post(luna, f"/readings/{session.id}/heartbeat")
    assert reading_row(session.id).state == "active"


def test_chat_is_stored_escaped_and_delivered_to_both(in_room, people, published):
    client, reader = people
    session, nova, luna = in_room
    response = post(nova, f"/readings/{session.id}/messages", {"body": "<script>alert(1)</script> hi"}, hx=True)
    assert response.status_code == 200 and 'id="chat-form"' in response.get_data(as_text=True)
    message = database.session.execute(sa.select(ReadingMessage)).scalar_one()
    assert (message.sender_id, message.body) == (client.id, "<script>alert(1)</script> hi")
    lines = {user_id: html for user_id, event, html in published if event == f"reading-chat-{session.id}"}
    assert set(lines) == {client.id, reader.id}
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hi" in lines[reader.id] and "<script>" not in lines[reader.id]
    assert "Nova" in lines[reader.id] and ">You<" in lines[client.id]
    page = luna.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)" in page


def test_chat_refuses_empty_too_long_and_too_fast(in_room):
    session, nova, _ = in_room
    url = f"/readings/{session.id}/messages"
    assert post(nova, url, {"body": "  "}).status_code == 422
    assert post(nova, url, {"body": "x" * 2001}).status_code == 422
    assert post(nova, url, {"body": "x" * 2000}).status_code == 303
    for n in range(9):
        assert post(nova, url, {"body": f"line {n}"}).status_code == 303
    assert post(nova, url, {"body": "one more"}).status_code == 429
    assert "too quickly" in post(nova, url, {"body": "one more"}, hx=True).get_data(as_text=True)
    assert database.session.execute(sa.select(sa.func.count(ReadingMessage.id))).scalar() == 10


def test_a_third_user_gets_404_everywhere_and_nothing_is_stored(app, login, make_user, in_room, people):
    session, _, _ = in_room
    mallory = browser(app, login, make_user(role="client", consented=True))
    for method, url in [
        ("get", ""),
        ("get", "/status"),
        ("get", "/transcript"),
        ("get", "/rtc-token"),
        ("post", "/messages"),
        ("post", "/heartbeat"),
        ("post", "/leave"),
        ("post", "/end"),
        ("post", "/accept"),
        ("post", "/decline"),
    ]:
        url = f"/readings/{session.id}{url}"
        response = mallory.get(url) if method == "get" else post(mallory, url, {"body": "hello"})
        assert response.status_code in (403, 404), url
        if not url.endswith(("accept", "decline")):
            assert response.status_code == 404, url
    assert database.session.execute(sa.select(sa.func.count(ReadingMessage.id))).scalar() == 0
    reading = reading_row(session.id)
    assert reading.state == "accepted" and not reading.client_connected


def test_the_client_ends_and_both_see_the_summary(in_room, people, published):
    client, reader = people
    session, nova, luna = in_room
    before = wallet.balance(client)
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    post(nova, f"/readings/{session.id}/messages", {"body": "Thank you"})
    session.run_until(100)
    response = post(nova, f"/readings/{session.id}/end", hx=True)
    assert response.headers["HX-Redirect"] == f"/readings/{session.id}"
    reading = reading_row(session.id)
    # 100 s at $1.50/min = ceil(100 × 150 / 60) = 250 cents; the reader keeps floor(250 × 70%).
    assert (reading.state, reading.cost_cents, reading.reader_earnings_cents) == ("finalized", 250, 175)
    assert wallet.balance(client) == before - 250
    assert accounts.reader_earnings(reader).balance == 175
    assert profile().status == "online"
    summary = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "01:40" in summary and "$2.50" in summary and "Your earnings" not in summary
    reader_summary = luna.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "Your earnings" in reader_summary and "$1.75" in reader_summary
    transcript = luna.get(f"/readings/{session.id}/transcript").get_data(as_text=True)
    assert "Thank you" in transcript
    told = [html for user_id, event, html in published if user_id == reader.id and event == f"reading-{session.id}"]
    assert 'data-phase="over"' in told[-1] and "Nova ended the reading." in told[-1]


def test_the_low_balance_warning_and_the_funds_pause(app, login, make_user, published):
    client = make_user(role="client", consented=True, display_name="Nova")
    reader = make_user(role="reader", consented=True, display_name="Luna")
    fund(client, 300)
    session = Session(client, reader, rate=100)
    session.accept()
    nova, luna = browser(app, login, client), browser(app, login, reader)
    post(nova, f"/readings/{session.id}/heartbeat")
    html = post(luna, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    assert "less than 2 minutes of balance left" not in html.lower()  # $3.00 is 3 minutes
    html = post(nova, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    assert "Less than 2 minutes of balance left" not in html and "data-open-topup" not in html
    session.run_until(70)
    html = post(nova, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    # The client is offered the top-up inside the room (the form under the panel), not another page.
    assert "Less than 2 minutes of balance left" in html and 'href="#room-topup" data-open-topup' in html
    assert 'data-balance="183"' in html  # $1.00 in the wallet + $0.83 reserved for minute 2, not used yet
    room = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert 'id="room-topup"' in room and 'name="in_place" value="1"' in room
    # Both see the warning; the reader without the client's balance.
    html = post(luna, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    assert "Nova has less than 2 minutes of balance left." in html
    assert "data-balance" not in html and "data-open-topup" not in html
    assert 'id="room-topup"' not in luna.get(f"/readings/{session.id}").get_data(as_text=True)
    session.run_until(190)
    html = post(nova, f"/readings/{session.id}/heartbeat").get_data(as_text=True)
    assert reading_row(session.id).pause_reason == "funds"
    assert "Your balance ran out — top up within" in html and "data-open-topup" in html


def test_rtc_tokens_only_with_agora_and_only_for_participants(app, in_room):
    session, nova, _ = in_room
    assert nova.get(f"/readings/{session.id}/rtc-token").status_code == 404  # Agora not configured
    app.config.update(AGORA_APP_ID="a" * 32, AGORA_APP_CERTIFICATE="b" * 32)
    try:
        # A chat reading has no call.
        assert nova.get(f"/readings/{session.id}/rtc-token").status_code == 409
        reading = reading_row(session.id)
        reading.mode = "video"
        database.session.commit()
        data = nova.get(f"/readings/{session.id}/rtc-token").get_json()
        assert data["channel"] == f"soulseer-reading-{session.id}" and data["token"] and data["expires_in"] == 1200
    finally:
        app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")


def test_how_billing_works_is_linked_where_a_client_needs_it(app, in_room, people):
    client, _ = people
    content.seed_pages(CONTENT_PAGES)
    session, nova, luna = in_room
    link = 'href="/pages/how-billing-works"'
    pages = {
        "the reader's page (the request form)": nova.get("/readers/luna"),
        "the request form on its own": nova.get("/readings/new?reader=luna"),
        "the room": nova.get(f"/readings/{session.id}"),
        "the reader's room": luna.get(f"/readings/{session.id}"),
        "the wallet": nova.get("/wallet"),
    }
    for where, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, where
        body = html.split('<footer class="site-footer">', 1)[0]  # the footer links everywhere
        assert link in body, where
    room = pages["the room"].get_data(as_text=True)
    # From the room it opens in a new tab: leaving the room would stop the meter.
    assert f'{link} target="_blank" rel="noopener"' in room
    assert f"<a {link}>How billing works</a>" in pages["the wallet"].get_data(as_text=True).split("<footer", 1)[1]
    assert "<h1>How billing works</h1>" in nova.get("/pages/how-billing-works").get_data(as_text=True)


def test_a_review_link_for_the_client_once_the_reading_is_over(in_room):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    session.run_until(70)  # a billed minute: a review can be written (issue #13: not before)
    post(nova, f"/readings/{session.id}/end")
    page = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert f'href="/readings/{session.id}/review">Leave a review</a>' in page
    assert "Leave a review" not in luna.get(f"/readings/{session.id}").get_data(as_text=True)
    assert clock.now()


def test_a_reading_too_short_to_review_says_why_instead_of_offering_a_link(in_room):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    session.run_until(16)
    post(nova, f"/readings/{session.id}/end")
    page = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "Leave a review" not in page and f"/readings/{session.id}/review" not in page
    assert "Readings shorter than one billed minute cannot be reviewed." in page
    assert nova.get(f"/readings/{session.id}/review").status_code == 403  # what the link would have met


def test_the_readers_summary_says_she_is_online_again_and_leads_to_her_dashboard(in_room):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    session.run_until(30)
    post(luna, f"/readings/{session.id}/end")
    page = luna.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "You are online again: new requests reach you." in page
    assert '<a class="button button-primary button-block" href="/reader">Back to your dashboard</a>' in page
    assert "online again" not in nova.get(f"/readings/{session.id}").get_data(as_text=True)


def test_agora_sources_join_the_csp_only_when_agora_is_configured(app):
    from types import SimpleNamespace

    from soulseer.security import content_security_policy

    plain = content_security_policy(app)
    assert "agora" not in plain and "connect-src 'self';" in plain
    configured = SimpleNamespace(config={**app.config, "AGORA_APP_ID": "a" * 32, "AGORA_APP_CERTIFICATE": "b" * 32})
    policy = content_security_policy(configured)
    assert "connect-src 'self' https://*.agora.io wss://*.agora.io" in policy
    assert "script-src 'self';" in policy  # the SDK is vendored: still no other script source


def test_a_video_room_loads_the_call_only_with_agora(app, in_room):
    session, nova, _ = in_room
    reading = reading_row(session.id)
    reading.mode = "video"
    database.session.commit()
    page = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert "reading-call.js" not in page and "data-rtc-url" not in page
    app.config.update(AGORA_APP_ID="a" * 32, AGORA_APP_CERTIFICATE="b" * 32)
    try:
        page = nova.get(f"/readings/{session.id}").get_data(as_text=True)
        assert "reading-call.js" in page and f'data-rtc-url="/readings/{session.id}/rtc-token"' in page
        assert "vendor/agora/AgoraRTC_N-production.esm.js" in page and "data-av-camera" in page
    finally:
        app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")


def test_the_reader_page_offers_the_request_panel_where_it_includes_it(app, login, people):
    client, _ = people
    fund(client, 10_000)
    nova = browser(app, login, client)
    page = nova.get("/readers/luna").get_data(as_text=True)
    assert "reading-request" in page
    assert "Chat now · $1.50/min" in page and 'name="spend_cap"' in page


# --- the room as an app screen (issue #13) ------------------------------------------------------


def test_the_room_is_an_app_screen_with_leave_and_end_to_confirm(in_room):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    room = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert '<body class="app-screen"' in room and "interactive-widget=resizes-content" in room
    for chrome in ('class="site-header"', 'class="bottom-nav"', 'class="site-footer"', 'class="top-nav"'):
        assert chrome not in room, chrome
    leave = room.split('class="room-confirm-toggle room-leave"', 1)[1].split("</details>", 1)[0]
    assert "Leave the room?" in leave and "Come back within 2:00" in leave
    assert ">Stay</button>" in leave and '<a class="button button-ghost" href="/dashboard">Leave</a>' in leave
    end = room.split('class="room-confirm-toggle room-end"', 1)[1].split("</details>", 1)[0]
    assert "End the reading?" in end and ">Keep reading</button>" in end
    assert f'action="/readings/{session.id}/end"' in end and 'type="submit">End</button>' in end
    reader_room = luna.get(f"/readings/{session.id}").get_data(as_text=True)
    assert 'href="/reader">Leave</a>' in reader_room and 'class="bottom-nav"' not in reader_room
    # Over: the site's navigation is back.
    post(nova, f"/readings/{session.id}/end")
    summary = nova.get(f"/readings/{session.id}").get_data(as_text=True)
    assert 'class="app-screen"' not in summary and 'class="bottom-nav"' in summary


def test_cost_and_balance_come_from_one_figure_that_equals_the_wallet(in_room):
    """The client's panel: cost + balance = the money in the wallet and reserved for the reading,
    at every moment (the page ticks both from `data-funds`)."""
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    client = session.client
    for seconds in (5, 19, 61, 77, 130):
        session.run_until(seconds, step=5)
        html = post(nova, f"/readings/{session.id}/heartbeat", hx=True).get_data(as_text=True)
        funds = int(re.search(r'data-funds="(\d+)"', html).group(1))
        balance = int(re.search(r'data-balance="(-?\d+)"', html).group(1))
        cost = int(re.search(r"data-cost>\$(\d+)\.(\d\d)<", html).expand(r"\1\2"))
        running = reading_row(session.id)
        assert cost == -(-(metering.metered_ms(running, clock.now()) // 1000) * 150 // 60)  # ceil(s × rate / 60)
        assert cost + balance == funds == wallet.balance(client) + running.minutes_reserved * 150, seconds
        assert funds == 10_000  # what the client had: the wallet and the reserved minutes move, not this
    assert "data-funds" not in post(luna, f"/readings/{session.id}/heartbeat", hx=True).get_data(as_text=True)


def test_the_reconnect_banner_counts_down_the_grace_period(in_room):
    session, nova, luna = in_room
    post(nova, f"/readings/{session.id}/heartbeat")
    post(luna, f"/readings/{session.id}/heartbeat")
    session.run_until(20)
    post(luna, f"/readings/{session.id}/leave")
    go_to(33)
    html = post(nova, f"/readings/{session.id}/heartbeat", hx=True).get_data(as_text=True)
    banner = html.split('class="notice notice-warn reconnecting"', 1)[1].split("</p>", 1)[0]
    assert "The meter is stopped until you are both connected again." in banner
    assert "Luna is reconnecting: the reading ends in" in banner
    assert 'data-format="clock" aria-hidden="true">1:47<' in banner  # 2:00 of grace from 0:20, now 0:33
    assert "1 minutes 47 seconds" in banner


def test_the_reader_page_starts_a_reading_from_its_first_screen(app, login, people, published):
    client, _ = people
    fund(client, 10_000)
    page = browser(app, login, client).get("/readers/luna").get_data(as_text=True)
    panel_at, rates_at = page.index('id="reading-request"'), page.index('id="rates-title"')
    assert panel_at < rates_at  # before the rates, the bio and the reviews
    panel = page[panel_at : page.index("</section>", panel_at)]
    assert "reading-request-sticky" in page[page.rindex("<section", 0, panel_at) : panel_at]
    assert 'value="chat">Chat now · $1.50/min</button>' in panel
    limit = panel.split('<details class="reading-limit">', 1)[1].split("</details>", 1)[0]  # closed
    assert "Set a limit" in limit and 'name="spend_cap"' in limit
