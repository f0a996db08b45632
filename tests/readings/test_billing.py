"""The billing engine: metered to the second, reserved minute by minute, settled exactly."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, reads, verify
from soulseer.models.reading import Reading
from soulseer.services.readings import billing, lifecycle, metering, states
from soulseer.services.readings.states import IllegalTransition, transition
from tests.readings import bulk
from tests.readings.conftest import Session, at, fund, go_to, online_at
from tests.support.database import empty_tables


def wallet_of(user):
    database.session.expire_all()
    return reads.account_balance(accounts.wallet(user))


def earnings_of(user):
    database.session.expire_all()
    return reads.account_balance(accounts.reader_earnings(user))


def reservations(reading_id):
    return database.session.execute(
        sa.select(sa.func.count())
        .select_from(LedgerTransaction)
        .where(LedgerTransaction.kind == "hold_reserve", LedgerTransaction.reference_id == reading_id)
    ).scalar()


def test_a_reading_is_billed_to_the_second_and_split(start_reading, people):
    client, reader = people
    session = start_reading(rate=150, balance=10_000)
    reading = session.reading()
    assert reading.state == "active" and reading.minutes_reserved == 1
    assert wallet_of(client) == 10_000 - 150  # minute 1 reserved at the start
    session.run_until(150)  # 2 min 30 s
    assert session.reading().minutes_reserved == 3
    reading = session.finish(client)
    assert reading.state == "finalized" and reading.end_reason == "completed_by_client"
    assert reading.metered_seconds == 150
    assert reading.cost_cents == 375  # ceil(150 × 150 / 60)
    assert wallet_of(client) == 10_000 - 375  # the unused reservation came back
    assert earnings_of(reader) == 262 and reading.reader_earnings_cents == 262  # floor(375 × 0.7)
    assert reads.account_balance(accounts.hold("reading", session.id, client)) == 0
    assert reservations(session.id) == 3


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seconds=st.integers(min_value=1, max_value=400), rate=st.integers(min_value=50, max_value=5000))
def test_cost_is_ceil_of_seconds_times_rate_over_sixty(app, make_user, seconds, rate):
    with app.app_context():
        from soulseer import clock
        from tests.readings.conftest import START

        with clock.frozen(START):
            client = make_user(role="client", consented=True)
            reader = make_user(role="reader", consented=True)
            fund(client, rate * 20)
            session = Session(client, reader, rate)
            session.accept()
            session.join_both()
            session.run_until(seconds, step=20)
            reading = session.finish(client)
            assert reading.metered_seconds == seconds
            assert reading.cost_cents == -(-seconds * rate // 60)
            assert wallet_of(client) == rate * 20 - reading.cost_cents
        failed = [check.name for check in verify.run() if not check.ok]
        assert failed == []
        database.session.remove()
        with database.engine.begin() as conn:
            empty_tables(conn)


def test_a_paused_minute_is_never_charged(start_reading, people):
    client, reader = people
    session = start_reading(rate=60)  # a cent a second
    session.run_until(70)
    session.do(metering.left, reader.id)  # the reader's tab closes at 70 s
    assert session.reading().state == "paused"
    session.run_until(130, who="client")  # a minute passes with only the client there
    assert session.reading().state == "paused"
    session.heartbeat()  # the reader is back within the grace period
    assert session.reading().state == "active"
    session.run_until(170)
    reading = session.finish(client)
    assert reading.metered_seconds == 110  # 70 + 40: the paused minute is not there
    assert reading.cost_cents == 110


def test_silence_pauses_the_meter_at_the_last_heartbeat(start_reading, people):
    client, reader = people
    session = start_reading(rate=60)
    session.run_until(40)
    session.run_until(80, who="client")  # the reader's heartbeats stop after 40 s
    reading = session.reading()
    assert reading.state == "paused" and reading.pause_reason == "disconnected"
    assert reading.metered_seconds == 40


def test_grace_expiry_ends_and_settles(start_reading, people):
    client, _ = people
    session = start_reading(rate=60)
    session.run_until(30)
    session.do(metering.left, client.id)
    session.run_until(30 + 121, who=None)
    reading = session.reading()
    assert reading.state == "finalized" and reading.end_reason == "grace_expired"
    assert reading.cost_cents == 30


def test_funds_running_out_pause_then_end_on_time(start_reading, people):
    client, reader = people
    session = start_reading(rate=100, balance=300)  # exactly three minutes
    session.run_until(185)
    reading = session.reading()
    assert reading.state == "paused" and reading.pause_reason == "funds"
    assert reading.metered_seconds == 180  # stopped at the minute boundary, not at the tick
    session.run_until(185 + 121, who="both")
    reading = session.reading()
    assert reading.state == "finalized" and reading.end_reason == "insufficient_funds"
    assert reading.cost_cents == 300
    assert wallet_of(client) == 0
    assert earnings_of(reader) == 210


def test_a_top_up_during_the_funds_pause_resumes_the_reading(start_reading, people):
    client, _ = people
    session = start_reading(rate=100, balance=300)
    session.run_until(185)
    assert session.reading().pause_reason == "funds"
    fund(client, 1000, key="in-room")
    session.run_until(195)  # the next tick reserves minute 4 and the meter runs again
    reading = session.reading()
    assert reading.state == "active" and reading.minutes_reserved == 4
    session.run_until(205)
    reading = session.finish(client)
    assert reading.metered_seconds == 190  # 180, then 10 s after resuming at 195
    assert wallet_of(client) == 1300 - reading.cost_cents


def test_spend_cap_ends_the_reading_at_the_cap(start_reading, people):
    client, _ = people
    session = start_reading(rate=100, balance=5000, cap=250)  # two whole minutes
    session.run_until(200)
    reading = session.reading()
    assert reading.state == "finalized" and reading.end_reason == "spend_cap"
    assert reading.cost_cents == 200 and reading.metered_seconds == 120


def test_the_next_minute_is_reserved_ahead_so_the_meter_never_waits_for_the_tick(app, start_reading, people):
    client, _ = people
    ahead = app.config["RESERVE_AHEAD_SECONDS"]
    assert metering.reserve_ahead_ms() == ahead * 1000 < 30_000
    session = start_reading(rate=100)
    session.run_until(59 - ahead, step=1)
    assert session.reading().minutes_reserved == 1
    session.run_until(60 - ahead, step=1)  # the tick at the start of the window reserves minute 2
    reading = session.reading()
    assert reading.minutes_reserved == 2 and wallet_of(client) == 10_000 - 200
    assert metering.limit_ms(reading) == 120_000 and reading.state == "active"
    session.run_until(61, step=1)  # past the first boundary without a stop
    assert metering.metered_ms(session.reading(), metering.clock.now()) == 61_000


def test_a_minute_refused_ahead_of_the_boundary_stops_the_meter_only_at_the_boundary(app, start_reading, people):
    client, _ = people
    ahead = app.config["RESERVE_AHEAD_SECONDS"]
    session = start_reading(rate=100, balance=300)  # three minutes
    session.run_until(180 - ahead + 5, step=1)  # minute 4 refused at every tick in the window...
    reading = session.reading()
    assert reading.state == "active" and reading.minutes_reserved == 3  # ...and the meter runs on
    fund(client, 100, key="just-in-time")  # a top-up before the boundary: no pause at all
    session.run_until(180, step=1)
    reading = session.reading()
    assert reading.state == "active" and reading.minutes_reserved == 4
    session.run_until(241, step=1)  # now nothing is left: the meter stops at 240 s exactly
    reading = session.reading()
    assert reading.state == "paused" and reading.pause_reason == "funds" and reading.metered_seconds == 240


def test_a_repeated_tick_never_reserves_a_minute_twice(start_reading):
    session = start_reading(rate=100)
    go_to(61)
    session.heartbeat()
    billing.tick()
    billing.tick()
    billing.tick()
    assert session.reading().minutes_reserved == 2
    assert reservations(session.id) == 2


def test_an_interrupted_tick_loses_nothing(start_reading):
    session = start_reading(rate=100)
    go_to(61)
    session.heartbeat()
    ids = billing.due_reading_ids(metering.clock.now(), 100)
    for reading_id in ids:
        billing.bill(states.lock(reading_id))
    database.session.rollback()  # the worker died before committing its batch
    assert session.reading().minutes_reserved == 1
    billing.tick()  # the next tick catches up
    assert session.reading().minutes_reserved == 2 and reservations(session.id) == 2


def test_two_workers_ticking_at_once_bill_each_minute_once(app, db, run_in_parallel):
    # 500 readings that metered their first minute (made in bulk: tests/readings/bulk.py) are all
    # due for minute 2 when two workers tick at the same moment, in small batches so they interleave.
    ids = bulk.active_readings(500, rate=100, balance=10_000, started=at(0), seen=at(61))
    go_to(61)

    results = run_in_parallel(lambda i: billing.tick(batch_size=7), 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 500  # every due reading handled once between the two workers
    rows = database.session.execute(
        sa.select(Reading.minutes_reserved, sa.func.count()).group_by(Reading.minutes_reserved)
    ).all()
    assert dict(rows) == {2: 500}
    per_reading = database.session.execute(
        sa.select(LedgerTransaction.reference_id, sa.func.count())
        .where(LedgerTransaction.kind == "hold_reserve", LedgerTransaction.reference_id.in_(ids))
        .group_by(LedgerTransaction.reference_id)
    ).all()
    assert dict(per_reading) == dict.fromkeys(ids, 2)  # one reservation per minute, per reading
    assert all(wallet_of(reading.client) == 10_000 - 200 for reading in database.session.query(Reading).limit(20))
    # `flask ledger verify` then runs after the test (tests/readings/conftest.py).


def test_request_expiry_and_join_timeout_cancel_without_charge(people):
    client, reader = people
    fund(client, 1000)
    session = Session(client, reader, 100)
    go_to(61)
    billing.tick()
    reading = session.reading()
    assert reading.state == "cancelled" and reading.end_reason == "expired"
    second = Session(client, reader, 100)
    second.accept()
    second.do(metering.seen, client.id)  # the reader never joins
    go_to(61 + 121)
    billing.tick()
    reading = second.reading()
    assert reading.state == "cancelled" and reading.end_reason == "join_timeout"
    assert wallet_of(client) == 1000


def test_an_illegal_transition_raises_and_changes_nothing(start_reading):
    session = start_reading()
    reading = session.reading()
    with pytest.raises(IllegalTransition):
        transition(reading, "requested")
    with pytest.raises(IllegalTransition):
        transition(reading, "finalized")
    database.session.rollback()
    assert session.reading().state == "active"


def test_one_open_reading_per_client_and_per_reader(people, make_user):
    client, reader = people
    fund(client, 10_000)
    Session(client, reader, 100)
    with pytest.raises(lifecycle.ReadingError, match="already have a reading"):
        lifecycle.request(client, online_at(make_user(role="reader", consented=True)), "chat")
    database.session.rollback()
    other = make_user(role="client", consented=True)
    fund(other, 10_000)
    with pytest.raises(lifecycle.ReadingError, match="another reading"):
        lifecycle.request(other, online_at(reader), "chat")
    database.session.rollback()
    assert database.session.query(Reading).count() == 1


def test_requests_need_three_minutes_of_balance(people):
    client, reader = people
    fund(client, 299)
    with pytest.raises(lifecycle.ReadingError, match="3 minutes"):
        lifecycle.request(client, online_at(reader), "chat")


def test_accepting_twice_or_after_expiry_is_refused(people):
    client, reader = people
    fund(client, 1000)
    session = Session(client, reader, 100)
    session.accept()
    with pytest.raises(lifecycle.ReadingError, match="no longer"):
        session.accept()
    database.session.rollback()
    session.finish(client)  # withdrawn before it started
    late = Session(client, reader, 100)
    go_to(61)
    with pytest.raises(lifecycle.ReadingError, match="expired"):
        late.accept()
    database.session.commit()
    assert late.reading().state == "cancelled"
