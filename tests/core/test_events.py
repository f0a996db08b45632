"""The event stream (GET /events): who gets what, keep-alive, headers, and cleaning up."""

import subprocess
import sys
import time

import pytest

from soulseer.services.core import events
from tests.support.sse import StreamReader, stop_event_hub_at_end

_stop_hub = pytest.fixture(scope="module", autouse=True)(stop_event_hub_at_end)


@pytest.fixture
def stream_settings(app):
    """Short keep-alive for the tests; restored afterwards (the app is shared by the session)."""
    saved = {name: app.config[name] for name in ("EVENTS_KEEPALIVE_SECONDS", "EVENTS_STREAM_MAX_SECONDS")}
    app.config.update(EVENTS_KEEPALIVE_SECONDS=1, EVENTS_STREAM_MAX_SECONDS=60)
    yield app.config
    app.config.update(saved)


@pytest.fixture
def open_stream(app, login, stream_settings):
    readers = []

    def opener(user):
        client = login(app.test_client(), user)
        response = client.get("/events", buffered=False)
        assert response.status_code == 200
        reader = StreamReader(response)
        reader.wait_for(": connected")
        readers.append(reader)
        return reader

    yield opener
    for reader in readers:
        reader.close(timeout=3)


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/events")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_stream_headers(app, login, make_user, stream_settings):
    user = make_user(consented=True)
    response = login(app.test_client(), user).get("/events", buffered=False)
    try:
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Accel-Buffering"] == "no"
        # It may arrive after "Sign out" answered: it must not put the session back.
        assert "Set-Cookie" not in response.headers
    finally:
        StreamReader(response).close(timeout=3)


def test_an_event_for_one_user_reaches_only_that_user(app, make_user, open_stream):
    alice, bob = make_user(consented=True), make_user(consented=True)
    alice_tab, alice_second_tab, bob_tab = open_stream(alice), open_stream(alice), open_stream(bob)

    with app.app_context():
        events.publish_to_user(alice.id, "wallet", '<p id="x">Two\nlines</p>')

    expected = 'event: wallet\ndata: <p id="x">Two\ndata: lines</p>\n\n'
    assert expected in alice_tab.wait_for("lines</p>")
    assert expected in alice_second_tab.wait_for("lines</p>")  # every tab of hers
    assert "wallet" not in bob_tab.settle(0.5)


def test_a_public_event_reaches_every_signed_in_tab(app, make_user, open_stream):
    tabs = [open_stream(make_user(consented=True)) for _ in range(3)]
    with app.app_context():
        events.publish_public("reader-status-7", "<span>Online</span>")
    for tab in tabs:
        assert "event: reader-status-7\ndata: <span>Online</span>\n\n" in tab.wait_for("Online")


def test_an_event_for_several_users_reaches_only_them(app, make_user, open_stream):
    """publish_to_users: one message for an audience (a premium stream's viewers), each of whose
    tabs gets it; anyone else's tab does not."""
    alice, bob, carol = make_user(consented=True), make_user(consented=True), make_user(consented=True)
    alice_tab, bob_tab, carol_tab = open_stream(alice), open_stream(bob), open_stream(carol)
    with app.app_context():
        events.publish_to_users([alice.id, bob.id, alice.id], "stream-5-chat", "<li>Hello</li>")
    for tab in (alice_tab, bob_tab):
        assert "event: stream-5-chat\ndata: <li>Hello</li>\n\n" in tab.wait_for("Hello")
    assert "stream-5-chat" not in carol_tab.settle(0.5)


def test_events_published_together_arrive_in_order(app, make_user, open_stream):
    """Several events in one message (a gift's animation, chat line and board) reach the tab as
    those events, in their order, each with its own name."""
    tab = open_stream(make_user(consented=True))
    with app.app_context():
        events.publish_public(
            [("stream-5-gift", "<p>Rose</p>"), ("stream-5-chat", "<li>a\nb</li>"), ("stream-5-board", "<ol></ol>")]
        )
    text = tab.wait_for("<ol></ol>")
    assert (
        "event: stream-5-gift\ndata: <p>Rose</p>\n\n"
        "event: stream-5-chat\ndata: <li>a\ndata: b</li>\n\n"
        "event: stream-5-board\ndata: <ol></ol>\n\n"
    ) in text
    with pytest.raises(ValueError), app.app_context():
        events.publish_public([("stream-5-gift", "<p>x</p>"), ("bad\nevent: forged", "<p>y</p>")])


def test_keep_alive_comments_and_reader_presence(app, make_user, open_stream, redis):
    reader = make_user(role="reader", consented=True)
    tab = open_stream(reader)
    redis.delete(events.PRESENCE_KEY.format(user_id=reader.id))
    tab.wait_for(": keep-alive\n\n", timeout=3)
    # The keep-alive of a reader's stream records their presence (they stay online).
    assert redis.get(events.PRESENCE_KEY.format(user_id=reader.id)) is not None


def test_a_closed_stream_unsubscribes(app, make_user, open_stream):
    user = make_user(consented=True)
    hub = events.hub(app.config["REDIS_URL"])
    before = hub.open_streams
    tab = open_stream(user)
    assert hub.open_streams == before + 1
    tab.close(timeout=3)  # noticed at the next keep-alive write, within a second here
    assert tab.ended.is_set()
    assert hub.open_streams == before


def test_a_stream_ends_after_its_lifetime(app, make_user, open_stream, stream_settings):
    stream_settings["EVENTS_STREAM_MAX_SECONDS"] = 1
    tab = open_stream(make_user(consented=True))
    assert tab.ended.wait(3)
    assert tab.text.startswith("retry: ")  # the browser reconnects after that many ms


def test_the_stream_holds_no_database_connection(app, db, make_user, open_stream):
    user = make_user(consented=True)
    user.get_id()  # loaded now: the session goes away
    db.session.remove()
    checked_out = db.engine.pool.checkedout()
    open_stream(user)
    open_stream(user)
    time.sleep(0.2)
    assert db.engine.pool.checkedout() == checked_out


def test_event_names_cannot_forge_fields(app_context):
    with pytest.raises(ValueError):
        events.publish_public("x\ndata: evil", "<p></p>")


def test_pages_connect_signed_in_users_to_the_stream(client, login, make_user):
    assert 'sse-connect="/events"' not in client.get("/").get_data(as_text=True)
    login(client, make_user(consented=True))
    assert 'sse-connect="/events"' in client.get("/").get_data(as_text=True)


def test_no_stream_on_the_consent_step(client, login, make_user):
    login(client, make_user(consented=False))
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "sse-connect" not in html


def test_a_burst_of_events_does_not_close_a_tab_that_keeps_up(redis):
    """A status change touching hundreds of readers at once (the idle job) publishes a burst. Under
    gevent, as in the web workers, the hub must let the streams drain their queues between events
    instead of filling them all first (which would close every open tab)."""
    burst = events.STREAM_QUEUE_SIZE * 5
    url = redis.connection_pool.connection_kwargs
    redis_url = f"redis://{url['host']}:{url['port']}/{url.get('db', 0)}"
    run = subprocess.run(
        [sys.executable, "-m", "tests.support.event_burst", redis_url, str(burst)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert run.stdout.split() == [str(burst), "False"]
