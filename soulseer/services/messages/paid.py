"""Paid replies (M-3 to M-5): a reader prices a reply ($0.50 to $100); the client sees it locked
(reader, word count, price) and unlocks it from the wallet through commerce, with the reader's
share; the reader may withdraw it until then; once unlocked it never changes (the database's
trigger, migration 0016_b); for 72 hours after unlocking the client may report that it did not
answer their question, and an admin may refund it from the moderation queue.

Nothing is held while a reply waits: the client pays only when they unlock. So there is no
deadline to run in the tick: an unanswered question costs nothing, and a withdrawn or never
unlocked reply moves no money.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import accounts, keys, reads
from soulseer.models import Conversation, Flag, Message, ModerationItem, User
from soulseer.models.message import PRICE_MAX, PRICE_MIN
from soulseer.money import format_cents, price_between
from soulseer.services import commerce
from soulseer.services.core import after_commit, notifications
from soulseer.services.messages import live
from soulseer.services.messages.conversations import MessageError
from soulseer.services.payments import wallet

CONTEST_WINDOW = timedelta(hours=72)  # Keen's window too (next-areas.md §3, M-5)


def reference(message):
    """The sale of a paid reply, in the ledger."""
    return ("message", message.id if isinstance(message, Message) else message)


def check_price(text):
    """A price typed by the reader ("4", "4.50", "$4.50") in cents, or MessageError on `price`."""
    return price_between(
        text, PRICE_MIN, PRICE_MAX, lambda message: MessageError(message, field="price"),
        "Enter a price in dollars, like 4 or 4.50.", "A paid reply costs from {low} to {high}.",
    )  # fmt: skip


def price_for(reply, price_text):
    """The compose form's choice: None for a free reply; the price in cents for a paid one. A price
    typed with "Free" chosen is refused rather than guessed: either way could surprise the reader
    (their answer given away, or a client charged)."""
    if reply == "paid":
        return check_price(price_text)
    if (price_text or "").strip():
        raise MessageError("You typed a price but chose Free: choose Paid, or clear the price.", field="price")
    return None


def _locked(message_id):
    """The message and its conversation, the message's row locked until the commit: two unlocks
    (a double click, two tabs) run one after the other, and the second finds it unlocked."""
    message = db.session.execute(
        sa.select(Message).filter_by(id=message_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    conversation = db.session.get(Conversation, message.conversation_id) if message else None
    return message, conversation


def unlock(client, message_id):
    """The client pays for a paid reply and may read it. Unlocking again charges nothing and gives
    the same answer. Raises MessageError (404 not theirs, 403 their own, 409 nothing to unlock) or
    commerce.NotEnoughFunds (402: offer a top-up) / SpendingFrozen (403), with nothing written."""
    message, conversation = _locked(message_id)
    if message is None or not conversation.has(client):
        raise MessageError("There is no such message.", status=404)
    if message.sender_id == client.id:
        raise MessageError("This reply is yours: only its client can unlock it.", status=403)
    if not message.paid:
        raise MessageError("This message is free: there is nothing to unlock.", status=409)
    if message.unlocked_at is not None:
        return message  # a second click, another tab, a retry: already paid once
    if message.withdrawn:
        raise MessageError(f"{message.sender.display_name} withdrew this reply; nothing was charged.", status=409)
    if message.hidden:
        raise MessageError("This reply was removed by moderation; nothing was charged.", status=409)
    reader = db.session.get(User, message.sender_id)
    commerce.charge(
        client, reader, message.price_cents, keys.unlock(message.id), reference(message),
        f"Paid reply from {reader.display_name}",
    )  # fmt: skip
    message.unlocked_at = clock.now()
    after_commit.run(live.publish_reply_change, message.id, reader.id)
    wallet.announce_balance(client)
    notifications.notify(
        reader, "paid_reply", f"{client.display_name} unlocked your paid reply ({format_cents(message.price_cents)})",
        link=f"/messages/{conversation.id}",
    )  # fmt: skip
    return message


def withdraw(reader, message_id):
    """The reader takes back a paid reply nobody has unlocked (nothing was charged)."""
    message, conversation = _locked(message_id)
    if message is None or not conversation.has(reader):
        raise MessageError("There is no such message.", status=404)
    if message.sender_id != reader.id or not message.paid:
        raise MessageError("Only the reader who wrote a paid reply can withdraw it.", status=403)
    if message.unlocked_at is not None:
        raise MessageError("This reply has been unlocked: it can no longer change.", status=409)
    if message.withdrawn:
        return message
    message.withdrawn_at = clock.now()
    after_commit.run(live.publish_reply_change, message.id, conversation.client_id)
    return message


def contest_open(message, now=None):
    """The client may report a paid reply as not answering their question: 72 h after unlocking."""
    return message.unlocked_at is not None and (now or clock.now()) <= message.unlocked_at + CONTEST_WINDOW


@dataclass(frozen=True)
class Figures:
    """A reader's paid replies: for their dashboard and the admin's reader page (M-5: bait shows as
    contests and refunds)."""

    sent: int  # paid replies written (withdrawn ones included)
    unlocked: int
    revenue_cents: int  # what clients paid to unlock them
    earned_cents: int  # the reader's share, less what refunds took back (from the ledger)
    contested: int  # "it did not answer my question" reports by clients
    refunded_cents: int  # what went back to clients


def figures(reader):
    mine = sa.select(Message.id).where(Message.sender_id == reader.id, Message.price_cents.is_not(None))
    sent, unlocked, revenue = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(Message.unlocked_at),
            sa.func.coalesce(sa.func.sum(Message.price_cents).filter(Message.unlocked_at.is_not(None)), 0),
        ).where(Message.sender_id == reader.id, Message.price_cents.is_not(None))
    ).one()
    contested = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Flag)
        .join(ModerationItem, ModerationItem.id == Flag.item_id)
        .where(ModerationItem.kind == "paid_reply", ModerationItem.author_id == reader.id, Flag.flagger_id.is_not(None))
    )
    return Figures(
        sent=sent,
        unlocked=unlocked,
        revenue_cents=int(revenue),
        earned_cents=reads.moved_for_type(accounts.earnings_spec(reader), "message"),
        contested=contested,
        refunded_cents=reads.refunded_for("message", mine),
    )
