"""Heartbeats that scale (issue #20; services/readings/presence.py): a heartbeat that changes nothing
but the time is kept in Redis, folded into the row by the real tick; the meter's rules do not move.
On the frozen clock of the billing tests, through the HTTP heartbeat and `billing.tick()`."""

from soulseer.extensions import db as database
from soulseer.extensions import get_redis
from soulseer.models.reading import Reading
from soulseer.services.readings import billing, presence
from tests.conftest import csrf_token_from
from tests.readings.conftest import Session, at, fund, go_to
from tests.support.browse import Statements


def _browser(app, login, user):
    test_client = login(app.test_client(), user)
    test_client.csrf = csrf_token_from(test_client.get("/account").get_data(as_text=True))
    return test_client


def _beat(test_client, reading_id, version=None):
    headers = {"X-CSRFToken": test_client.csrf, "HX-Request": "true"}
    if version:
        headers["X-Panel-Version"] = version
    return test_client.post(f"/readings/{reading_id}/heartbeat", headers=headers)


def _row(reading_id):
    database.session.expire_all()
    return database.session.get(Reading, reading_id)


def _version(html):
    return html.split('data-panel-version="', 1)[1].split('"', 1)[0]


def _room(app, login, people, balance=10_000):
    client, reader = people
    fund(client, balance)
    session = Session(client, reader, rate=100)
    session.accept()
    return session, _browser(app, login, client), _browser(app, login, reader)


def _tick_with_two_workers(run_in_parallel):
    """The cron's tick, run by two workers at the same moment (as the Procfile's worker may)."""
    return sum(run_in_parallel(lambda i: billing.tick(), 2))


def test_the_meter_starts_runs_pauses_resumes_and_ends_on_heartbeats_kept_in_redis(app, login, people, run_in_parallel):
    session, nova, luna = _room(app, login, people)
    # Joins go through the locked row: the meter starts when both are here.
    _beat(nova, session.id)
    assert _row(session.id).state == "accepted"
    _beat(luna, session.id)
    row = _row(session.id)
    assert (row.state, row.meter_started_at, row.client_seen_at) == ("active", at(0), at(0))

    # Then every 10 s for 60 s: kept in Redis, the row untouched by the heartbeats themselves.
    for second in range(10, 70, 10):
        go_to(second)
        with Statements() as statements:
            assert _beat(nova, session.id).status_code == 200
            assert _beat(luna, session.id).status_code == 200
        assert not [s for s in statements.seen if s.lstrip().upper().startswith("UPDATE") or "FOR UPDATE" in s]
        _tick_with_two_workers(run_in_parallel)
    row = _row(session.id)
    assert row.state == "active" and row.minutes_reserved == 2  # the tick read the heartbeats from Redis
    assert row.client_seen_at >= at(40) and row.reader_seen_at >= at(40)

    # Luna goes quiet after 60 s: 25 s after her last heartbeat the tick pauses the meter at it.
    for second in range(70, 100, 5):
        go_to(second)
        _beat(nova, session.id)
        _tick_with_two_workers(run_in_parallel)
    row = _row(session.id)
    assert (row.state, row.pause_reason, row.metered_ms) == ("paused", "disconnected", 60_000)
    assert not row.reader_connected

    # She is back at 120 s: her heartbeat resumes the meter (a resume, on the locked row).
    go_to(120)
    _beat(luna, session.id)
    row = _row(session.id)
    assert (row.state, row.meter_started_at, row.metered_ms) == ("active", at(120), 60_000)

    # Both quiet from 130 s: paused at 130 (25 s later), ended when the 120 s of grace are over.
    go_to(130)
    _beat(nova, session.id)
    _beat(luna, session.id)
    handled = []
    for second in range(135, 300, 5):
        go_to(second)
        handled.append((second, _tick_with_two_workers(run_in_parallel)))
    row = _row(session.id)
    assert (row.state, row.end_reason, row.metered_ms) == ("finalized", "grace_expired", 70_000), (
        row.pause_deadline,
        row.pause_reason,
        handled,
    )
    assert row.cost_cents == 117  # 70 s at $1.00 a minute, rounded up to the cent


def test_heartbeats_lost_with_redis_never_bill_time_nobody_was_seen(app, login, people):
    session, nova, luna = _room(app, login, people)
    _beat(nova, session.id)
    _beat(luna, session.id)  # the meter runs from 0 s
    for second in (10, 20):
        go_to(second)
        _beat(nova, session.id)
        _beat(luna, session.id)
    assert _row(session.id).client_seen_at == at(0)  # the heartbeats of 10 s and 20 s are in Redis only
    get_redis().flushdb()  # Redis restarted empty: they are gone
    go_to(26)
    billing.tick()
    row = _row(session.id)
    # Paused at the last moment PostgreSQL knew both were here (0 s), never later: nothing billed.
    assert (row.state, row.pause_reason, row.metered_ms) == ("paused", "disconnected", 0)
    go_to(30)
    _beat(nova, session.id)
    _beat(luna, session.id)  # the next heartbeat resumes the meter from its own time
    row = _row(session.id)
    assert (row.state, row.meter_started_at, row.metered_ms) == ("active", at(30), 0)


def test_an_unchanged_panel_is_not_sent_again(app, login, people):
    session, nova, luna = _room(app, login, people, balance=400)
    _beat(nova, session.id)
    version = _version(_beat(luna, session.id).get_data(as_text=True))
    go_to(10)
    answer = _beat(luna, session.id, version)
    assert answer.status_code == 204 and answer.get_data() == b""
    assert presence.latest([session.id])[session.id]["reader"] == at(10)
    assert _version(_beat(luna, session.id).get_data(as_text=True)) == version  # no version sent: the panel

    for second in (20, 30, 40):
        go_to(second)
        assert _beat(nova, session.id, version).status_code == 204
        answer = _beat(luna, session.id, version)
        assert (answer.status_code, answer.headers["X-Limit-Ms"]) == (204, "60000")  # minute 1 reserved
        billing.tick()

    # The tick reserves minute 2 at 45 s (ahead of the boundary). The panel shows the same: the
    # client's money for the reading only moved from her wallet to the reservation. So it is not
    # sent again; the answer carries the meter's new limit, two minutes, which the page's clock
    # runs up to.
    go_to(45)
    _beat(nova, session.id)
    billing.tick()
    assert _row(session.id).minutes_reserved == 2
    answer = _beat(luna, session.id, version)
    assert (answer.status_code, answer.headers["X-Limit-Ms"]) == (204, "120000")
    panel = _beat(luna, session.id).get_data(as_text=True)  # asked for in full, it says so too
    assert _version(panel) == version and 'data-limit-ms="120000"' in panel

    # Time alone can change the panel: with $4.00 at $1.00 a minute the balance goes low at 121 s,
    # and the row does not change between minute 3's reservation (105 s) and minute 4's.
    for second in range(50, 120, 10):
        go_to(second)
        _beat(nova, session.id)
        _beat(luna, session.id)
        billing.tick()
    assert _row(session.id).minutes_reserved == 3
    html = _beat(nova, session.id).get_data(as_text=True)
    assert "low-balance" not in html
    version = _version(html)
    go_to(122)
    _beat(luna, session.id)
    answer = _beat(nova, session.id, version)
    assert answer.status_code == 200 and "low-balance" in answer.get_data(as_text=True)
