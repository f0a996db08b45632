"""Premium entry (L-5): one ticket per viewer per stream, paid into a commerce hold
(`hold:ticket:<id>`, key `ticket:<stream>:<viewer>`), and later settled or released by the tick.

- **Settled** to the reader (her share) and the platform once the stream has been live 5 minutes
  (a ticket bought later is settled at the next tick).
- **Released** in full when the stream is cancelled, has not gone live 30 minutes after its
  scheduled time (the tick then cancels it), or ends less than 5 minutes after going live.
- Re-entry is free: a held or settled ticket admits its viewer for the whole stream.

`flask ledger verify` checks that no settled or released ticket keeps money in its hold.
"""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.ledger import keys
from soulseer.models import Stream, StreamKind, StreamState, StreamTicket, TicketState, User
from soulseer.services import commerce
from soulseer.services.core import after_commit, ticks
from soulseer.services.payments import wallet
from soulseer.services.streams import live
from soulseer.services.streams.lifecycle import StreamError

SETTLE_AFTER = timedelta(minutes=5)  # live this long: the tickets are earned
NO_SHOW_AFTER = timedelta(minutes=30)  # not live this long after the scheduled time: cancelled
BATCH = 200
ADMITTING = (TicketState.HELD, TicketState.SETTLED)


def reference(ticket):
    return ("ticket", ticket.id if isinstance(ticket, StreamTicket) else ticket)


def ticket_of(stream, user):
    if not user.is_authenticated:
        return None
    return db.session.execute(
        sa.select(StreamTicket).filter_by(stream_id=stream.id, user_id=user.id)
    ).scalar_one_or_none()


def holds_ticket(stream, user):
    ticket = ticket_of(stream, user)
    return ticket is not None and ticket.state in ADMITTING


def buy(stream, user):
    """The viewer pays the entry into a hold (the caller commits). Buying again returns the ticket
    already held (re-entry is free; a double tap pays once). Raises StreamError (not premium 404,
    the reader 403, the stream over 409) or commerce.NotEnoughFunds / SpendingFrozen."""
    if stream.kind != StreamKind.PREMIUM:
        raise StreamError("This stream has no entry price.", status=404)
    if user.id == stream.reader_id:
        raise StreamError("This is your own stream.", status=403)
    if stream.over:
        raise StreamError("This stream is over.", status=409)
    inserted = db.session.execute(
        insert(StreamTicket)
        .values(stream_id=stream.id, user_id=user.id, price_cents=stream.entry_price_cents,
                state=TicketState.HELD, created_at=clock.now())
        .on_conflict_do_nothing(constraint="uq_stream_tickets_one_per_viewer")
        .returning(StreamTicket.id)
    ).scalar()  # fmt: skip
    ticket = db.session.execute(
        sa.select(StreamTicket)
        .filter_by(stream_id=stream.id, user_id=user.id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if inserted is None:
        return ticket  # bought before (a second tab, a retry): nothing is paid again
    reader = db.session.get(User, stream.reader_id)
    commerce.hold(
        user, reference(ticket), ticket.price_cents, keys.ticket_hold(stream.id, user.id),
        f"Entry to {reader.display_name}'s live stream “{stream.title}”",
    )  # fmt: skip
    wallet.announce_balance(user)
    return ticket


def _decide(ticket, stream, now):
    """settle, release, or None (still waiting) for a held ticket of `stream` at `now`."""
    if stream.state == StreamState.CANCELLED:
        return "release"
    if stream.state == StreamState.LIVE:
        return "settle" if now - stream.started_at >= SETTLE_AFTER else None
    if stream.state == StreamState.ENDED:
        return "settle" if stream.ended_at - stream.started_at >= SETTLE_AFTER else "release"
    return None  # scheduled: waits for the stream


def due_clause(now):
    """The SQL side of "this held ticket is due" (its stream decided it); `_decide` is the Python
    side, and tests/streams/test_tickets.py checks that both agree."""
    return sa.and_(
        StreamTicket.state == TicketState.HELD,
        sa.or_(
            Stream.state.in_((StreamState.CANCELLED, StreamState.ENDED)),
            sa.and_(Stream.state == StreamState.LIVE, Stream.started_at <= now - SETTLE_AFTER),
        ),
    )


def cancel_no_shows(now):
    """Announced streams not live 30 minutes after their time are cancelled (their tickets are then
    released). Returns how many."""
    late = db.session.execute(
        sa.select(Stream)
        .where(Stream.state == StreamState.SCHEDULED, Stream.scheduled_at <= now - NO_SHOW_AFTER)
        .with_for_update(skip_locked=True)
        .limit(BATCH)
    ).scalars().all()  # fmt: skip
    for stream in late:
        stream.state, stream.ended_at = StreamState.CANCELLED, now
        after_commit.run_once(live.publish_state, stream.id)
    if late:
        after_commit.run_once(live.publish_listing)
    db.session.commit()
    return len(late)


def settle_or_release(now):
    """Every held ticket whose stream decided it: settled or released, batch by batch, each ticket
    row taken with SKIP LOCKED so parallel ticks never handle one twice. Returns how many."""

    def next_batch(_after):
        return db.session.execute(
            sa.select(StreamTicket, Stream)
            .join(Stream, Stream.id == StreamTicket.stream_id)
            .where(due_clause(now))
            .order_by(StreamTicket.id)
            .with_for_update(of=StreamTicket, skip_locked=True)
            .limit(BATCH)
        ).all()

    def handle(rows):
        for ticket, stream in rows:
            decision = _decide(ticket, stream, now)
            client = db.session.get(User, ticket.user_id)
            if decision == "settle":
                reader = db.session.get(User, stream.reader_id)
                commerce.settle(client, reference(ticket), ticket.price_cents, reader, keys.ticket_end(ticket.id),
                                f"Entry to “{stream.title}”")  # fmt: skip
                ticket.state = TicketState.SETTLED
            else:
                commerce.release(client, reference(ticket), ticket.price_cents, keys.ticket_end(ticket.id),
                                 f"Entry to “{stream.title}” given back")  # fmt: skip
                ticket.state = TicketState.RELEASED
                wallet.announce_balance(client)
            ticket.decided_at = now

    return ticks.in_batches(next_batch, handle, BATCH)


def figures(stream_id):
    """(tickets sold, cents held or settled) for a stream."""
    count, cents = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(StreamTicket.price_cents), 0)).where(
            StreamTicket.stream_id == stream_id, StreamTicket.state.in_(ADMITTING)
        )
    ).one()
    return count, int(cents)
