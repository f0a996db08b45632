"""The reader's on-demand status around a booking (issue #16, Build 2; next-areas.md S-4): from 5
minutes before its start she is "Busy — scheduled reading" on her card, her page and her switch,
and no on-demand request reaches her, whether the tick has opened the room yet or another reading
still holds it shut; once the booked reading is over she is online again."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import Reading
from soulseer.services.bookings import attending
from soulseer.services.marketplace import profiles, reader_status
from soulseer.services.readings import lifecycle, states
from tests.bookings.conftest import MONDAY_NOON
from tests.bookings.test_attending import START, at, book, reading_of, tick

BADGE = "Busy — scheduled reading"


@pytest.fixture
def online_luna(short_luna):
    with at(MONDAY_NOON):
        reader_status.go_online(profiles.profile_for(short_luna))
        database.session.commit()
    return short_luna


@pytest.fixture
def orion(make_user):
    """Another client, with money, who wants an on-demand reading."""
    user = make_user(role="client", consented=True, display_name="Orion")
    operations.credit_topup(user, 10_000, keys.topup(f"cs_orion_{user.id}"), ("topup", user.id))
    database.session.commit()
    return user


def status_of(reader):
    database.session.expire_all()
    profile = profiles.profile_for(reader)
    return profile.status, profile.busy_scheduled


def ask(client, reader, moment):
    """An on-demand chat request at `moment`: the reading, or the refusal's message."""
    with at(moment):
        try:
            reading = lifecycle.request(client, profiles.profile_for(reader), "chat")
        except lifecycle.ReadingError as refusal:
            database.session.rollback()
            return refusal.message
        database.session.commit()
        return reading


def test_from_five_minutes_before_she_is_busy_with_the_scheduled_reading_until_it_is_over(
    online_luna, nova, orion, login, app
):
    made = book(nova, online_luna)
    with at(START - timedelta(minutes=5, seconds=1)):
        assert not reader_status.scheduled_reading_due(profiles.profile_for(online_luna))
    # At start − 5 min, before the tick has opened the room, she is already held.
    assert ask(orion, online_luna, START - timedelta(minutes=5)) == (
        "Luna Starweaver is busy with a scheduled reading right now."
    )
    assert database.session.execute(sa.select(sa.func.count(Reading.id))).scalar() == 0
    tick(START - timedelta(minutes=5))
    assert status_of(online_luna) == ("busy", True)
    assert ask(orion, online_luna, START - timedelta(minutes=4)) == (
        "Luna Starweaver is busy with a scheduled reading right now."
    )
    with at(START - timedelta(minutes=4)), pytest.raises(reader_status.StatusError, match="booked reading is due"):
        reader_status.go_online(profiles.profile_for(online_luna))
    database.session.rollback()

    visitor = app.test_client()
    slug = profiles.profile_for(online_luna).slug
    page = visitor.get(f"/readers/{slug}").get_data(as_text=True)
    assert BADGE in page and "Luna Starweaver is busy with a scheduled reading right now." in page
    assert BADGE in visitor.get("/readers").get_data(as_text=True)
    dashboard = login(app.test_client(), online_luna).get("/reader").get_data(as_text=True)
    assert "Scheduled reading" in dashboard and "Your booked reading is open or about to open" in dashboard

    reading = reading_of(made)
    with at(START + timedelta(minutes=1)):
        lifecycle.finish(states.lock(reading.id), online_luna)  # never began: the room closes
        database.session.commit()
    assert status_of(online_luna) == ("online", False)
    assert BADGE not in visitor.get(f"/readers/{slug}").get_data(as_text=True)


def test_an_on_demand_reading_that_runs_into_the_booking_leaves_her_busy_with_it(online_luna, nova, orion):
    book(nova, online_luna)
    earlier = ask(orion, online_luna, START - timedelta(minutes=6))
    with at(START - timedelta(minutes=6)):
        lifecycle.accept(states.lock(earlier.id), online_luna)
        database.session.commit()
    tick(START - timedelta(minutes=5))  # the room cannot open: she is in Orion's reading
    assert status_of(online_luna) == ("busy", False)  # "In a reading": she is
    with at(START - timedelta(minutes=4, seconds=30)):  # before her join timeout (2 minutes)
        lifecycle.finish(states.lock(earlier.id), orion)
        database.session.commit()
    # Out of it, she is not online again: her booked reading is due.
    assert status_of(online_luna) == ("busy", True)
    assert ask(orion, online_luna, START - timedelta(minutes=4)) == (
        "Luna Starweaver is busy with a scheduled reading right now."
    )
    tick(START - timedelta(minutes=4))
    made_reading = database.session.execute(sa.select(Reading).where(Reading.booking_id.is_not(None))).scalar_one()
    assert made_reading.state == "accepted"
    assert status_of(online_luna) == ("busy", True)


def test_a_request_still_waiting_when_the_booking_is_due_cannot_be_accepted(online_luna, nova, orion):
    made = book(nova, online_luna)
    waiting = ask(orion, online_luna, START - timedelta(minutes=5, seconds=30))
    with at(START - timedelta(minutes=5)):
        with pytest.raises(lifecycle.ReadingError, match="Your booked reading is due") as refused:
            lifecycle.accept(states.lock(waiting.id), online_luna)
        database.session.commit()  # as the view does: the request is declined on the way
    assert refused.value.status == 409
    assert database.session.get(Reading, waiting.id).end_reason == "declined"
    tick(START - timedelta(minutes=5))
    assert reading_of(made).state == "accepted"
    assert status_of(online_luna) == ("busy", True)


def test_the_rule_holds_her_only_while_a_confirmed_booking_waits_for_its_room(online_luna, nova):
    made = book(nova, online_luna)
    held = {
        moment: attending.reader_held(online_luna.id, moment)
        for moment in (
            START - timedelta(minutes=5, microseconds=1),
            START - timedelta(minutes=5),
            START + timedelta(minutes=9, seconds=59),
            START + timedelta(minutes=10),  # then the tick settles it as a no-show
        )
    }
    assert list(held.values()) == [False, True, True, False]
    tick(START - timedelta(minutes=5))
    assert database.session.get(type(made), made.id).state == "in_progress"
    assert not attending.reader_held(online_luna.id, START)  # its room is open: the reading holds her
