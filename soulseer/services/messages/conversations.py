"""Conversations: one per (client, reader) pair (M-1). A client starts one with a reader whose
profile is listed; a reader writes in an existing one, or starts one with a client they have read
for. Nobody else, and never an admin (admins see messages only through the moderation queue)."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Conversation, Message, ReaderProfile, Reading, Role, User, UserStatus

INBOX_PER_PAGE = 20
THREAD_PAGE = 50


class MessageError(DomainError):
    """A message or conversation refused (empty, too long, not yours, not allowed); nothing is kept."""

    status = 422


def of(user, conversation_id):
    """The user's conversation, or MessageError 404 (someone else's looks the same as a missing one)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not conversation.has(user):
        raise MessageError("There is no such conversation.", status=404)
    return conversation


def between(client_id, reader_id):
    return db.session.execute(
        sa.select(Conversation).filter_by(client_id=client_id, reader_id=reader_id)
    ).scalar_one_or_none()


def has_read_for(reader_id, client_id):
    """The reader has given this client a live reading (one that happened, not a request)."""
    from soulseer.services.readings.history import HAPPENED

    return db.session.execute(
        sa.select(
            sa.exists().where(
                Reading.reader_id == reader_id, Reading.client_id == client_id, Reading.state.in_(HAPPENED)
            )
        )
    ).scalar_one()


@dataclass(frozen=True)
class Pair:
    """Who is the client and who the reader when `user` writes to `other`."""

    client: User
    reader: User


def pair_for(user, other):
    """The pair `user` may start a conversation in with `other`, or MessageError (403/404)."""
    if other is None or other.status == UserStatus.DELETED:
        raise MessageError("There is no such person.", status=404)
    if user.role == Role.CLIENT and other.role == Role.READER:
        from soulseer.services.marketplace import profiles

        profile = profile_of(other.id)
        if profile is None or not profiles.is_listed(profile):
            raise MessageError("There is no such reader.", status=404)
        return Pair(client=user, reader=other)
    if user.role == Role.READER and other.role == Role.CLIENT:
        if between(other.id, user.id) is None and not has_read_for(user.id, other.id):
            raise MessageError("You can write to clients you have read for.", status=403)
        return Pair(client=other, reader=user)
    raise MessageError("Messages are between a client and a reader.", status=403)


def open_with(pair):
    """The pair's conversation, made if missing (two requests at once make one: the UNIQUE pair and
    ON CONFLICT DO NOTHING), locked FOR UPDATE until the commit. Returns (conversation, created)."""
    made = db.session.execute(
        pg_insert(Conversation)
        .values(client_id=pair.client.id, reader_id=pair.reader.id)
        .on_conflict_do_nothing(constraint="uq_conversations_pair")
        .returning(Conversation.id)
    ).scalar_one_or_none()
    conversation = db.session.execute(
        sa.select(Conversation)
        .filter_by(client_id=pair.client.id, reader_id=pair.reader.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return conversation, made is not None


def lock(conversation):
    """Lock the conversation's row until the commit: messages in one conversation are stored one
    after the other, so `last_message_id` and read positions only move forward."""
    return db.session.execute(
        sa.select(Conversation)
        .filter_by(id=conversation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def recipient(reader_slug=None, user_id=None):
    """The person a new conversation would be with: the reader whose page has `reader_slug`, or the
    user `user_id`; None when there is no such person (pair_for then refuses with a 404)."""
    if reader_slug:
        user_id = db.session.execute(sa.select(ReaderProfile.user_id).filter_by(slug=reader_slug)).scalar_one_or_none()
    return db.session.get(User, user_id) if user_id else None


def profile_of(user_id):
    return db.session.execute(sa.select(ReaderProfile).filter_by(user_id=user_id)).scalar_one_or_none()


# --- the inbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    other: User
    profile: ReaderProfile | None  # the reader's profile (their photo), when the other is a reader
    last: Message | None
    unread: int


def inbox(user, page=1):
    """The user's conversations with at least one message, newest message first, a page at a time
    (four queries for the page: conversations, their last messages, unread counts, profiles)."""
    from soulseer.services.messages import unread

    statement = (
        sa.select(Conversation)
        .where(
            sa.or_(Conversation.client_id == user.id, Conversation.reader_id == user.id),
            Conversation.last_message_id.is_not(None),
        )
        .order_by(Conversation.last_message_id.desc())
    )
    pagination = db.paginate(statement, page=page, per_page=INBOX_PER_PAGE, error_out=False, count=True)
    conversations = list(pagination.items)
    last_ids = [c.last_message_id for c in conversations]
    lasts = {m.id: m for m in db.session.execute(sa.select(Message).where(Message.id.in_(last_ids))).scalars()}
    counts = unread.by_conversation(user, [c.id for c in conversations])
    reader_ids = [c.reader_id for c in conversations if c.reader_id != user.id]
    profiles = {
        p.user_id: p
        for p in db.session.execute(sa.select(ReaderProfile).where(ReaderProfile.user_id.in_(reader_ids))).scalars()
    }
    pagination.rows = [
        InboxRow(
            conversation=c,
            other=c.other(user),
            profile=profiles.get(c.other_id(user)),
            last=lasts.get(c.last_message_id),
            unread=counts.get(c.id, 0),
        )
        for c in conversations
    ]
    return pagination


def thread(conversation, before_id=None, limit=THREAD_PAGE):
    """The conversation's messages, oldest first: the newest `limit`, or those before `before_id`
    ("Earlier messages"). Returns (messages, whether there are earlier ones)."""
    statement = (
        sa.select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.id.desc())
        .limit(limit + 1)
    )
    if before_id:
        statement = statement.where(Message.id < before_id)
    rows = list(db.session.execute(statement).scalars())
    return list(reversed(rows[:limit])), len(rows) > limit


def waiting_for(reader):
    """The reader's conversations whose client has written since the reader's last message, with the
    time of the first such message (how long the client has waited), longest wait first."""
    reader_last = (
        sa.select(sa.func.coalesce(sa.func.max(Message.id), 0))
        .where(Message.conversation_id == Conversation.id, Message.sender_id == Conversation.reader_id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    since = sa.func.min(Message.created_at).label("since")
    rows = db.session.execute(
        sa.select(Conversation, since)
        .join(Message, sa.and_(Message.conversation_id == Conversation.id, Message.sender_id == Conversation.client_id))
        .where(Conversation.reader_id == reader.id, Message.id > reader_last)
        .group_by(Conversation.id)
        .order_by(since, Conversation.id)
    ).all()
    return [(conversation, waited_since) for conversation, waited_since in rows]
