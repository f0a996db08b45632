""" "Remind me" (L-9): anyone signed in may ask to be reminded of an announced stream; they get an
in-app notification 15 minutes before its time (the tick) and when it goes live (in the go-live
transaction). Asking again, or cancelling, is idempotent. A private stream's invitees get their row
with the invitation (services/streams/invitations.py) and keep it."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Stream, StreamKind, StreamReminder, StreamState, User
from soulseer.services.core import notifications
from soulseer.services.streams import lifecycle
from soulseer.services.streams.lifecycle import StreamError

SOON = timedelta(minutes=15)
BATCH = 500


def wants_reminder(stream, user):
    return lifecycle.has_row(StreamReminder, stream, user)


def ask(stream, user):
    if stream.state != StreamState.SCHEDULED or stream.scheduled_at is None:
        raise StreamError("Reminders are for streams announced with a start time.", status=409)
    if user.id == stream.reader_id:
        raise StreamError("This is your own stream.", status=403)
    db.session.execute(
        insert(StreamReminder)
        .values(stream_id=stream.id, user_id=user.id, created_at=clock.now())
        .on_conflict_do_nothing(constraint="uq_stream_reminders_one_per_person")
    )


def cancel(stream, user):
    if stream.kind == StreamKind.PRIVATE:
        raise StreamError("As an invitee you are told when this stream starts.", status=409)
    db.session.execute(sa.delete(StreamReminder).filter_by(stream_id=stream.id, user_id=user.id))


def _link(stream):
    return f"/live/{stream.id}"


def _reader_name(stream):
    return db.session.get(User, stream.reader_id).display_name


def went_live(stream):
    """In the go-live transaction: everyone who asked is told, once."""
    now = clock.now()
    waiting = db.session.execute(
        sa.select(StreamReminder).filter_by(stream_id=stream.id, live_sent_at=None).with_for_update(skip_locked=True)
    ).scalars().all()  # fmt: skip
    name = _reader_name(stream) if waiting else None
    for reminder in waiting:
        notifications.notify(reminder.user_id, "stream", f"{name} is live now: {stream.title}", link=_link(stream))
        reminder.live_sent_at = now


def send_soon(now):
    """The tick: reminders of streams starting within 15 minutes, once each, to those who asked
    before that. Returns how many."""
    rows = db.session.execute(
        sa.select(StreamReminder, Stream)
        .join(Stream, Stream.id == StreamReminder.stream_id)
        .where(
            StreamReminder.soon_sent_at.is_(None),
            StreamReminder.live_sent_at.is_(None),
            Stream.state == StreamState.SCHEDULED,
            Stream.scheduled_at <= now + SOON,
            Stream.scheduled_at > now - SOON,
            # Asked when the stream was already that close: the page had just shown her the time,
            # so only its start is news (as a booking makes no reminder that is already due).
            StreamReminder.created_at < Stream.scheduled_at - SOON,
        )
        .with_for_update(of=StreamReminder, skip_locked=True)
        .limit(BATCH)
    ).all()
    for reminder, stream in rows:
        when = stream.scheduled_at.strftime("%H:%M")
        notifications.notify(
            reminder.user_id, "stream", f"{_reader_name(stream)} goes live at {when} UTC: {stream.title}",
            link=_link(stream),
        )  # fmt: skip
        reminder.soon_sent_at = now
    db.session.commit()
    return len(rows)
