"""Penalty steps (next-areas.md §4 F-7, Discourse's `penalty_step_hours: 24|72|168|720`): an
author suspended from the queue is suspended for 24 hours the first time, 72 hours the second,
7 days the third and 30 days from then on. The admin may choose another length, or "until
restored" (an admin restores the account on its page). The step counts the account's earlier
suspensions of any kind, read from the audit log (`user.suspended`), the record that is never
rewritten. A timed suspension ends by itself (services/accounts/suspensions.py).
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import AuditEntry


@dataclass(frozen=True)
class Length:
    code: str  # what the form sends
    label: str
    duration: timedelta | None  # None: until an admin restores the account


STEPS = (
    Length("24h", "24 hours", timedelta(hours=24)),
    Length("72h", "72 hours", timedelta(hours=72)),
    Length("7d", "7 days", timedelta(days=7)),
    Length("30d", "30 days", timedelta(days=30)),
)
UNTIL_RESTORED = Length("restored", "Until an admin restores the account", None)
LENGTHS = {length.code: length for length in (*STEPS, UNTIL_RESTORED)}


def earlier_suspensions(user_id):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "user.suspended", AuditEntry.target_type == "User", AuditEntry.target_id == user_id)
    ).scalar_one()


def next_step(user_id):
    """The length the next suspension of this account takes: one step further each time."""
    return STEPS[min(earlier_suspensions(user_id), len(STEPS) - 1)]
