"""Work that waits for the database commit: live events, RQ jobs, cache bumps (docs/architecture.md).

Anything that tells the outside world about a change (a tab's live update, a job that reads the
rows, the marketplace cache's version) must happen after the transaction commits, never before
(the rows would not be visible yet) and never if it rolls back (it did not happen). One queue per
session holds that work, in the order it was asked for; SQLAlchemy's hooks run it once the
committed transaction has ended and given its connection back to the pool (work that opens a
session of its own then never holds a second connection), or drop it at the rollback.

Savepoints: SQLAlchemy fires `after_commit` when a `begin_nested()` savepoint is released and
`after_rollback` when one rolls back. Neither is the end of the transaction, so both hooks wait
for the real COMMIT or ROLLBACK: work queued before or inside a savepoint stays queued. What a
rolled-back savepoint queued stays queued too: each piece of work reads the database after the
commit (a job loads its rows, an event renders from them), so it is at worst a harmless extra
refresh, never a wrong one.
"""

import logging

import sqlalchemy as sa

KEY = "after_commit"
ONCE_KEY = "after_commit_once"  # what run_once() queued, so asking again is one set lookup
BATCH_KEY = "after_commit_batch"  # run_batched(): func -> the items gathered for its one call
MEMO_KEY = "after_commit_memo"  # transaction_memo(): name -> dict, dropped when the transaction ends
COMMITTED_KEY = "after_commit_committed"  # the work of a committed transaction, run once it has ended

log = logging.getLogger(__name__)


def _pending(session=None):
    if session is None:
        from soulseer.extensions import db

        session = db.session()  # the Session itself (the scoped proxy lacks in_transaction)
    if not session.in_transaction():
        # Begin the (lazy, connection-less) transaction now, so a rollback() before any SQL still
        # ends it and drops the queue instead of leaving the work for the next commit.
        session.begin()
    return session.info.setdefault(KEY, [])


def run(func, *args):
    """Call `func(*args)` once the current transaction commits; never if it rolls back. `func`
    runs outside the transaction and must not use `db.session` (inside `events.isolated_context()`
    it has a session of its own)."""
    _pending().append((func, args))


def run_once(func, *args, first=False, session=None):
    """Like run(), but at most once per transaction for the same `func(*args)`; `first` puts it
    before everything queued (a cache version must move before any tab hears of the change)."""
    pending = _pending(session)
    if (func, args) in _once(session):
        return
    _once(session).add((func, args))
    if first:
        pending.insert(0, (func, args))
    else:
        pending.append((func, args))


def run_batched(func, item, session=None):
    """Call `func(items)` once the transaction commits, with every `item` asked for in it (each
    once, in the order first asked): a tick that tells 400 people in one batch pushes their bells
    with one query and one round trip to Redis, not 400 of each. The call takes its place in the
    queue where the first item was asked for."""
    pending = _pending(session)
    if session is None:
        from soulseer.extensions import db

        session = db.session()
    batches = session.info.setdefault(BATCH_KEY, {})
    items = batches.get(func)
    if items is None:
        items = batches[func] = {}  # a dict keeps the order asked and each item once
        pending.append((_call_with_items, (func, items)))
    items[item] = None


def transaction_memo(name, session=None):
    """A dict kept for the current transaction only (dropped at its COMMIT or ROLLBACK): a batch
    that has read many rows at once leaves them there for code that would look each one up."""
    if session is None:
        from soulseer.extensions import db

        session = db.session()
    _pending(session)
    return session.info.setdefault(MEMO_KEY, {}).setdefault(name, {})


def _call_with_items(func, items):
    func(list(items))


def _once(session=None):
    if session is None:
        from soulseer.extensions import db

        session = db.session()
    return session.info.setdefault(ONCE_KEY, set())


def enqueue(job, *args, queue="default"):
    """Enqueue the RQ job `job(*args)` once the transaction commits, so it never runs before the rows
    it reads are visible (and never for a transaction that rolled back)."""
    run(_enqueue_now, queue, job, args)


def _enqueue_now(queue, job, args):
    from soulseer.jobs import get_queue

    get_queue(queue).enqueue(job, *args)


def _after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint was released: wait for the real commit
    session.info.pop(ONCE_KEY, None)
    session.info.pop(BATCH_KEY, None)
    session.info.pop(MEMO_KEY, None)
    # Run once the transaction has ended (_after_transaction_end), not here: SQLAlchemy fires
    # after_commit while the session still holds its connection, and the work opens a session of
    # its own (events.isolated_context), so each committing request would need two of the pool's
    # connections at once. Under load every connection is then held by a request waiting for a
    # second one, until the pool's timeout (30 s) fails them all (make bench: gifts, 2026-12-07).
    session.info[COMMITTED_KEY] = session.info.pop(KEY, [])


def _after_transaction_end(session, transaction):
    if transaction.parent is not None:
        return  # a savepoint's end, not the transaction's
    for func, args in session.info.pop(COMMITTED_KEY, None) or ():
        try:
            func(*args)
        except Exception:
            # The transaction is committed: a lost live update or enqueue must not turn it into an
            # error page. Jobs that matter have a sweeper (Stripe events: requeue_stuck_stripe_events).
            log.exception("after-commit work failed: %s", getattr(func, "__name__", func))


def _after_soft_rollback(session, previous_transaction):
    # Fired by every rollback(), also one with no transaction begun yet (work queued before any
    # SQL must be dropped too), and by a savepoint's rollback, which is not the end of the
    # transaction: the queue stays.
    if previous_transaction.nested:
        return
    session.info.pop(KEY, None)
    session.info.pop(ONCE_KEY, None)
    session.info.pop(BATCH_KEY, None)
    session.info.pop(MEMO_KEY, None)


def init_app(app):
    from flask_sqlalchemy.session import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_transaction_end", _after_transaction_end)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
