"""Histories of readings for clients and readers, the reader dashboard figures, and the
"readings" and "reviews" sections of export my data.

A history lists the readings that happened: ended or finalized ones (cancelled requests never
started). Readers see their clients by display name only (PRODUCT.md §15). Figures are in UTC:
today from midnight, this week from Monday, this month from the 1st, by finalized_at.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import ReaderProfile, Reading, ReadingState, Review, User
from soulseer.models.reading import ReadingMessage
from soulseer.services.core.data_export import export_section, iso

PER_PAGE = 20
HAPPENED = (ReadingState.ENDED, ReadingState.FINALIZED)


def duration(seconds):
    """Metered seconds as M:SS (or H:MM:SS), as histories and the wallet write a reading's length."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _happened(where):
    return (
        sa.select(Reading)
        .where(where, Reading.state.in_(HAPPENED))
        .order_by(Reading.ended_at.desc().nulls_last(), Reading.id.desc())
    )


def _history(where, page):
    return db.paginate(_happened(where), page=page, per_page=PER_PAGE, error_out=False, count=True)


@dataclass(frozen=True)
class Row:
    reading: Reading
    review: Review | None
    reader_name: str
    reader_slug: str | None
    client_name: str


def rows(readings):
    """The page's readings with their review and both names (three queries for the page; none
    without readings: a new client's dashboard)."""
    readings = list(readings)
    if not readings:
        return []
    ids = [r.id for r in readings]
    user_ids = {r.client_id for r in readings} | {r.reader_id for r in readings}
    reviews = {
        r.reading_id: r for r in db.session.execute(sa.select(Review).where(Review.reading_id.in_(ids))).scalars()
    }
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    profiles = {
        p.user_id: p
        for p in db.session.execute(
            sa.select(ReaderProfile.user_id, ReaderProfile.display_name, ReaderProfile.slug).where(
                ReaderProfile.user_id.in_(user_ids)
            )
        ).all()
    }
    result = []
    for reading in readings:
        profile = profiles.get(reading.reader_id)
        result.append(
            Row(
                reading,
                reviews.get(reading.id),
                profile.display_name if profile else names.get(reading.reader_id, ""),
                profile.slug if profile else None,
                names.get(reading.client_id, ""),
            )
        )
    return result


def client_history(user, page=1):
    return _history(Reading.client_id == user.id, page)


def recent_for_client(user, count=5):
    """The client's latest readings, newest first (the dashboard's list; the history has them all)."""
    return list(db.session.execute(_happened(Reading.client_id == user.id).limit(count)).scalars())


def reader_history(user, page=1):
    return _history(Reading.reader_id == user.id, page)


def _day_start(now):
    return datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)


@dataclass(frozen=True)
class Figures:
    today_cents: int
    week_cents: int
    month_cents: int
    today_count: int
    week_count: int
    month_count: int
    readings_count: int
    rating_average: object
    review_count: int


def reader_figures(reader, now=None):
    now = (now or clock.now()).astimezone(clock.now().tzinfo)
    today = _day_start(now)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    finalized = sa.and_(Reading.reader_id == reader.id, Reading.state == ReadingState.FINALIZED)

    def earned_since(start):
        return sa.func.coalesce(sa.func.sum(Reading.reader_earnings_cents).filter(Reading.finalized_at >= start), 0)

    def count_since(start):
        return sa.func.count().filter(Reading.finalized_at >= start)

    row = db.session.execute(
        sa.select(
            earned_since(today), earned_since(week), earned_since(month),
            count_since(today), count_since(week), count_since(month), sa.func.count(),
        ).where(finalized)
    ).one()  # fmt: skip
    rating = db.session.execute(
        sa.select(sa.func.count(), sa.func.avg(Review.stars)).where(
            Review.reader_id == reader.id, Review.hidden_at.is_(None)
        )
    ).one()
    return Figures(*row, rating_average=rating[1], review_count=rating[0])


def _reading_export(reading, as_reader):
    data = {
        "id": reading.id,
        "role": "reader" if as_reader else "client",
        "mode": reading.mode,
        "state": reading.state,
        "end_reason": reading.end_reason,
        "requested_at": iso(reading.requested_at),
        "started_at": iso(reading.started_at),
        "ended_at": iso(reading.ended_at),
        "metered_seconds": reading.metered_seconds,
        "rate_cents": reading.rate_cents,
        "cost_cents": reading.cost_cents,
    }
    if as_reader:
        data["client"] = reading.client.display_name
        data["earnings_cents"] = reading.reader_earnings_cents
    else:
        data["reader"] = reading.reader.display_name
    return data


@export_section("readings")
def _export_readings(user):
    readings = db.session.execute(
        sa.select(Reading)
        .where(sa.or_(Reading.client_id == user.id, Reading.reader_id == user.id))
        .order_by(Reading.id)
    ).scalars()
    return [_reading_export(r, r.reader_id == user.id) for r in readings]


def _review_export(review):
    return {
        "reading_id": review.reading_id,
        "stars": review.stars,
        "text": review.body,
        "written_at": iso(review.created_at),
        "answer": review.answer,
        "answered_at": iso(review.answered_at),
        "hidden": review.hidden_at is not None,
    }


@export_section("reviews")
def _export_reviews(user):
    def of(column):
        return [
            _review_export(r)
            for r in db.session.execute(sa.select(Review).where(column == user.id).order_by(Review.id)).scalars()
        ]

    return {"written": of(Review.client_id), "received": of(Review.reader_id)}


@export_section("transcripts")
def _export_transcripts(user):
    """The chat lines of the user's readings (both sides' lines: it is their conversation)."""
    readings = {
        r.id: r
        for r in db.session.execute(
            sa.select(Reading).where(sa.or_(Reading.client_id == user.id, Reading.reader_id == user.id))
        ).scalars()
    }
    lines = db.session.execute(
        sa.select(ReadingMessage)
        .where(ReadingMessage.reading_id.in_(list(readings)))
        .order_by(ReadingMessage.reading_id, ReadingMessage.created_at, ReadingMessage.id)
    ).scalars()
    result = {}
    for line in lines:
        reading = readings[line.reading_id]
        who = "you" if line.sender_id == user.id else ("reader" if line.sender_id == reading.reader_id else "client")
        result.setdefault(line.reading_id, []).append({"from": who, "text": line.body, "at": iso(line.created_at)})
    return [{"reading_id": reading_id, "lines": lines} for reading_id, lines in result.items()]
