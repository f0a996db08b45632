"""Reading the audit log (writing it is services.core.audit.record, inside each action's transaction)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import AuditEntry


def actions():
    """The actions that appear in the log, for the filter."""
    return list(db.session.execute(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())


def entries(page, action=None, per_page=30):
    """Newest first, paginated; optionally one action."""
    query = sa.select(AuditEntry)
    if action:
        query = query.filter_by(action=action)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def for_target(target_type, target_id, limit=20):
    """The latest entries about one thing (shown on a user's or an application's page)."""
    query = (
        sa.select(AuditEntry)
        .filter_by(target_type=target_type, target_id=target_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
