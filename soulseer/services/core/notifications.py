"""In-app notifications (PRODUCT.md §12): the service other areas call, and the bell's live count.

    from soulseer.services.core import notifications
    notifications.notify(user, "request", "Ana wants a chat reading", link="/readings/12")
    db.session.commit()   # the row is stored with the caller's transaction; the bell updates after

`notify` adds the row to the caller's transaction and, once that commits, pushes the re-rendered
bell (with the new unread count) to every open tab of the user over the event stream. Later
channels (Web Push, email) hang off the same call. `notify_many` stores a batch of them in one
INSERT (a tick telling hundreds of people). However many notifications a transaction makes, each
person's bell is pushed once after it commits, and all of them together (`push_bells`: one count
query, one round trip to Redis).
"""

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from soulseer import clock
from soulseer.extensions import db
from soulseer.models.base import one_of
from soulseer.models.notification import Notification
from soulseer.services.core import after_commit, events, header_versions
from soulseer.services.core.data_export import export_section, iso

# The kinds PRODUCT.md §12 names; an unknown kind is a programming error, caught early.
KINDS = {
    "request",
    "request_accepted",
    "request_declined",
    "low_balance",
    "message",
    "paid_reply",
    "booking",
    "review",
    "reader_online",
    "community_reply",
    "payout",
    "order",
    "stream",
    "system",
}
BELL_EVENT = "notifications"
PAGE_SIZE = 30
TEXT_MAX = 300


def notify(user, kind, text, link=None):
    """Store a notification for `user` (a User or an id) in the current transaction; after commit,
    update the user's bell in every open tab."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    user_id = user if isinstance(user, int) else user.id
    notification = Notification(user_id=user_id, kind=kind, text=text[:TEXT_MAX], link=link or None)
    db.session.add(notification)
    after_commit.run_batched(push_bells, user_id)
    return notification


def notify_many(notes):
    """Store the notifications `notes`, [(user or id, kind, text, link)], in one INSERT in the
    current transaction; after commit, each person's bell is updated once (as `notify`)."""
    user_ids, kinds, texts, links = [], [], [], []
    for user, kind, text, link in notes:
        if kind not in KINDS:
            raise ValueError(f"unknown notification kind {kind!r}")
        user_ids.append(user if isinstance(user, int) else user.id)
        kinds.append(kind)
        texts.append(text[:TEXT_MAX])
        links.append(link or None)
    if not user_ids:
        return
    # One short statement with four arrays: a VALUES list of hundreds of rows is a statement the
    # driver parses anew each time (it cost more than the insert).
    db.session.execute(
        _INSERT_MANY,
        {"user_ids": user_ids, "kinds": kinds, "texts": texts, "links": links, "at": clock.now()},
        execution_options=header_versions.naming(user_ids),  # their bells: their headers, no one else's
    )
    for user_id in user_ids:
        after_commit.run_batched(push_bells, user_id)


_INSERT_MANY = sa.text(
    "INSERT INTO notifications (user_id, kind, text, link, created_at)"
    " SELECT user_id, kind, text, link, :at FROM unnest(CAST(:user_ids AS integer[]), CAST(:kinds AS text[]),"
    " CAST(:texts AS text[]), CAST(:links AS text[])) AS n(user_id, kind, text, link)"
)


def path_for(endpoint, **values):
    """A notification's link (a path on this site), also outside a request (jobs, tests)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def unread_count(user_id, session=None):
    session = session or db.session
    return session.scalar(sa.select(unread_count_clause(user_id)))


def unread_count_clause(user_id):
    """The bell's count as SQL (the signed-in header reads it with the user: soulseer/signed_in.py)."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def push_bell(user_id):
    """Send the user's open tabs their bell with the current unread count (after a commit)."""
    push_bells([user_id])


def push_bells(user_ids):
    """Send each user's open tabs their bell with the current unread count (after a commit): one
    query for every count, each bell rendered once per count, one round trip to Redis."""
    from flask import render_template

    user_ids = list(user_ids)
    with events.isolated_context():
        counts = dict.fromkeys(user_ids, 0)
        counts.update(
            db.session.execute(
                sa.select(Notification.user_id, sa.func.count())
                .where(one_of(Notification.user_id, user_ids), Notification.read_at.is_(None))
                .group_by(Notification.user_id)
            ).all()
        )
        bells = {
            count: render_template("notifications/_bell.html", unread_count=count) for count in set(counts.values())
        }
    events.publish_many([(user_id, BELL_EVENT, bells[count]) for user_id, count in counts.items()])


def page_for(user_id, before_id=None, limit=None):
    """The user's notifications, newest first; `before_id` continues a list ("older")."""
    limit = limit or PAGE_SIZE
    query = sa.select(Notification).filter_by(user_id=user_id).order_by(Notification.id.desc()).limit(limit + 1)
    if before_id:
        query = query.where(Notification.id < before_id)
    rows = list(db.session.execute(query).scalars())
    return rows[:limit], len(rows) > limit


def get_own(user_id, notification_id):
    """The user's notification, or None when it does not exist or belongs to someone else."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    return notification


def mark_read(notification):
    if notification.read_at is None:
        notification.read_at = clock.now()
        after_commit.run_once(push_bell, notification.user_id)
    return notification


def mark_all_read(user_id):
    changed = db.session.execute(
        sa.update(Notification).filter_by(user_id=user_id, read_at=None).values(read_at=clock.now())
    ).rowcount
    if changed:
        after_commit.run_once(push_bell, user_id)
    return changed


@export_section("notifications")
def _export(user):
    return [
        {
            "kind": n.kind,
            "text": n.text,
            "link": n.link,
            "created_at": iso(n.created_at),
            "read_at": iso(n.read_at),
        }
        for n in db.session.execute(
            sa.select(Notification).filter_by(user_id=user.id).order_by(Notification.id)
        ).scalars()
    ]
