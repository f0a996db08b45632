"""A stream's chat (L-10): the reading chat's rules (plain text, screened — flagged, never
blocked —, rate limited) for everyone admitted to a live stream. The reader removes lines from
her stream (hidden through moderation's visibility, its queue item left to an admin); every line can be
reported into the one moderation queue. A muted or banned viewer's lines are refused
(services/streams/restrictions.py)."""

import sqlalchemy as sa
from limits import parse

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import RestrictionKind, StreamMessage
from soulseer.models.stream import MESSAGE_MAX
from soulseer.services.core import after_commit, throttle
from soulseer.services.moderation import automatic, visibility
from soulseer.services.streams import access, live, restrictions
from soulseer.services.streams.lifecycle import StreamError

# Per person per stream: 5 lines in 10 seconds and 30 a minute (a busy room reads fast; less noise).
MESSAGE_LIMITS = (parse("5/10 seconds"), parse("30/minute"))
LINES_SHOWN = 50
REMOVED_BY_READER = "Removed by the reader of the stream."


def post(stream, user, body):
    """Store a chat line (the caller commits); it reaches the stream's pages after the commit."""
    body = (body or "").strip()
    if not body:
        raise StreamError("Write a message first.", field="body")
    if len(body) > MESSAGE_MAX:
        raise StreamError(f"A message can be up to {MESSAGE_MAX} characters.", field="body")
    if not stream.live:
        raise StreamError("The chat is open while the stream is live.", status=409)
    restriction = restrictions.of(stream, user)
    if restriction is not None:
        message = restrictions.BANNED_MESSAGE if restriction == RestrictionKind.BANNED else restrictions.MUTED_MESSAGE
        raise StreamError(message, status=403)
    if not (access.is_host(stream, user) or access.admitted(stream, user)):
        raise StreamError("You cannot write in this stream.", status=403)
    if not throttle.allow(MESSAGE_LIMITS, "stream-chat", str(stream.id), str(user.id)):
        raise StreamError("You are sending messages too quickly. Wait a few seconds.", status=429, retry_after=10)
    message = StreamMessage(stream_id=stream.id, sender_id=user.id, body=body, created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    automatic.screen("stream_message", message)  # flags, never blocks: the line is delivered
    after_commit.run(live.publish_message, message.id)
    return message


def remove(stream, reader, message_id):
    """The stream's reader removes a line of her chat: hidden for everyone, the same as a
    moderator's hide (audit-logged; an admin may restore it from the queue)."""
    if not access.is_host(stream, reader):
        raise StreamError("Only the stream's reader can remove lines.", status=403)
    message = db.session.get(StreamMessage, message_id)
    if message is None or message.stream_id != stream.id:
        raise StreamError("There is no such line in this stream.", status=404)
    if message.hidden:
        return message
    visibility.hide_for_space("stream_message", message.id, REMOVED_BY_READER, reader)
    after_commit.run(live.publish_removal, message.id)
    return message


def recent(stream, limit=LINES_SHOWN):
    """The last lines and gifts of the stream, oldest first: what a page shows when it opens."""
    from soulseer.models import StreamGift

    messages = db.session.execute(
        sa.select(StreamMessage).filter_by(stream_id=stream.id).order_by(StreamMessage.id.desc()).limit(limit)
    ).scalars()
    gifts = db.session.execute(
        sa.select(StreamGift).filter_by(stream_id=stream.id).order_by(StreamGift.id.desc()).limit(limit)
    ).scalars()
    lines = [("message", m) for m in messages] + [("gift", g) for g in gifts]
    lines.sort(key=lambda line: (line[1].created_at, line[0], line[1].id))
    return lines[-limit:]
