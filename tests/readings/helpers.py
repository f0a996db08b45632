"""Finalized readings for the reviews, histories and refunds tests, made with the Session driver."""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import ReaderProfile, Reading, Review
from tests.readings.conftest import START, Session, fund


def profile_for(reader, slug=None):
    profile = ReaderProfile(
        user_id=reader.id, slug=slug or f"reader-{reader.id}", display_name=reader.display_name, rate_chat_cents=100
    )
    db.session.add(profile)
    db.session.commit()
    return profile


def finished_reading(client, reader, seconds=125, rate=100, balance=10_000):
    """A reading of `seconds` metered seconds from now, ended by the client and settled."""
    fund(client, balance, key=f"r{clock.now().timestamp()}")
    session = Session(client, reader, rate)
    session.accept()
    session.join_both()
    offset = int((clock.now() - START).total_seconds())
    session.run_until(offset + seconds)
    session.finish(client)
    return db.session.get(Reading, session.id)


def review_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Review))
