"""The user's conversations in "export my data" (/account/export)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Conversation, Message
from soulseer.services.core.data_export import export_section, iso


def _text_for(message, user):
    """What the user may read: all they wrote; of the other's, what they were shown (M-3: a paid
    reply they never unlocked is "locked, not purchased", never its text)."""
    if message.sender_id == user.id or message.shows_text_to(user):
        return message.body
    if message.hidden:
        return "removed by moderation"
    if message.withdrawn:
        return "withdrawn by the reader, not purchased"
    return "locked, not purchased"


def message_export(message, user):
    exported = {
        "id": message.id,
        "from": "me" if message.sender_id == user.id else message.sender.display_name,
        "text": _text_for(message, user),
        "sent_at": iso(message.created_at),
        "removed_by_moderation": message.hidden,
    }
    if message.paid:
        exported["paid_reply"] = {
            "price_cents": message.price_cents,
            "words": message.word_count,
            "unlocked_at": iso(message.unlocked_at),
            "withdrawn_at": iso(message.withdrawn_at),
        }
    return exported


@export_section("conversations")
def _export_conversations(user):
    conversations = db.session.execute(
        sa.select(Conversation)
        .where(sa.or_(Conversation.client_id == user.id, Conversation.reader_id == user.id))
        .order_by(Conversation.id)
    ).scalars()
    exported = []
    for conversation in conversations:
        messages = db.session.execute(
            sa.select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        ).scalars()
        exported.append(
            {
                "with": conversation.other(user).display_name,
                "started_at": iso(conversation.created_at),
                "messages": [message_export(message, user) for message in messages],
            }
        )
    return exported
