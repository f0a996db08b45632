"""Gifts in a live stream (L-7) and the top-gifters board (L-8).

Sending is a commerce sale (`commerce.charge`): the wallet pays the gift's price, the reader gets
floor(price × her share), the platform the rest, with the ledger key `gift:<client key>`. The
client key is the id the sender's page gave this one gift (a UUID in the gift form): a double tap,
two tabs or a retry of the same form run one after another (an advisory lock on the key) and find
the gift already sent, so one tap is one charge however often it arrives.

Limits per sender and stream: one gift per 500 ms, 120 an hour; a gift of $25 or more needs a
second, confirming tap (`confirmed`). Too little in the wallet is commerce's NotEnoughFunds (402):
the page offers the top-up in place, and nothing is written.

The board is computed from the gift rows (GROUP BY), so it cannot drift from what was paid; each
sender's anonymous gifts are a row of their own, shown as "Anonymous". Ties go to whoever reached
the total first (the smaller id of their last gift).
"""

import math
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from limits import parse

from soulseer import clock
from soulseer.extensions import db, get_redis
from soulseer.ledger import keys
from soulseer.models import Gift, StreamGift, User
from soulseer.money import format_cents
from soulseer.services import commerce
from soulseer.services.core import after_commit, throttle
from soulseer.services.payments import wallet
from soulseer.services.streams import access, live
from soulseer.services.streams.lifecycle import StreamError

CONFIRM_FROM_CENTS = 2500  # a gift of $25 or more takes a second tap
SPACING_MS = 500  # one gift per 500 ms per sender and stream
HOURLY = parse("120/hour")
BOARD_TOP = 3  # always shown
BOARD_EXPANDED = 10  # on expand, with the viewer's own rank


class ConfirmGift(StreamError):
    """A big gift's first tap: the page asks for a second one; nothing was charged."""

    status = 409


def catalogue():
    """The gifts on offer, in the admin's order."""
    return list(db.session.execute(sa.select(Gift).filter_by(active=True).order_by(Gift.position, Gift.id)).scalars())


def reference(gift_row_id):
    return ("gift", gift_row_id)


def parse_key(text):
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise StreamError("This gift form is out of date; reload the page.", status=422) from None


def fresh_key():
    """The id a gift form carries: new for each form shown, so each tap of a new form is a new gift."""
    return uuid.uuid4()


@dataclass(frozen=True)
class Sent:
    row: StreamGift
    created: bool  # False: this key was sent before (a double tap, a retry): nothing charged now


def _already_sent(client_key, sender):
    row = db.session.execute(sa.select(StreamGift).filter_by(client_key=client_key)).scalar_one_or_none()
    if row is not None and row.sender_id != sender.id:
        raise StreamError("This gift form is out of date; reload the page.", status=409)
    return row


def send(stream, sender, gift_id, client_key, anonymous=False, confirmed=False, shown_price_cents=None):
    """Send one gift (the caller commits). Returns Sent. Raises StreamError (the stream not live
    409, not admitted or the reader herself 403, no such gift 404, its price changed since the
    tray showed `shown_price_cents` 409, too fast 429), ConfirmGift, or commerce's NotEnoughFunds /
    SpendingFrozen, with nothing written."""
    client_key = parse_key(client_key)
    # Until the commit, a second request with this key waits here, then finds the row.
    db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(keys.gift(client_key)))))
    row = _already_sent(client_key, sender)
    if row is not None:
        return Sent(row, created=False)
    gift = db.session.get(Gift, gift_id) if isinstance(gift_id, int) else None
    if gift is None or not gift.active:
        raise StreamError("There is no such gift.", status=404)
    if shown_price_cents is not None and shown_price_cents != gift.price_cents:
        # The admin changed the catalogue since the tray was shown: nobody pays what she did not see.
        raise StreamError(f"The {gift.name} now costs {format_cents(gift.price_cents)}; tap it again to send it.",
                          status=409)  # fmt: skip
    if not stream.live:
        raise StreamError("Gifts can be sent while the stream is live.", status=409)
    if access.is_host(stream, sender):
        raise StreamError("You cannot send gifts in your own stream.", status=403)
    if not access.admitted(stream, sender):
        raise StreamError("You cannot send gifts in this stream.", status=403)
    if gift.price_cents >= CONFIRM_FROM_CENTS and not confirmed:
        raise ConfirmGift(f"Tap again to send a {gift.name} for {format_cents(gift.price_cents)}.")
    _check_hourly(stream, sender)
    spacing_key = f"soulseer:stream-gift-spacing:{stream.id}:{sender.id}"
    if not get_redis().set(spacing_key, 1, nx=True, px=SPACING_MS):
        raise StreamError("One gift at a time: wait a moment.", status=429, retry_after=1)
    reader = db.session.get(User, stream.reader_id)
    quoted = commerce.quote(reader, gift.price_cents)
    row = StreamGift(
        stream_id=stream.id,
        gift_id=gift.id,
        sender_id=sender.id,
        client_key=client_key,
        price_cents=quoted.amount,
        to_reader_cents=quoted.to_reader,
        anonymous=bool(anonymous),
        created_at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    # The sale last, just before the caller's commit: it locks the reader's earnings, which every
    # gift of her stream waits for, so they are held for the commit only (docs/streams.md).
    try:
        commerce.charge(
            sender, reader, gift.price_cents, keys.gift(client_key), reference(row.id),
            f"{gift.name} for {reader.display_name}'s live stream", quoted=quoted,
        )  # fmt: skip
    except (commerce.NotEnoughFunds, commerce.SpendingFrozen):
        get_redis().delete(spacing_key)  # nothing was sent: the next tap is not "too fast"
        raise
    after_commit.run(_count_hourly, stream.id, sender.id)  # only what was stored counts
    after_commit.run(live.publish_gift, row.id)
    wallet.announce_balance(sender)
    return Sent(row, created=True)


def _check_hourly(stream, sender):
    limiter = throttle.moving_window()
    key = ("stream-gifts", str(stream.id), str(sender.id))
    if not limiter.test(HOURLY, *key):
        reset_at, _ = limiter.get_window_stats(HOURLY, *key)
        raise StreamError(
            "You have sent 120 gifts in this stream in the last hour, the most we allow. Thank you!",
            status=429,
            retry_after=max(1, math.ceil(reset_at - time.time())),
        )


def _count_hourly(stream_id, sender_id):
    throttle.moving_window().hit(HOURLY, "stream-gifts", str(stream_id), str(sender_id))


# The board -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    rank: int
    sender_id: int
    anonymous: bool
    name: str  # the display name, or "Anonymous"
    total_cents: int
    gifts: int


def _ranked(stream_id):
    totals = (
        sa.select(
            StreamGift.sender_id,
            StreamGift.anonymous,
            sa.func.sum(StreamGift.price_cents).label("total"),
            sa.func.count().label("gifts"),
            sa.func.max(StreamGift.id).label("reached"),
        )
        .where(StreamGift.stream_id == stream_id)
        .group_by(StreamGift.sender_id, StreamGift.anonymous)
        .subquery()
    )
    rank = sa.func.row_number().over(order_by=(totals.c.total.desc(), totals.c.reached)).label("rank")
    return sa.select(totals, rank, User.display_name).join(User, User.id == totals.c.sender_id).subquery()


def _standings(rows):
    return [
        Standing(
            rank=row.rank,
            sender_id=row.sender_id,
            anonymous=row.anonymous,
            name="Anonymous" if row.anonymous else row.display_name,
            total_cents=int(row.total),
            gifts=row.gifts,
        )
        for row in rows
    ]


def board(stream_id, top=BOARD_TOP):
    ranked = _ranked(stream_id)
    return _standings(db.session.execute(sa.select(ranked).where(ranked.c.rank <= top).order_by(ranked.c.rank)))


def board_for(stream_id, viewer_id, top=BOARD_EXPANDED):
    """The top ten, and the viewer's own rows below them (their named and anonymous totals)."""
    ranked = _ranked(stream_id)
    rows = db.session.execute(
        sa.select(ranked).where(sa.or_(ranked.c.rank <= top, ranked.c.sender_id == viewer_id)).order_by(ranked.c.rank)
    )
    standings = _standings(rows)
    return [s for s in standings if s.rank <= top], [s for s in standings if s.rank > top and s.sender_id == viewer_id]


def totals(stream_id):
    """Gifts sent in the stream and what they paid (for the stream's figures)."""
    count, paid, to_reader = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(StreamGift.price_cents), 0),
            sa.func.coalesce(sa.func.sum(StreamGift.to_reader_cents), 0),
        ).where(StreamGift.stream_id == stream_id)
    ).one()
    return count, int(paid), int(to_reader)
