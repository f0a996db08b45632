"""Stream chat in the one moderation queue (docs/moderation.md): the `stream_message` kind, shown
with the lines around it in its stream."""

import sqlalchemy as sa
from flask import url_for

from soulseer.extensions import db
from soulseer.models import Stream, StreamMessage
from soulseer.services.moderation.kinds import ContentKind, register

CONTEXT_LINES = 5


def _seen_by(user, message):
    from soulseer.services.streams import access

    stream = db.session.get(Stream, message.stream_id)
    return message.visible and (access.is_host(stream, user) or access.admitted(stream, user))


def _context(message):
    before = db.session.execute(
        sa.select(StreamMessage)
        .where(StreamMessage.stream_id == message.stream_id, StreamMessage.id < message.id)
        .order_by(StreamMessage.id.desc())
        .limit(CONTEXT_LINES)
    ).scalars()
    after = db.session.execute(
        sa.select(StreamMessage)
        .where(StreamMessage.stream_id == message.stream_id, StreamMessage.id > message.id)
        .order_by(StreamMessage.id)
        .limit(CONTEXT_LINES)
    ).scalars()
    return {"stream": db.session.get(Stream, message.stream_id), "lines": [*reversed(list(before)), message, *after]}


def register_kinds():
    register(
        ContentKind(
            name="stream_message",
            label="Stream chat line",
            model=StreamMessage,
            author_id=lambda message: message.sender_id,
            texts=lambda message: {"body": message.body},
            can_see=_seen_by,
            link=lambda message: url_for("streams.show", stream_id=message.stream_id),
            context_template="moderation/context/_stream_message.html",
            context=_context,
            describe=lambda message: f"A line by {message.sender.display_name} in a live stream",
        )
    )
