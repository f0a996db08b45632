"""A client's reading room answered before Flask around a panel rendered for the request (issue #20;
soulseer/quick_room.py): one statement and no view, the very page Flask renders at that moment,
and never a shell kept before a change that it shows (a chat line, a line hidden, a state, a name,
the balance, the time). Everything the quick path cannot vouch for gets Flask's own answer."""

import re

import brotli
import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.extensions import get_quick_engine
from soulseer.ledger import operations
from soulseer.models import User
from soulseer.models.user import UserStatus
from soulseer.services.moderation import visibility
from soulseer.services.readings import chat, metering, states
from tests.readings.conftest import Session, fund, go_to
from tests.support.browse import quick_pool_connected, sent_to_postgresql, view_calls
from tests.test_signed_in_responses import _sign_in


def _active_room(app, client, reader):
    """An active chat reading, both sides joined; her browser signed in as the form leaves it."""
    fund(client, 10_000)
    session = Session(client, reader, rate=100)
    session.accept()
    session.join_both()
    return session, _sign_in(app.test_client(), client)


@pytest.fixture
def room(app, people):
    quick_pool_connected(app)
    return _active_room(app, *people)


def _opened(app, room):
    """Her room loaded once by Flask (which keeps its shell), then once before Flask: its path."""
    session, browser = room
    path = f"/readings/{session.id}"
    browser.get(path)
    _quick(app, browser, path)
    return path


def _quick(app, browser, path, **kwargs):
    """Her page, answered before Flask: one statement, no view."""
    with view_calls(app, "readings.show") as views, sent_to_postgresql() as sent:
        response = browser.get(path, **kwargs)
    assert response.status_code == 200
    assert views == [] and len(sent) == 1, "the room was not answered before Flask"
    return response


def _by_flask(app, browser, path):
    """What Flask renders for her now, nothing kept (and nothing answered before it)."""
    seconds = app.config["BROWSE_CACHE_SECONDS"]
    app.config["BROWSE_CACHE_SECONDS"] = 0
    try:
        with view_calls(app, "readings.show") as views:
            response = browser.get(path)
    finally:
        app.config["BROWSE_CACHE_SECONDS"] = seconds
    assert response.status_code == 200 and len(views) == 1
    return response


# A CSRF token as a page carries it: the session's token, then when it was signed and the signature.
# Signed again whenever a page is rendered (a second later it reads differently), valid as long as the
# session (WTF_CSRF_TIME_LIMIT is None): pages are compared by the token they carry.
SIGNED_TOKEN = re.compile(r"\b(I[A-Za-z0-9_-]{50,})\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{27}\b")


def _text(response):
    """The page's HTML, each CSRF token as the session's token it signs."""
    return SIGNED_TOKEN.sub(r"\1", response.get_data(as_text=True))


def _drawn_again(app, browser, path):
    """Her next load, which must reach the view (what was kept before a change is not used after it)."""
    with view_calls(app, "readings.show") as views:
        response = browser.get(path)
    assert response.status_code == 200 and len(views) == 1, "a shell kept before the change was used"
    return _text(response)


def test_her_second_load_is_answered_before_flask_and_is_the_page_flask_renders(app, room):
    session, browser = room
    path = f"/readings/{session.id}"
    first = browser.get(path)  # Flask renders it and keeps the shell
    assert first.status_code == 200
    go_to(42)  # the panel is of this moment, not the shell's
    quick = _quick(app, browser, path)
    flask = _by_flask(app, browser, path)
    assert SIGNED_TOKEN.search(quick.get_data(as_text=True)), "the page carries its CSRF tokens"
    assert _text(quick) == _text(flask)
    assert "00:42" in quick.get_data(as_text=True) and "00:42" not in first.get_data(as_text=True)
    assert "Set-Cookie" not in quick.headers
    flask_headers = {name: value for name, value in flask.headers if name not in ("Set-Cookie", "Content-Length")}
    quick_headers = {name: value for name, value in quick.headers if name != "Content-Length"}
    assert quick_headers == flask_headers
    compressed = _quick(app, browser, path, headers={"Accept-Encoding": "br"})
    assert compressed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(compressed.get_data()) == quick.get_data()


def test_a_new_line_a_hidden_line_and_a_renamed_reader_are_never_missed(app, room, people, make_user):
    client, reader = people
    session, browser = room
    path = _opened(app, room)

    line = chat.post_message(states.lock(session.id), reader, "The Star, upright.")
    database.session.commit()
    html = _drawn_again(app, browser, path)
    assert "The Star, upright." in html
    assert _text(_quick(app, browser, path)) == html

    admin = make_user(role="admin", consented=True)
    visibility.hide("reading_message", line.id, "Not for this reading.", admin)
    database.session.commit()
    html = _drawn_again(app, browser, path)
    assert "The Star, upright." not in html and "A moderator hid this message." in html
    assert _text(_quick(app, browser, path)) == html

    database.session.get(User, reader.id).display_name = "Luna Moon"
    database.session.commit()
    html = _drawn_again(app, browser, path)
    assert "Luna Moon" in html
    assert _text(_quick(app, browser, path)) == _text(_by_flask(app, browser, path))


def test_the_panel_is_read_at_every_request_the_balance_the_state_and_the_clock(app, room, people):
    client, _reader = people
    session, browser = room
    path = f"/readings/{session.id}"
    browser.get(path)

    operations.credit_topup(client, 5_000, f"topup:more:{client.id}", ("topup", client.id))
    database.session.commit()
    go_to(30)
    quick = _text(_quick(app, browser, path))
    assert quick == _text(_by_flask(app, browser, path))
    assert "$149.50" in quick  # $150.00 in her wallet and reserved, less 30 seconds at $1.00 a minute

    session.do(metering.left, session.reader.id)  # the reader's connection dropped: paused
    go_to(40)
    html = _drawn_again(app, browser, path)  # the state is the shell's too: Flask draws it again
    assert "reconnecting" in html
    assert _text(_quick(app, browser, path)) == _text(_by_flask(app, browser, path))


def test_what_the_quick_path_cannot_vouch_for_gets_flasks_answer(app, room, people, make_user):
    client, reader = people
    session, browser = room
    path = _opened(app, room)

    # The reader's room (her guidance notes, her status) is always Flask's.
    reader_browser = _sign_in(app.test_client(), reader)
    reader_browser.get(path)
    _drawn_again(app, reader_browser, path)

    # A stranger, even one who has a shell of her own somewhere: Flask's 404.
    stranger = _sign_in(app.test_client(), make_user(role="client", consented=True))
    with view_calls(app, "readings.show") as views:
        assert stranger.get(path).status_code == 404
    assert len(views) == 1

    # A query, an HTMX request: Flask's.
    for kwargs in ({"query_string": {"x": "1"}}, {"headers": {"HX-Request": "true"}}):
        with view_calls(app, "readings.show") as views:
            browser.get(path, **kwargs)
        assert len(views) == 1

    # Signed out everywhere (a new epoch): Flask sends her to sign in.
    database.session.get(User, client.id).session_epoch += 1
    database.session.commit()
    answer = browser.get(path)
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def test_an_ended_reading_and_a_suspended_client_go_to_flask(app, room, people, make_user):
    client, reader = people
    session, browser = room
    path = _opened(app, room)
    database.session.get(User, client.id).status = UserStatus.SUSPENDED
    database.session.commit()
    with view_calls(app, "readings.show") as views:
        answer = browser.get(path)
    assert len(views) == 1 and answer.status_code == 302  # Flask-Login's answer, not the room

    other = _active_room(app, make_user(role="client", consented=True), make_user(role="reader", consented=True))
    other_session, other_browser = other
    other_path = _opened(app, other)
    other_session.finish(other_session.client)
    assert "Reading summary" in _drawn_again(app, other_browser, other_path)
    _drawn_again(app, other_browser, other_path)  # the summary is never answered before Flask


def test_a_connection_postgresql_dropped_sends_the_page_to_flask_once(app, room):
    """The quick room's connections are not pinged before use (extensions.get_quick_engine): a dropped one
    fails its statement, the page is Flask's, and the next load takes a new connection."""
    session, browser = room
    path = _opened(app, room)
    with app.app_context():
        connection = get_quick_engine().raw_connection()
        pid = connection.driver_connection.info.backend_pid
        connection.close()
    database.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    database.session.commit()
    html = _drawn_again(app, browser, path)
    assert "Luna" in html
    assert _text(_quick(app, browser, path)) == _text(_by_flask(app, browser, path))
