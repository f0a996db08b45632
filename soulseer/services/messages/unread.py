"""Unread messages (M-6), Discourse's model: each participant's read position is the id of the
last message they have seen; unread = the other person's messages with a greater id. Ids, never
times: two messages in the same second are still counted right. The header badge is the sum."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import Conversation, Message
from soulseer.services.core import after_commit


def _mine(user_id):
    """(conversation is the user's, the user's read position) as SQL."""
    is_client = Conversation.client_id == user_id
    position = sa.case((is_client, Conversation.client_last_read_id), else_=Conversation.reader_last_read_id)
    return sa.or_(is_client, Conversation.reader_id == user_id), position


def _unread(user_id, *columns):
    """`columns` over the other person's messages the user has not seen yet."""
    mine, position = _mine(user_id)
    return (
        sa.select(*columns)
        .select_from(Conversation)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(mine, Message.sender_id != user_id, Message.id > position)
    )


def _unread_query(user):
    return _unread(user.id, Conversation.id, sa.func.count(Message.id)).group_by(Conversation.id)


def total(user):
    """All the user's (a User or an id) unread messages (the badge): one query."""
    return db.session.scalar(sa.select(total_clause(user if isinstance(user, int) else user.id)))


def total_clause(user_id):
    """The badge's count as SQL (the signed-in header reads it with the user: soulseer/signed_in.py)."""
    return _unread(user_id, sa.func.count(Message.id)).scalar_subquery()


def by_conversation(user, conversation_ids):
    if not conversation_ids:
        return {}
    statement = _unread_query(user).where(Conversation.id.in_(conversation_ids))
    return dict(db.session.execute(statement).all())


def in_conversation(conversation, user):
    return by_conversation(user, [conversation.id]).get(conversation.id, 0)


def mark_read(conversation, user, upto_id):
    """The user has seen the conversation up to message `upto_id` (the newest shown): their read
    position moves there, never back and never past the newest message. The caller commits; then
    every open tab of the user gets the new badge."""
    from soulseer.services.messages import live

    upto = min(int(upto_id), conversation.last_message_id or 0)
    column = "client_last_read_id" if user.id == conversation.client_id else "reader_last_read_id"
    moved = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation.id, getattr(Conversation, column) < upto)
        .values({column: upto})
    ).rowcount
    db.session.refresh(conversation)
    if moved:
        after_commit.run_once(live.publish_badge, user.id)
    return bool(moved)
