"""A reader's stream from scheduling to its end (L-1), and what /live lists.

A stream is public (every signed-in person), premium (an entry ticket, services/streams/tickets.py)
or private (the clients she invites, services/streams/invitations.py; listed to them alone).

`scheduled → live → ended`, or `cancelled` before it went live. "Go live now" and "Schedule a
stream" both create a scheduled stream (a start time or none); its page is the host's studio, with
the camera preview and Go live. While live the reader is busy (marketplace.reader_status): no
reading requests reach her, and a reader with a reading open cannot go live.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import ReaderProfile, Stream, StreamInvitation, StreamKind, StreamState, User
from soulseer.models.stream import TITLE_MAX, TITLE_MIN
from soulseer.money import price_between
from soulseer.services.core import after_commit, audit
from soulseer.services.marketplace import reader_status
from soulseer.services.readings import agora
from soulseer.services.readings.room import open_reading_for
from soulseer.services.streams import live

S = StreamState
SCHEDULE_AHEAD = timedelta(days=30)  # the latest start a reader may announce
ENTRY_MIN, ENTRY_MAX = 100, 5000  # a premium stream's entry: $1 to $50 (next-areas.md L-1)
KINDS_OFFERED = (StreamKind.PUBLIC, StreamKind.PREMIUM, StreamKind.PRIVATE)
UPCOMING_SHOWN = 20


class StreamError(DomainError):
    """A stream action refused; the message says why; nothing changed."""

    status = 422


def channel_for(stream_id):
    """`ss-stream-<id>-<8 hex>` (L-1): under Agora's 64 bytes, and not guessable from the id."""
    return f"ss-stream-{stream_id}-{secrets.token_hex(4)}"


def clean_title(title):
    title = " ".join((title or "").split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise StreamError(f"Give the stream a title of {TITLE_MIN} to {TITLE_MAX} characters.", field="title")
    return title


def entry_price(text):
    """A premium stream's entry typed by the reader ("5", "5.50", "$5.50") in cents."""
    return price_between(
        text, ENTRY_MIN, ENTRY_MAX, lambda message: StreamError(message, field="entry_price"),
        "Enter the entry price in dollars, like 5 or 7.50.", "An entry costs from {low} to {high}.",
    )  # fmt: skip


def create(reader, title, scheduled_at=None, kind=StreamKind.PUBLIC, entry_price_cents=None):
    """A reader announces a stream (public, or premium with its entry price in cents), to start now
    (no time) or at `scheduled_at`. Refused without Agora (nothing could be broadcast), without a
    listed profile, or for a time in the past or more than 30 days ahead."""
    if not reader.is_reader:
        raise StreamError("Only readers can go live.", status=403)
    if not agora.configured():
        raise StreamError("Live streaming is not set up on this server.", status=409)
    if db.session.execute(sa.select(ReaderProfile.id).filter_by(user_id=reader.id)).scalar() is None:
        raise StreamError("Set up your reader profile before going live.", status=409)
    title = clean_title(title)
    if kind not in KINDS_OFFERED:
        raise StreamError("Choose public, premium or private.", field="kind")
    if kind == StreamKind.PREMIUM:
        if entry_price_cents is None or not ENTRY_MIN <= entry_price_cents <= ENTRY_MAX:
            raise StreamError("A premium stream needs an entry price from $1.00 to $50.00.", field="entry_price")
    else:
        entry_price_cents = None
    now = clock.now()
    if scheduled_at is not None and not now <= scheduled_at <= now + SCHEDULE_AHEAD:
        raise StreamError("Choose a start time within the next 30 days.", field="scheduled_at")
    stream_id = db.session.scalar(sa.text("SELECT nextval('streams_id_seq')"))
    stream = Stream(
        id=stream_id,
        reader_id=reader.id,
        title=title,
        kind=StreamKind(kind),
        entry_price_cents=entry_price_cents,
        state=S.SCHEDULED,
        channel=channel_for(stream_id),
        scheduled_at=scheduled_at,
        created_at=now,
    )
    db.session.add(stream)
    db.session.flush()
    after_commit.run_once(live.publish_listing)
    return stream


def locked(stream_id):
    """The stream's row, locked until the commit (going live, ending and the tick may race)."""
    return db.session.execute(
        sa.select(Stream).filter_by(id=stream_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def go_live(reader, stream_id):
    """The host starts broadcasting: the stream is live, viewers may join, she is busy."""
    stream = locked(stream_id)
    if stream is None or stream.reader_id != reader.id:
        raise StreamError("There is no such stream of yours.", status=404)
    if stream.live:
        return stream
    if stream.over:
        raise StreamError("This stream is over; schedule a new one.", status=409)
    if open_reading_for(reader) is not None:
        raise StreamError("Finish your reading before going live.", status=409)
    if live_stream_of(reader.id) is not None:
        raise StreamError("You are already live in another stream.", status=409)
    stream.state = S.LIVE
    stream.started_at = clock.now()
    profile = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=reader.id)).scalar_one()
    reader_status.set_busy(profile)
    from soulseer.services.streams import reminders

    reminders.went_live(stream)
    after_commit.run_once(live.publish_state, stream.id)
    after_commit.run_once(live.publish_listing)
    return stream


def end(actor, stream_id, reason=None):
    """The host (or an admin) ends the stream: no more tokens or renewals, the page says it is over.
    A stream that never went live is cancelled instead. Ending twice changes nothing. Premium
    tickets are settled or released by the tick (services/streams/tickets.py), a few seconds on."""
    stream = locked(stream_id)
    if stream is None:
        raise StreamError("There is no such stream.", status=404)
    if not (actor.id == stream.reader_id or actor.is_admin):
        raise StreamError("Only the stream's reader can end it.", status=403)
    if stream.over:
        return stream
    was_live = stream.live
    before = stream.state
    stream.state = S.ENDED if was_live else S.CANCELLED
    stream.ended_at = clock.now()
    stream.ended_by_id = actor.id
    if was_live:
        profile = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=stream.reader_id)).scalar_one()
        reader_status.set_available(profile)
    if actor.id != stream.reader_id:
        audit.record(actor, "stream.ended", stream, before={"state": before}, after={"state": stream.state},
                     reason=reason)  # fmt: skip
    after_commit.run_once(live.publish_state, stream.id)
    after_commit.run_once(live.publish_listing)
    return stream


def has_row(model, stream, user):
    """Whether `user` (signed in) has her row of `model` — one per person per stream, such as an
    invitation or a reminder — for `stream`."""
    if not user.is_authenticated:
        return False
    found = db.session.execute(sa.select(model.id).filter_by(stream_id=stream.id, user_id=user.id)).scalar()
    return found is not None


def live_stream_of(reader_id):
    return db.session.execute(sa.select(Stream).filter_by(reader_id=reader_id, state=S.LIVE)).scalar_one_or_none()


def get(stream_id):
    """The stream with its reader (every page of it names her; a gift is a sale to her)."""
    return db.session.get(Stream, stream_id, options=[joinedload(Stream.reader)])


def visible_to(viewer):
    """SQL: the streams listed to `viewer` (None: anyone, as the visitors' shared home page): the
    public and premium ones, and the private ones that are hers or that she is invited to."""
    listed = Stream.kind != StreamKind.PRIVATE
    if viewer is None or not viewer.is_authenticated:
        return listed
    invited_to = sa.select(StreamInvitation.stream_id).where(StreamInvitation.user_id == viewer.id)
    return sa.or_(listed, Stream.reader_id == viewer.id, Stream.id.in_(invited_to))


def live_now(viewer=None):
    """Streams live now that `viewer` may see listed, the longest running first."""
    return list(
        db.session.execute(
            sa.select(Stream).where(Stream.state == S.LIVE, visible_to(viewer)).order_by(Stream.started_at, Stream.id)
        ).scalars()
    )


def upcoming(viewer=None, limit=UPCOMING_SHOWN):
    """Scheduled streams with a start time that `viewer` may see listed, soonest first."""
    return list(
        db.session.execute(
            sa.select(Stream)
            .where(Stream.state == S.SCHEDULED, Stream.scheduled_at.is_not(None), visible_to(viewer))
            .order_by(Stream.scheduled_at, Stream.id)
            .limit(limit)
        ).scalars()
    )


def open_streams_of(reader):
    """The reader's streams not over yet (scheduled or live), for her dashboard."""
    return list(
        db.session.execute(
            sa.select(Stream)
            .where(Stream.reader_id == reader.id, Stream.state.in_((S.SCHEDULED, S.LIVE)))
            .order_by(Stream.scheduled_at.asc().nulls_first(), Stream.id)
        ).scalars()
    )


def profiles_of(streams):
    """{reader id: ReaderProfile} for a list of streams (their names, photos and pages)."""
    ids = {stream.reader_id for stream in streams}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(ReaderProfile).where(ReaderProfile.user_id.in_(ids))).scalars()
    return {profile.user_id: profile for profile in rows}


def reader_of(stream):
    return db.session.get(User, stream.reader_id)


def for_admin(state=None, page=1, per_page=30):
    """Streams for the admin's list, newest first, optionally in one state."""
    query = sa.select(Stream).order_by(Stream.created_at.desc(), Stream.id.desc())
    if state in set(StreamState):
        query = query.where(Stream.state == state)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def earnings(reader):
    """What the reader earned from streams, from the ledger (her earnings account's lines for gifts
    and settled entries): (gifts, entries) in cents."""
    from soulseer.ledger import accounts, reads

    spec = accounts.earnings_spec(reader)
    return reads.moved_for_type(spec, "gift"), reads.moved_for_type(spec, "ticket")
