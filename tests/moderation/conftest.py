"""Content to moderate: a finalized reading with a review, a reader profile, chat lines."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import ReaderProfile, Reading, ReadingMessage, Review
from tests.ledger.conftest import run_in_parallel  # noqa: F401  (fixture)

AGED = timedelta(days=8)


@pytest.fixture
def aged_user(make_user):
    """make_user with an account older than 7 days (a trusted flagger)."""

    def make(role="client", **fields):
        return make_user(role=role, consented=True, created_at=clock.now() - AGED, **fields)

    return make


@pytest.fixture
def reader(make_user):
    user = make_user(role="reader", consented=True, display_name="Luna")
    database.session.add(
        ReaderProfile(
            user_id=user.id,
            slug="luna",
            display_name="Luna",
            tagline="Tarot, honestly",
            bio="I read tarot. " * 5,
            rate_chat_cents=100,
        )
    )
    database.session.commit()
    return user


@pytest.fixture
def client_user(make_user):
    return make_user(role="client", consented=True, display_name="Nova")


def make_reading(client, reader, state="finalized"):
    now = clock.now()
    reading = Reading(
        client_id=client.id,
        reader_id=reader.id,
        mode="chat",
        rate_cents=100,
        share_bps=7000,
        state=state,
        request_expires_at=now,
        started_at=now - timedelta(minutes=5),
        ended_at=now if state in ("ended", "finalized") else None,
        finalized_at=now if state == "finalized" else None,
        metered_ms=120_000,
        cost_cents=200 if state == "finalized" else None,
        reader_earnings_cents=140 if state == "finalized" else None,
    )
    database.session.add(reading)
    database.session.commit()
    return reading


@pytest.fixture
def reading(client_user, reader):
    return make_reading(client_user, reader)


@pytest.fixture
def review(reading):
    review = Review(reading_id=reading.id, client_id=reading.client_id, reader_id=reading.reader_id, stars=2,
                    body="Not what I hoped for.")  # fmt: skip
    database.session.add(review)
    database.session.commit()
    from soulseer.services.readings import reviews

    reviews.refresh_rating(reading.reader_id)
    database.session.commit()
    return review


def chat_line(reading, sender, body):
    message = ReadingMessage(reading_id=reading.id, sender_id=sender.id, body=body)
    database.session.add(message)
    database.session.commit()
    return message


def profile_of(user):
    return database.session.query(ReaderProfile).filter_by(user_id=user.id).one()
