"""Private streams (L-1, L-6): the reader invites up to 20 clients; only they (with the reader and
admins) see the stream, get a token and are told of it.

Whom she may invite: her own clients — those she has read for (a reading that started) and those
who keep her among their favourites. PRODUCT.md §6 says "invited clients"; inviting from her own
clients keeps the client directory private (a reader never searches all clients) and means an
invitation never comes from a reader the client has not chosen. Invitees are notified at once,
and through a reminder row (services/streams/reminders.py) 15 minutes before an announced start
and when the stream goes live. Uninviting is possible until it goes live; after that the reader
bans (services/streams/restrictions.py).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import (
    Favourite,
    ReaderProfile,
    Reading,
    Role,
    StreamInvitation,
    StreamKind,
    StreamReminder,
    User,
    UserStatus,
)
from soulseer.models.stream import INVITATIONS_MAX
from soulseer.services.core import notifications
from soulseer.services.streams import lifecycle
from soulseer.services.streams.lifecycle import StreamError

ELIGIBLE_SHOWN = 200


def invited(stream, user):
    return lifecycle.has_row(StreamInvitation, stream, user)


def invitees(stream):
    """The stream's invited clients, in the order they were invited."""
    return list(
        db.session.execute(
            sa.select(User)
            .join(StreamInvitation, StreamInvitation.user_id == User.id)
            .where(StreamInvitation.stream_id == stream.id)
            .order_by(StreamInvitation.id)
        ).scalars()
    )


def _clients_of(reader_id):
    """The ids of her clients: read for, or keeping her as a favourite (a SELECT to filter with)."""
    read_for = sa.select(Reading.client_id).where(Reading.reader_id == reader_id, Reading.started_at.is_not(None))
    favourites = (
        sa.select(Favourite.client_id)
        .join(ReaderProfile, ReaderProfile.id == Favourite.reader_profile_id)
        .where(ReaderProfile.user_id == reader_id)
    )
    return sa.union(read_for, favourites)


def eligible(stream, limit=ELIGIBLE_SHOWN):
    """Clients she may still invite to `stream` (active, not invited yet), by name."""
    already = sa.select(StreamInvitation.user_id).where(StreamInvitation.stream_id == stream.id)
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.id.in_(_clients_of(stream.reader_id)),
                User.id.not_in(already),
                User.role == Role.CLIENT,
                User.status == UserStatus.ACTIVE,
            )
            .order_by(sa.func.lower(User.display_name), User.id)
            .limit(limit)
        ).scalars()
    )


def _private_stream_of(reader, stream_id):
    stream = lifecycle.locked(stream_id)  # the count of 20 holds under the stream's lock
    if stream is None or stream.reader_id != reader.id:
        raise StreamError("There is no such stream of yours.", status=404)
    if stream.kind != StreamKind.PRIVATE:
        raise StreamError("Only a private stream has invitations.", status=409)
    if stream.over:
        raise StreamError("This stream is over.", status=409)
    return stream


def invite(reader, stream_id, client_id):
    """The reader invites one of her clients; the caller commits. Inviting twice changes nothing."""
    stream = _private_stream_of(reader, stream_id)
    client = db.session.get(User, client_id)
    is_her_client = db.session.execute(
        sa.select(sa.literal(1)).where(sa.literal(client_id).in_(_clients_of(reader.id)))
    ).scalar()
    if client is None or not client.is_client or not client.is_active or not is_her_client:
        raise StreamError("You can invite clients you have read for or who keep you as a favourite.", status=404)
    if invited(stream, client):
        return stream
    count = db.session.scalar(sa.select(sa.func.count()).select_from(StreamInvitation).filter_by(stream_id=stream.id))
    if count >= INVITATIONS_MAX:
        raise StreamError(f"A private stream has up to {INVITATIONS_MAX} invited clients.", status=409)
    now = clock.now()
    db.session.add(StreamInvitation(stream_id=stream.id, user_id=client.id, created_at=now))
    # Told at the start (and 15 minutes before an announced time) by the reminders' own rows.
    db.session.execute(
        insert(StreamReminder)
        .values(stream_id=stream.id, user_id=client.id, created_at=now)
        .on_conflict_do_nothing(constraint="uq_stream_reminders_one_per_person")
    )
    when = f" at {stream.scheduled_at.strftime('%a %-d %b, %H:%M')} UTC" if stream.scheduled_at else ""
    state = "is live now" if stream.live else f"starts{when or ' soon'}"
    notifications.notify(
        client.id, "stream", f"{reader.display_name} invited you to her private stream ({state}): {stream.title}",
        link=f"/live/{stream.id}",
    )  # fmt: skip
    return stream


def uninvite(reader, stream_id, client_id):
    """Until the stream goes live the reader takes an invitation back (and its reminder)."""
    stream = _private_stream_of(reader, stream_id)
    if stream.live:
        raise StreamError("The stream is live: ban the viewer instead.", status=409)
    db.session.execute(sa.delete(StreamInvitation).filter_by(stream_id=stream.id, user_id=client_id))
    db.session.execute(sa.delete(StreamReminder).filter_by(stream_id=stream.id, user_id=client_id))
    return stream
