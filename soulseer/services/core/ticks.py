"""The tick: one cron job, every few seconds, runs each area's periodic handler (docs/architecture.md).

Each area that has timed work (readings: minute reservations, timeouts and settlement; later
bookings, streams, paid-reply deadlines, payouts) registers one handler in its init_app:

    ticks.register(app, "readings", billing.tick)

A handler takes `now` and brings everything of its area that is due up to date, taking its due
rows with `FOR UPDATE SKIP LOCKED` and committing batch by batch (`in_batches`), so any number of
workers may run the tick at once and none handles a row twice. It returns how many rows it handled. The
handlers run one after another in the order registered; one that fails does not stop the others
(its batch rolls back and the next tick tries again), and the tick job still fails afterwards, so
the failure shows in RQ's failed jobs.
"""

import logging

from flask import current_app

from soulseer import clock
from soulseer.extensions import db

EXTENSION = "soulseer.ticks"

log = logging.getLogger(__name__)


def register(app, name, handler):
    """Register `handler(now) -> int` under `name` (registering the same name again replaces it)."""
    app.extensions.setdefault(EXTENSION, {})[name] = handler


def handlers():
    return dict(current_app.extensions.get(EXTENSION, {}))


def run(now=None):
    """One tick: every registered handler once. Returns {name: rows handled}."""
    handled, failed = {}, None
    for name, handler in handlers().items():
        try:
            handled[name] = handler(now or clock.now())
        except Exception as error:
            db.session.rollback()
            log.exception("tick handler %r failed", name)
            failed = failed or error
    if failed is not None:
        raise failed
    return handled


def in_batches(next_batch, handle, batch_size, most=None):
    """The loop of a handler: `next_batch(after)` takes the next due rows, at most `batch_size`,
    locked `FOR UPDATE SKIP LOCKED` (`after` is the previous batch's last row, None at first, for a
    handler that pages by id); `handle(batch)` brings them up to date; each batch commits on its
    own, so a worker killed mid-batch loses only that batch, which the next tick does again. Stops
    at a short batch, or once `most` rows are handled (the rest waits for the next tick). Returns
    how many rows were handled."""
    handled, after = 0, None
    while most is None or handled < most:
        batch = next_batch(after)
        handle(batch)
        db.session.commit()
        handled += len(batch)
        if len(batch) < batch_size:
            break
        after = batch[-1]
    return handled
