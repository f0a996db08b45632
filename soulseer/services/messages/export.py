"""The user's conversations in "export my data" (/account/export)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Conversation, Message
from soulseer.services.accounts import export_section, iso


def message_export(message, user):
    return {
        "id": message.id,
        "from": "me" if message.sender_id == user.id else message.sender.display_name,
        "text": message.body,
        "sent_at": iso(message.created_at),
        "removed_by_moderation": message.hidden,
    }


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
