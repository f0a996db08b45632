"""Messages in the one moderation queue (docs/moderation.md): the `message` kind (any message's
content) and the `paid_reply` kind (a client's "it did not answer my question"). Conversations are
private: an admin sees a message only through its queue item (a report or screening), with the
messages around it for context, never by browsing."""

from dataclasses import replace

from soulseer.extensions import db
from soulseer.models import Conversation, Message
from soulseer.money import format_cents
from soulseer.services.moderation.kinds import PAID_REPLY_REASONS, ContentKind, LinesAround, register, sold_as


def _seen_by(user, message):
    """Its two participants, while it is shown (a hidden message is 'removed by moderation')."""
    conversation = db.session.get(Conversation, message.conversation_id)
    return conversation.has(user) and message.visible


def _contestable_by(user, message):
    """ "Report this paid reply": its client, within 72 hours of unlocking it (M-5)."""
    from soulseer.services.messages import paid

    conversation = db.session.get(Conversation, message.conversation_id)
    return user.id == conversation.client_id and message.visible and paid.contest_open(message)


def _sale(message):
    from soulseer.services.messages import paid

    return paid.reference(message) if message.unlocked_at is not None else None


def register_kinds():
    message = register(
        ContentKind(
            "message", "Message", Message, author="sender_id", fields=("body",), can_see=_seen_by,
            link=lambda message: None,  # conversations are not browsable by admins
            context=LinesAround(Conversation, "conversation_id", "conversation"),
            describe=lambda message: f"A message by {message.sender.display_name}", sale=_sale,
            questioned_sales=sold_as("message"),
        )
    )  # fmt: skip
    # A client's contest of a paid reply is its own item, beside any report of the message's content:
    # the question for the admin is the money (refund or not), not only the text.
    register(
        replace(
            message, name="paid_reply", label="Paid reply", can_see=_contestable_by, reasons=PAID_REPLY_REASONS,
            describe=lambda message: (
                f"Paid reply by {message.sender.display_name} ({format_cents(message.price_cents or 0)})"
            ),
        )
    )  # fmt: skip
