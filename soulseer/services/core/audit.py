"""Write the audit log. Part of the caller's transaction: the action and its record commit together."""

from soulseer.extensions import db
from soulseer.models import AuditEntry


def record(actor, action, target, before=None, after=None, reason=None):
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "system",
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(entry)
    return entry
