"""Billing tests are money tests: `flask ledger verify` runs after each (see tests/ledger/conftest.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import operations
from soulseer.models import ReaderProfile, ReaderStatus
from soulseer.services.marketplace import profiles
from soulseer.services.readings import billing, lifecycle, metering, states
from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401

START = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    """Billing tests hold the clock and move it by hand."""
    with clock.frozen(START):
        yield
    clock.reset()


@pytest.fixture
def people(make_user):
    return make_user(role="client", consented=True), make_user(role="reader", consented=True, display_name="Luna")


def fund(client, cents, key="fund"):
    operations.credit_topup(client, cents, f"topup:{key}:{client.id}", ("topup", client.id))
    database.session.commit()


def at(seconds):
    return START + timedelta(seconds=seconds)


def go_to(seconds):
    clock.advance(at(seconds) - clock.now())


def online_at(reader, mode="chat", rate=100):
    """The reader's profile, online and offering `mode` at `rate` cents a minute (made if missing;
    written directly, as tests use rates outside the profile form's range)."""
    profile = profiles.profile_for(reader)
    if profile is None:
        profile = ReaderProfile(user_id=reader.id, slug=f"reader-{reader.id}", display_name=reader.display_name)
        database.session.add(profile)
    setattr(profile, f"rate_{mode}_cents", rate)
    profile.status = ReaderStatus.ONLINE
    database.session.commit()
    return profile


class Session:
    """A reading driven the way the room drives it: requests, joins, heartbeats, the tick.
    `run_until(seconds)` counts from `origin` (START unless given)."""

    def __init__(self, client, reader, rate=100, cap=None, mode="chat", origin=START):
        self.client, self.reader, self.origin = client, reader, origin
        reading = lifecycle.request(client, online_at(reader, mode, rate), mode, cap)
        database.session.commit()
        self.id = reading.id

    def reading(self):
        return states.lock(self.id)

    def do(self, action, *args):
        reading = self.reading()
        action(reading, *args)
        database.session.commit()
        return reading

    def accept(self):
        return self.do(lifecycle.accept, self.reader)

    def join_both(self):
        self.do(metering.seen, self.client.id)
        return self.do(metering.seen, self.reader.id)

    def heartbeat(self, who="both"):
        if who in ("both", "client"):
            self.do(metering.seen, self.client.id)
        if who in ("both", "reader"):
            self.do(metering.seen, self.reader.id)

    def run_until(self, seconds, step=10, who="both"):
        """Move time forward to `seconds`, heartbeating and ticking every `step` seconds."""
        now = int((clock.now() - self.origin).total_seconds())
        while now < seconds:
            now = min(seconds, now + step)
            clock.advance(self.origin + timedelta(seconds=now) - clock.now())
            if who:
                self.heartbeat(who)
            billing.tick()

    def finish(self, user):
        return self.do(lifecycle.finish, user)


@pytest.fixture
def start_reading(people):
    def start(rate=100, balance=10_000, cap=None):
        client, reader = people
        fund(client, balance)
        session = Session(client, reader, rate, cap)
        session.accept()
        session.join_both()
        return session

    return start
