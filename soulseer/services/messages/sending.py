"""Writing a message (M-2, M-8, M-9): plain text of 1–5000 characters, line breaks kept; screened
(flagged, never blocked: the message is delivered and its writer told); the recipient notified
("New message from <name>", never the text) and their open tabs updated after the commit."""

import hashlib

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Message, UserStatus
from soulseer.models.message import BODY_MAX
from soulseer.services.core import after_commit, notifications
from soulseer.services.messages import conversations, rate_limits, unread
from soulseer.services.messages.conversations import MessageError
from soulseer.services.moderation import automatic


def clean_body(body):
    """The text as written, with Windows line ends made plain and the ends trimmed; or MessageError."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise MessageError("Write a message first.", field="body")
    if len(body) > BODY_MAX:
        raise MessageError(f"A message can be up to {BODY_MAX:,} characters; this one has {len(body):,}.", field="body")
    return body


def send(conversation, sender, body, price_cents=None):
    """Store a message from a participant (the caller commits); with `price_cents`, a reader's paid
    reply (checked by paid.check_price first), with the sha256 of its text taken now. Returns the
    message, with `.screening` for the writer."""
    body = clean_body(body)
    if not conversation.has(sender):
        raise MessageError("There is no such conversation.", status=404)
    fields = {}
    if price_cents is not None:
        if sender.id != conversation.reader_id:
            raise MessageError("Only the reader can price a reply.", status=403)
        fields = {"price_cents": price_cents, "body_sha256": hashlib.sha256(body.encode()).hexdigest()}
    conversation = conversations.lock(conversation)
    recipient = conversation.other(sender)
    if recipient.status != UserStatus.ACTIVE:
        raise MessageError(f"{recipient.display_name} cannot receive messages at the moment.", status=409)
    rate_limits.check_message(sender)
    first_unread = unread.in_conversation(conversation, recipient) == 0
    message = Message(conversation_id=conversation.id, sender_id=sender.id, body=body, created_at=clock.now(), **fields)
    db.session.add(message)
    db.session.flush()
    rate_limits.count_message(sender)
    conversation.last_message_id = message.id
    # What you wrote yourself is read.
    if sender.id == conversation.client_id:
        conversation.client_last_read_id = message.id
    else:
        conversation.reader_last_read_id = message.id
    automatic.screen("message", message)  # flags, never blocks: the message is delivered
    if first_unread:  # one notification per run of unread messages, not one per message
        notifications.notify(
            recipient, "message", f"New message from {sender.display_name}", link=f"/messages/{conversation.id}"
        )
    from soulseer.services.messages import live

    after_commit.run(live.publish_message, message.id)
    return message


def start(sender, other, body):
    """The first message to `other` (or the next one, if the pair already has a conversation).
    Returns (message, whether a conversation was made)."""
    body = clean_body(body)
    pair = conversations.pair_for(sender, other)
    if conversations.between(pair.client.id, pair.reader.id) is None:
        rate_limits.check_new_conversation(sender)
    conversation, created = conversations.open_with(pair)
    message = send(conversation, sender, body)
    if created:
        rate_limits.count_new_conversation(sender)
    return message, created
