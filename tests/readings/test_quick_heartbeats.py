"""Heartbeats answered before Flask (issue #20; soulseer/quick_heartbeats.py): an unchanged panel
costs one statement and no view, then none while the row kept with the header versions holds, and
everything the quick path cannot vouch for gets Flask's own
answer. On the frozen clock of the billing tests, through the app's real WSGI stack."""

import http.client
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock, quick_heartbeats
from soulseer.extensions import db as database
from soulseer.extensions import get_redis
from soulseer.models import ContentPage, User
from soulseer.models.reading import Reading
from soulseer.models.user import UserStatus
from soulseer.services.core import events
from soulseer.services.payments import wallet
from soulseer.services.readings import billing, presence, room
from tests.conftest import LIVE_REDIS_URL
from tests.readings.conftest import at, fund, go_to
from tests.readings.test_presence import _beat, _browser, _room, _row, _version
from tests.support.browse import quick_pool_connected, sent_to_postgresql, view_calls
from tests.support.live_server import LiveServer


@pytest.fixture(autouse=True)
def _a_new_process(app):
    """Each test starts with nothing kept, as a new web process (the ids start again), its pool
    connected."""
    app.extensions["quick_heartbeats"].forget()
    quick_pool_connected(app)


def _joined(app, login, people, balance=10_000):
    """Both sides in the room, the meter running, and the panel each page shows."""
    session, nova, luna = _room(app, login, people, balance)
    _beat(nova, session.id)
    version = _version(_beat(luna, session.id).get_data(as_text=True))
    assert _row(session.id).state == "active"
    return session, nova, luna, version


def _beat_costing(statements_expected, test_client, reading_id, version):
    with sent_to_postgresql() as sent:
        answer = _beat(test_client, reading_id, version)
    assert len(sent) == statements_expected
    return answer


def _kept(test_client, reading_id, version, second=10):
    """Two quick heartbeats: the first reads the header versions and then the row, and keeps it
    (the reader's, once the reading's client is known here: her first learns it); the next costs
    no statement."""
    for offset in (0, 1):
        go_to(second + offset)
        assert _beat(test_client, reading_id, version).status_code == 204
    go_to(second + 2)
    assert _beat_costing(0, test_client, reading_id, version).status_code == 204


def test_the_clients_first_heartbeat_keeps_the_row_and_the_readers_once_the_client_is_known(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    for second, (browser, statements_expected) in enumerate(
        [(luna, 1), (luna, 1), (luna, 0), (nova, 1), (nova, 0)], start=10
    ):
        go_to(second)
        assert _beat_costing(statements_expected, browser, session.id, version).status_code == 204


def test_an_unchanged_panel_costs_one_statement_then_none_and_no_view(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    with view_calls(app, "readings.heartbeat") as views:
        for second, statements_expected in ((10, 1), (20, 0), (30, 0)):
            go_to(second)
            answer = _beat_costing(statements_expected, nova, session.id, version)
            assert answer.status_code == 204 and answer.get_data() == b""
            assert answer.headers["X-Limit-Ms"] == "60000"  # the minute reserved at the start
            assert presence.latest([session.id])[session.id]["client"] == at(second)
    assert views == []
    assert answer.headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in answer.headers
    assert answer.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in answer.headers


def test_a_kept_row_is_read_again_after_a_minute(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    _kept(nova, session.id, version)
    go_to(12 + quick_heartbeats.ROW_KEPT_SECONDS)
    assert _beat_costing(1, nova, session.id, version).status_code == 204
    go_to(13 + quick_heartbeats.ROW_KEPT_SECONDS)
    assert _beat_costing(0, nova, session.id, version).status_code == 204


def _post_to_the_clients_wallet(client, reader, reading_id):
    fund(client, 500, key="more")


def _mark_the_reader_gone(client, reader, reading_id):
    database.session.get(Reading, reading_id).reader_connected = False
    database.session.commit()


def _suspend(user):
    database.session.get(User, user.id).status = UserStatus.SUSPENDED
    database.session.commit()


def _sign_out_everywhere(user):
    database.session.get(User, user.id).session_epoch += 1
    database.session.commit()


def _new_terms(user):
    database.session.add(ContentPage(slug="terms", title="Terms", body_markdown="New terms", version=2))
    database.session.commit()


@pytest.mark.parametrize("change", [_post_to_the_clients_wallet, _mark_the_reader_gone])
@pytest.mark.parametrize("side", ["client", "reader"])
def test_a_change_to_the_reading_or_the_clients_wallet_ends_the_kept_row(app, login, people, change, side):
    """Either side's kept row follows the client's header version: a posting to her wallet, a
    change to the reading's row (its client's version). The next heartbeat reads the row again and
    goes to Flask."""
    session, nova, luna, version = _joined(app, login, people)
    browser = nova if side == "client" else luna
    _kept(browser, session.id, version)
    change(*people, session.id)
    go_to(13)
    answer = _beat(browser, session.id, version)
    # Flask's panel: the new one (the client's money, the reader shown gone), or for the reader
    # marked gone her rejoin on the locked row. The kept row would have said 204.
    assert answer.status_code == 200
    assert _row(session.id).reader_connected == (change is not _mark_the_reader_gone or side == "reader")


@pytest.mark.parametrize(
    ("change", "goes_to"),
    [(_suspend, "/sign-in"), (_sign_out_everywhere, "/sign-in"), (_new_terms, "/welcome/consent")],
)
@pytest.mark.parametrize("side", ["client", "reader"])
def test_a_suspension_an_ended_session_or_new_terms_ends_the_kept_row(app, login, people, change, goes_to, side):
    """Through the ORM, as the admin's and the account's pages change them (the user's header
    version; the global one for the Terms)."""
    session, nova, luna, version = _joined(app, login, people)
    browser, user = (nova, people[0]) if side == "client" else (luna, people[1])
    _kept(browser, session.id, version)
    change(user)
    go_to(13)
    answer = _beat(browser, session.id, version)
    assert answer.status_code == 302 and goes_to in answer.headers["Location"]
    assert presence.latest([session.id])[session.id][side] == at(12)  # not heard


def test_a_forged_csrf_token_is_refused_after_good_ones_passed(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    _kept(nova, session.id, version)
    go_to(13)
    headers = {"X-Panel-Version": version, "HX-Request": "true", "X-CSRFToken": nova.csrf[:-2] + "xx"}
    answer = nova.post(f"/readings/{session.id}/heartbeat", headers=headers)
    assert answer.status_code == 400
    assert presence.latest([session.id])[session.id]["client"] == at(12)  # not heard


def test_a_session_past_its_lifetime_is_never_answered_here(app, login, people):
    """The cookie's age is read on the clock Flask's session uses in production; here the frozen
    clock goes past the lifetime while Flask's signature check (on the real time) still takes it."""
    session, nova, luna, version = _joined(app, login, people)
    _kept(nova, session.id, version)
    clock.advance(datetime.now(UTC) + app.permanent_session_lifetime + timedelta(minutes=1) - clock.now())
    with view_calls(app, "readings.heartbeat") as views:
        _beat(nova, session.id, version)
    assert len(views) == 1


def test_the_quick_path_records_the_side_heard_and_a_readers_activity(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    client, reader = people
    activity = events.PRESENCE_KEY.format(user_id=reader.id)
    get_redis().delete(activity)
    go_to(10)
    assert _beat(luna, session.id, version).status_code == 204
    assert presence.latest([session.id])[session.id]["reader"] == at(10)
    assert float(get_redis().get(activity)) == at(10).timestamp()
    go_to(11)
    _beat(luna, session.id, version)  # the row is kept: the next one costs no statement
    get_redis().delete(activity)
    go_to(12)
    assert _beat_costing(0, luna, session.id, version).status_code == 204
    assert presence.latest([session.id])[session.id]["reader"] == at(12)
    assert float(get_redis().get(activity)) == at(12).timestamp()
    assert get_redis().ttl(activity) > events.PRESENCE_TTL_SECONDS - 5
    go_to(20)
    assert _beat(nova, session.id, version).status_code == 204
    assert presence.latest([session.id])[session.id]["client"] == at(20)
    assert _row(session.id).client_seen_at == at(0)  # the row is the tick's to write


def test_the_row_read_before_flask_gives_the_same_panel_version_as_the_model(app, login, people):
    """`room.heard` reads the statement's row as the view reads the model: the same version in
    every state the room goes through."""
    session, nova, luna, _ = _joined(app, login, people, balance=400)
    client, _reader = people
    for second, beat in ((10, True), (45, True), (75, False), (122, True)):
        go_to(second)
        if beat:
            _beat(nova, session.id)
            _beat(luna, session.id)
        billing.tick()
        database.session.commit()
        with database.engine.connect() as connection:
            row = connection.execute(
                quick_heartbeats.statement(), {"reading_id": session.id, "user_id": client.id}
            ).one()
        reading = _row(session.id)
        assert row.client_balance == wallet.balance(client.id)
        assert room.panel_version(row, row.client_balance) == room.panel_version(reading, wallet.balance(client.id))


def test_a_changed_panel_goes_to_flask_and_gets_the_panel(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    answer = _beat(nova, session.id, "0" * 16)
    assert answer.status_code == 200 and _version(answer.get_data(as_text=True)) == version


def test_a_resume_goes_to_flask_and_the_locked_row(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    go_to(26)
    billing.tick()  # nobody heard from for 25 s: paused
    database.session.commit()
    assert _row(session.id).state == "paused"
    _beat(nova, session.id, version)
    answer = _beat(luna, session.id, version)
    assert answer.status_code == 200
    assert _row(session.id).state == "active"


def test_a_strangers_heartbeat_is_a_404(app, login, people, make_user):
    session, nova, luna, version = _joined(app, login, people)
    stranger = _browser(app, login, make_user(role="client", consented=True))
    assert _beat(stranger, session.id, version).status_code == 404
    assert _beat(nova, 2**31, version).status_code == 404
    assert _beat(nova, 99_999_999, version).status_code == 404


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_missing_or_forged_csrf_token_is_a_400(app, login, people, token):
    session, nova, luna, version = _joined(app, login, people)
    headers = {"X-Panel-Version": version, "HX-Request": "true"}
    if token:
        headers["X-CSRFToken"] = token
    go_to(10)
    answer = nova.post(f"/readings/{session.id}/heartbeat", headers=headers)
    assert answer.status_code == 400
    assert presence.latest([session.id])[session.id].get("client") != at(10)  # not heard


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = :id",  # signed out everywhere
        "UPDATE users SET status = 'suspended' WHERE id = :id",
    ],
)
def test_an_ended_session_or_a_suspended_user_is_sent_to_sign_in(app, login, people, change):
    session, nova, luna, version = _joined(app, login, people)
    client, _reader = people
    database.session.execute(sa.text(change), {"id": client.id})
    database.session.commit()
    answer = _beat(nova, session.id, version)
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def test_consent_owed_is_sent_to_the_consent_step(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    client, _reader = people
    database.session.execute(sa.text("UPDATE users SET terms_version = 0 WHERE id = :id"), {"id": client.id})
    database.session.commit()
    answer = _beat(nova, session.id, version)
    assert answer.status_code == 302 and "/consent" in answer.headers["Location"]


def test_a_heartbeat_with_a_body_goes_to_flask(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    headers = {"X-Panel-Version": version, "HX-Request": "true"}
    with sent_to_postgresql() as sent:
        answer = nova.post(f"/readings/{session.id}/heartbeat", headers=headers, data={"csrf_token": nova.csrf})
    assert answer.status_code == 204
    assert len(sent) > 1  # Flask's view read the user, the reading and the balance


def test_a_side_marked_gone_rejoins_through_flask(app, login, people):
    session, nova, luna, version = _joined(app, login, people)
    database.session.execute(sa.update(Reading).where(Reading.id == session.id).values(client_connected=False))
    database.session.commit()
    answer = _beat(nova, session.id, version)
    assert answer.status_code == 200  # not connected: a rejoin on the locked row, with the panel
    assert _row(session.id).client_connected


def test_behind_gunicorn_an_unchanged_panel_is_answered_before_flask(app, login, people):
    """Through the Procfile's web process (gunicorn's environ, not the test client's). Every answer
    of Flask carries a Content-Type, even an empty 204; the one given before Flask has none."""
    session, nova, luna, _ = _joined(app, login, people)
    server = LiveServer(env={"REDIS_URL": LIVE_REDIS_URL}, processes=("web",)).start(wait_for_health=False)
    name = app.config["SESSION_COOKIE_NAME"]
    headers = {"Cookie": f"{name}={nova.get_cookie(name).value}", "X-CSRFToken": nova.csrf, "HX-Request": "true"}
    answers = []
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for extra, body in (({}, ""), ({"X-Panel-Version": None}, ""), ({"X-Panel-Version": None}, "x=1")):
            if "X-Panel-Version" in extra:
                extra = {"X-Panel-Version": _version(answers[0][2])}
            sent = {**headers, **extra, "Content-Type": "application/x-www-form-urlencoded"}
            connection.request("POST", f"/readings/{session.id}/heartbeat", body=body, headers=sent)
            answer = connection.getresponse()
            answers.append((answer.status, answer.getheader("Content-Type"), answer.read().decode()))
        connection.close()
    finally:
        server.stop()
    through_flask, quick, with_a_body = answers
    assert through_flask[:2] == (200, "text/html; charset=utf-8")
    assert quick == (204, None, "")
    assert with_a_body == (204, "text/html; charset=utf-8", "")  # the same heartbeat, through Flask
