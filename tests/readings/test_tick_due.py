"""'This reading needs the tick' is one rule written twice, in Python (billing.needs_tick) and in
SQL (billing.needs_tick_clause): for hundreds of readings of every shape, both say the same."""

import random
from datetime import timedelta

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models.reading import PauseReason, Reading, ReadingState
from soulseer.services.readings import billing, metering
from tests.readings.bulk import PEOPLE_AND_READINGS
from tests.readings.conftest import START

N = 400


def _moment(rng, now):
    """None, or a moment around `now` in whole milliseconds (the meter's unit), often near it."""
    if rng.random() < 0.1:
        return None
    spread = rng.choice([2_000, 30_000, 200_000])
    return now + timedelta(milliseconds=rng.randint(-spread, spread))


def _shape(reading, rng, now, minute_ms):
    reading.state = rng.choice(list(ReadingState))
    reading.request_expires_at = _moment(rng, now) or now
    reading.join_deadline = _moment(rng, now)
    reading.pause_reason = rng.choice([None, PauseReason.FUNDS, PauseReason.DISCONNECTED])
    reading.pause_deadline = _moment(rng, now)
    reading.client_seen_at = _moment(rng, now)
    reading.reader_seen_at = _moment(rng, now)
    reading.minutes_reserved = rng.randint(0, 4)
    reading.metered_ms = rng.randint(0, reading.minutes_reserved * minute_ms)
    reading.meter_started_at = _moment(rng, now - timedelta(milliseconds=minute_ms))


def test_the_sql_and_the_python_rule_agree_on_every_reading(app, db):
    now = START
    with database.engine.begin() as conn:
        conn.execute(sa.text(PEOPLE_AND_READINGS), {"n": N, "rate": 100, "started": now, "seen": now})
    rng = random.Random(20261205)
    minute_ms = metering.minute_ms()
    readings = database.session.execute(sa.select(Reading).order_by(Reading.id)).scalars().all()
    for reading in readings:
        _shape(reading, rng, now, minute_ms)
    # The open-reading indexes allow one open reading per person; each bulk pair is its own people.
    database.session.commit()

    by_python = {r.id for r in readings if billing.needs_tick(r, now)}
    by_sql = set(database.session.execute(sa.select(Reading.id).where(billing.needs_tick_clause(now))).scalars())
    assert by_python == by_sql
    # The sample covers both answers for every state, so agreement is not agreement on "never".
    for state in ReadingState:
        answers = {billing.needs_tick(r, now) for r in readings if r.state == state}
        assert answers == (
            {True}
            if state == ReadingState.ENDED
            else {False}
            if state in (ReadingState.FINALIZED, ReadingState.CANCELLED)
            else {True, False}
        ), state
