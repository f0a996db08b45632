"""Suspensions that end by themselves (the moderation queue's penalty steps, docs/moderation.md).

An account suspended with an end (`users.suspended_until`) becomes active again when that time
comes: the tick ends every suspension that is over (`end_over`, registered in `init_app`), and a
sign-in in between does not wait for it (`end_if_over`). Both write `user.restored` with no admin
(the system) in the audit log. A suspension without an end lasts until an admin restores it.
Callers commit, except the tick's handler, which commits its batches.
"""

from datetime import UTC

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import User, UserStatus
from soulseer.services.core import audit, ticks

ENDED = "The suspension ended."


def is_over(user, now=None):
    """Whether `user`'s suspension has ended (in Python; `over_clause` is the same rule in SQL)."""
    return (
        user.status == UserStatus.SUSPENDED
        and user.suspended_until is not None
        and user.suspended_until <= (now or clock.now())
    )


def over_clause(now):
    """SQL: accounts whose suspension has ended (the tick's rows; the same rule as `is_over`)."""
    return sa.and_(User.status == UserStatus.SUSPENDED, User.suspended_until <= now)


def when_it_ends(user):
    """A sentence for the suspended person, or None when it lasts until an admin restores it."""
    if user.suspended_until is None:
        return None
    return f"It ends on {user.suspended_until.astimezone(UTC):%-d %b %Y at %H:%M} UTC; you can sign in again then."


def _end(user):
    before = {"status": user.status, "suspended_until": user.suspended_until.isoformat()}
    user.status, user.suspended_until = UserStatus.ACTIVE, None
    audit.record(None, "user.restored", user, before, {"status": user.status}, ENDED)


def end_if_over(user, now=None):
    """At sign-in: end `user`'s suspension if its time has come (locked first). True if it did."""
    if not is_over(user, now):
        return False
    db.session.refresh(user, with_for_update=True)
    if not is_over(user, now):  # restored or suspended again meanwhile
        return False
    _end(user)
    return True


def end_over(now, batch_size=200):
    """The tick's handler: end every suspension that is over, a batch per transaction; rows another
    worker holds are left to it. Returns how many ended."""

    def next_batch(_after):
        return db.session.execute(
            sa.select(User)
            .where(over_clause(now))
            .order_by(User.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).scalars().all()  # fmt: skip

    def handle(users):
        for user in users:
            _end(user)

    return ticks.in_batches(next_batch, handle, batch_size)


def init_app(app):
    ticks.register(app, "suspensions", end_over)
