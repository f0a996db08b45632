"""A reader's stream from "Go live" to its end, the /live listing, the stream's page for the host
and for viewers (and what it says without Agora), its chat (screened, reported, removed by the
reader), and the viewer count from heartbeats pushed by the tick."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry, ModerationItem, ReaderProfile, Reading, Stream, StreamMessage
from soulseer.services.core import ticks
from soulseer.services.readings import lifecycle as readings
from soulseer.services.readings.lifecycle import ReadingError
from soulseer.services.streams import chat, lifecycle, viewers
from soulseer.services.streams.lifecycle import StreamError
from tests.streams.conftest import START, fund, live_stream


def profile_status(reader):
    database.session.expire_all()
    return database.session.execute(sa.select(ReaderProfile.status).filter_by(user_id=reader.id)).scalar_one()


@pytest.mark.usefixtures("agora_configured")
def test_going_live_and_ending(luna, nova, signed_in):
    browser, token = signed_in(luna)
    form = browser.get("/reader/streams/new")
    assert form.status_code == 200 and "Start time (UTC, optional)" in form.get_data(as_text=True)
    short = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "Hi"})
    assert short.status_code == 422 and "3 to 100 characters" in short.get_data(as_text=True)
    past = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "Tarot",
                                                     "scheduled_at": "2020-01-01T10:00"})  # fmt: skip
    assert past.status_code == 422 and "within the next 30 days" in past.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Stream)) == 0
    made = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "  Tarot   by candlelight "})
    stream = database.session.execute(sa.select(Stream)).scalar_one()
    assert made.headers["Location"] == f"/live/{stream.id}"
    assert (stream.title, stream.state, stream.kind) == ("Tarot by candlelight", "scheduled", "public")
    assert stream.scheduled_at is None
    studio = browser.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "Go live" in studio and "Your camera preview starts here." in studio
    viewer, _ = signed_in(nova)
    waiting = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "is getting ready" in waiting and "gift-tray" not in waiting
    assert browser.post(f"/live/{stream.id}/start", data={"csrf_token": token}).status_code == 302
    database.session.expire_all()
    assert database.session.get(Stream, stream.id).state == "live" and profile_status(luna) == "busy"
    # While live, no reading requests reach her.
    profile = database.session.execute(sa.select(ReaderProfile).filter_by(user_id=luna.id)).scalar_one()
    fund(nova, 5000)
    with pytest.raises(ReadingError):
        readings.request(nova, profile, "chat")
    database.session.rollback()
    watching = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "gift-tray" in watching and "Luna keeps 70% of every gift" in watching
    listing = viewer.get("/live").get_data(as_text=True)
    assert "Tarot by candlelight" in listing and "Live" in listing
    # Only her reader ends it (others: 404); then no more chat, gifts or tokens.
    assert viewer.post(f"/live/{stream.id}/end", data={"csrf_token": token}).status_code in (400, 404)
    assert browser.post(f"/live/{stream.id}/end", data={"csrf_token": token}).status_code == 302
    database.session.expire_all()
    assert database.session.get(Stream, stream.id).state == "ended" and profile_status(luna) == "online"
    over = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert "This stream has ended" in over and "stream-chat-form" not in over
    assert "Nobody is live right now." in viewer.get("/live").get_data(as_text=True)


@pytest.mark.usefixtures("agora_configured")
def test_a_reader_in_a_reading_cannot_go_live(luna, nova):
    profile = database.session.execute(sa.select(ReaderProfile).filter_by(user_id=luna.id)).scalar_one()
    fund(nova, 5000)
    readings.request(nova, profile, "chat")
    database.session.commit()
    stream = lifecycle.create(luna, "Tarot")
    database.session.commit()
    with pytest.raises(StreamError, match="Finish your reading"):
        lifecycle.go_live(luna, stream.id)


@pytest.mark.usefixtures("agora_configured")
def test_only_readers_with_a_profile_schedule_within_30_days(luna, nova, make_user):
    with clock.frozen(START):
        with pytest.raises(StreamError) as refusal:
            lifecycle.create(nova, "Tarot")
        assert refusal.value.status == 403
        bare = make_user(role="reader", consented=True)
        with pytest.raises(StreamError, match="profile"):
            lifecycle.create(bare, "Tarot")
        with pytest.raises(StreamError, match="30 days"):
            lifecycle.create(luna, "Tarot", START + timedelta(days=31))
        upcoming = lifecycle.create(luna, "Full moon", START + timedelta(days=2))
        database.session.commit()
        assert lifecycle.upcoming() == [upcoming]


def test_without_agora_the_pages_say_so_and_offer_no_go_live(luna, nova, signed_in):
    browser, token = signed_in(luna)
    dashboard = browser.get("/reader").get_data(as_text=True)
    assert "Go live or schedule a stream" not in dashboard
    form = browser.get("/reader/streams/new").get_data(as_text=True)
    assert "Live streaming is not set up on this server" in form and 'name="title"' not in form
    refused = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "Tarot night"})
    assert refused.status_code == 409 and database.session.scalar(sa.select(sa.func.count()).select_from(Stream)) == 0
    viewer, _ = signed_in(nova)
    assert "Live streaming is not set up on this server" in viewer.get("/live").get_data(as_text=True)


@pytest.mark.usefixtures("agora_configured")
def test_with_agora_the_dashboard_offers_it(luna, signed_in):
    browser, _ = signed_in(luna)
    assert "Go live or schedule a stream" in browser.get("/reader").get_data(as_text=True)


@pytest.mark.usefixtures("agora_configured")
def test_the_chat_is_screened_reported_and_removed_by_the_reader(luna, nova, orla, signed_in, tabs):
    stream = live_stream(luna)
    viewer, token = signed_in(nova)
    answer = viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": "Pay me on venmo @nova"},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert answer.status_code == 200 and "against" in answer.get_data(as_text=True).lower()
    line = database.session.execute(sa.select(StreamMessage)).scalar_one()
    item = database.session.execute(sa.select(ModerationItem).filter_by(kind="stream_message")).scalar_one()
    assert item.target_id == line.id
    seen = tabs()
    public = [html for to, event, html in seen if event == f"stream-{stream.id}-chat"]
    host = [(to, html) for to, event, html in seen if event == f"stream-{stream.id}-host-chat"]
    assert to_everyone(seen, f"stream-{stream.id}-chat") and "venmo" in public[0] and "Report" in public[0]
    assert host[0][0] == luna.id and "Remove" in host[0][1] and "Report" not in host[0][1]
    assert viewer.post(f"/live/{stream.id}/messages", data={"csrf_token": token, "body": " "}).status_code == 422
    # Orla reports it; only the reader removes it (a viewer: 403).
    other, other_token = signed_in(orla)
    assert other.get(f"/report/stream_message/{line.id}").status_code == 200
    remove = f"/live/{stream.id}/messages/{line.id}/remove"
    assert other.post(remove, data={"csrf_token": other_token}).status_code == 403
    host_browser, host_token = signed_in(luna)
    assert host_browser.post(remove, data={"csrf_token": host_token}).status_code == 302
    database.session.expire_all()
    line = database.session.get(StreamMessage, line.id)
    assert line.hidden and line.hidden_reason == chat.REMOVED_BY_READER
    assert database.session.get(ModerationItem, item.id).state == "open"  # screening's flag waits for an admin
    audit = database.session.execute(sa.select(AuditEntry).filter_by(action="stream_message.hidden")).scalar_one()
    assert audit.actor_id == luna.id
    assert "The reader removed this message." in other.get(f"/live/{stream.id}").get_data(as_text=True)


def to_everyone(seen, event):
    return any(to is None and name == event for to, name, _ in seen)


@pytest.mark.usefixtures("agora_configured")
def test_the_viewer_count_comes_from_heartbeats(luna, nova, orla, signed_in, tabs, app):
    with clock.frozen(START):
        stream = live_stream(luna)
        for person in (nova, orla, luna):
            browser, token = signed_in(person)
            assert browser.post(f"/live/{stream.id}/heartbeat", data={"csrf_token": token}).status_code == 204
        assert viewers.count(stream.id) == 2  # the host is not counted
        assert ticks.run(START)["streams"] == 1
        counts = [html for _, event, html in tabs() if event == f"stream-{stream.id}-viewers"]
        assert counts and ">2</span> watching" in counts[-1]
        ticks.run(START)
        assert len([e for _, e, _ in tabs() if e == f"stream-{stream.id}-viewers"]) == 1  # unchanged: not pushed
    with clock.frozen(START + timedelta(seconds=20)):
        browser, token = signed_in(nova)
        browser.post(f"/live/{stream.id}/heartbeat", data={"csrf_token": token})
    with clock.frozen(START + timedelta(seconds=30)):
        ticks.run(START + timedelta(seconds=30))  # Orla unseen for 30 s: gone
        assert viewers.count(stream.id) == 1
        counts = [html for _, event, html in tabs() if event == f"stream-{stream.id}-viewers"]
        assert ">1</span> watching" in counts[-1]
        browser.post(f"/live/{stream.id}/leave", data={"csrf_token": token})
        assert viewers.count(stream.id) == 0
    database.session.expire_all()
    assert database.session.get(Stream, stream.id).viewers_peak == 2


@pytest.mark.usefixtures("agora_configured")
def test_gifts_reach_every_viewer_live(luna, nova, signed_in, tabs):
    from soulseer.extensions import get_redis
    from soulseer.services.core import events
    from tests.streams.test_gifts import send

    stream = live_stream(luna)
    fund(nova, 1000)
    events.record_presence(get_redis(), nova.id)  # her stream page is open: her header's balance follows

    send(stream, nova, "Crown", anonymous=True)
    seen = tabs()
    burst = [html for to, event, html in seen if event == f"stream-{stream.id}-gift" and to is None]
    board = [html for to, event, html in seen if event == f"stream-{stream.id}-board" and to is None]
    assert burst and "Anonymous sent a Crown" in burst[0] and "gift-anim-burst" in burst[0] and "Nova" not in burst[0]
    assert board and "Anonymous" in board[0] and "$10.00" in board[0]
    assert any(to == nova.id and event == "balance" for to, event, _ in seen)


@pytest.mark.usefixtures("agora_configured")
def test_a_live_reader_is_live_on_her_card_and_takes_no_request(luna, nova, signed_in, tabs):
    """Her card (the readers list, favourites, the home page's lists) says Live by the rule of her
    page's Live link, pushed live when she goes live; the request path refuses her over HTTP."""
    card_id = database.session.execute(sa.select(ReaderProfile.id).filter_by(user_id=luna.id)).scalar_one()
    browser, token = signed_in(nova)
    assert 'class="status-badge status-online"' in browser.get("/readers").get_data(as_text=True)
    stream = live_stream(luna)
    pushed = {event: html for _, event, html in tabs()}
    assert ">Live</span>" in pushed[f"reader-card-{card_id}"] and "status-live" in pushed[f"reader-status-{card_id}"]
    listing = browser.get("/readers").get_data(as_text=True)
    assert 'class="status-badge status-live"' in listing and ">Live</span>" in listing
    page = browser.get("/readers/luna").get_data(as_text=True)
    assert f'href="/live/{stream.id}"' in page and "Luna is live in a stream right now." in page
    fund(nova, 5000)
    refused = browser.post("/readings", data={"csrf_token": token, "reader": card_id, "mode": "chat"})
    assert refused.status_code == 409 and "Luna is live in a stream right now." in refused.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Reading)) == 0
    lifecycle.end(luna, stream.id)
    database.session.commit()
    listing = browser.get("/readers").get_data(as_text=True)
    assert "status-live" not in listing and 'class="status-badge status-online"' in listing
    taken = browser.post("/readings", data={"csrf_token": token, "reader": card_id, "mode": "chat"})
    assert taken.status_code == 303
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Reading)) == 1


@pytest.mark.usefixtures("agora_configured")
def test_outsiders_and_visitors(luna, app, signed_in):
    stream = live_stream(luna)
    assert app.test_client().get(f"/live/{stream.id}").status_code == 302
    assert app.test_client().get("/live").status_code == 200
    browser, _ = signed_in(luna)
    assert browser.get("/live/999").status_code == 404


@pytest.mark.usefixtures("agora_configured")
def test_live_on_the_home_page_the_readers_page_and_her_earnings(luna, nova, app, signed_in):
    visitor = app.test_client()
    assert "Live now" not in visitor.get("/").get_data(as_text=True)
    stream = live_stream(luna, title="Candles and cards")
    home = visitor.get("/").get_data(as_text=True)  # the visitors' shared page follows the change
    assert "Live now" in home and "Candles and cards" in home and f"/live/{stream.id}" in home
    page = visitor.get("/readers/luna").get_data(as_text=True)
    assert "tag-live" in page and f'href="/live/{stream.id}"' in page
    fund(nova, 1000)
    from tests.streams.test_gifts import send

    send(stream, nova, "Crown")
    browser, _ = signed_in(luna)
    assert "From your streams you have earned $7.00 in gifts and $0.00 in entries." in browser.get("/reader").get_data(
        as_text=True
    )
    lifecycle.end(luna, stream.id)
    database.session.commit()
    assert "Candles and cards" not in visitor.get("/").get_data(as_text=True)
    assert "tag-live" not in visitor.get("/readers/luna").get_data(as_text=True)
