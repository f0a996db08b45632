"""A request takes its rules from the reader's profile, in the service: online, the mode offered,
the rate shown and the share now (never from its caller)."""

import pytest

from soulseer.extensions import db as database
from soulseer.models import ReaderStatus
from soulseer.services.readings import lifecycle
from tests.readings.conftest import fund, online_at


@pytest.fixture
def luna(people):
    client, reader = people
    fund(client, 10_000)
    return online_at(reader, "chat", 250)


def test_the_rate_and_share_come_from_the_profile(people, luna):
    luna.share_override_bp = 7500
    database.session.commit()
    reading = lifecycle.request(people[0], luna, "chat")
    assert (reading.reader_id, reading.rate_cents, reading.share_bps) == (luna.user_id, 250, 7500)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ReaderStatus.OFFLINE, "Luna is offline right now."),
        (ReaderStatus.BUSY, "Luna is in another reading right now."),
    ],
)
def test_a_reader_who_is_not_online_cannot_be_asked(people, luna, status, message):
    luna.status = status
    database.session.commit()
    with pytest.raises(lifecycle.ReadingError) as refused:
        lifecycle.request(people[0], luna, "chat")
    assert (refused.value.message, refused.value.status) == (message, 409)


def test_a_mode_the_reader_does_not_offer_is_refused_on_its_field(people, luna):
    with pytest.raises(lifecycle.ReadingError) as refused:
        lifecycle.request(people[0], luna, "video")  # no video rate, and no Agora here
    assert (refused.value.field, refused.value.status) == ("mode", 422)


def test_a_suspended_reader_is_not_available(people, luna):
    people[1].status = "suspended"
    database.session.commit()
    with pytest.raises(lifecycle.ReadingError) as refused:
        lifecycle.request(people[0], luna, "chat")
    assert refused.value.status == 404
