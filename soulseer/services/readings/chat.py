"""The chat of a live reading (every mode has one): lines from either side, delivered to both over
their event streams after the commit, screened (flagged, never blocked), rate limited per person."""

import sqlalchemy as sa
from flask import render_template
from limits import parse

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models.reading import Reading, ReadingMessage, ReadingState
from soulseer.services.core import after_commit, events, throttle
from soulseer.services.moderation import automatic
from soulseer.services.readings.room import ROOM_STATES

S = ReadingState
MESSAGE_MAX = 2000
# Chat: a person may send 10 lines in 10 seconds and 60 a minute in one reading.
MESSAGE_LIMITS = (parse("10/10 seconds"), parse("60/minute"))


class ChatError(DomainError):
    """A chat line refused (empty, too long, the reading over, too fast); nothing is posted."""

    status = 422


def post_message(reading, user, body):
    """Store a chat line from a participant (the caller commits); delivered to both after commit."""
    body = (body or "").strip()
    if not body:
        raise ChatError("Write a message first.")
    if len(body) > MESSAGE_MAX:
        raise ChatError(f"A message can be up to {MESSAGE_MAX} characters.")
    if reading.state not in ROOM_STATES:
        raise ChatError("This reading is over; the chat is closed.", status=409)
    if not throttle.allow(MESSAGE_LIMITS, "reading-chat", str(reading.id), str(user.id)):
        raise ChatError("You are sending messages too quickly. Wait a few seconds.", status=429)
    message = ReadingMessage(reading_id=reading.id, sender_id=user.id, body=body, created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    automatic.screen("reading_message", message)  # flags, never blocks: the line is delivered
    after_commit.run(publish_message, message.id)
    return message


def guidance_for(reading, viewer_id, message_ids):
    """The client's lines the reader gets a private guidance note under (self-harm language, F-10)."""
    if viewer_id != reading.reader_id:
        return set()
    return automatic.with_self_harm("reading_message", message_ids)


def messages(reading):
    return list(
        db.session.execute(
            sa.select(ReadingMessage)
            .where(ReadingMessage.reading_id == reading.id)
            .order_by(ReadingMessage.created_at, ReadingMessage.id)
        ).scalars()
    )


@events.publisher(ReadingMessage)
def publish_message(message):
    reading = db.session.get(Reading, message.reading_id)
    for user_id in (reading.client_id, reading.reader_id):
        guidance = guidance_for(reading, user_id, [message.id])
        html = render_template("readings/_message.html", message=message, viewer_id=user_id, guidance_ids=guidance)
        events.publish_to_user(user_id, f"reading-chat-{reading.id}", html)
