"""The community live (issue #15, "Live"): after a reply commits, every signed-in tab with its
thread open hears `community-thread-<id>` and asks how many replies it has not shown
(`new_replies`), counted for that viewer, so hidden replies are never announced; every tab on the
categories page hears `community` and reloads the counts — also when a thread is started, moved,
hidden or shown, or deleted before anyone answered (`counts_changed`). The events carry no content: each tab
fetches what it may see (docs/events.md, docs/community.md)."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import CommunityPost
from soulseer.services.core import after_commit, events

CATEGORIES_EVENT = "community"


def thread_event(thread_id):
    return f"community-thread-{int(thread_id)}"


def announce_reply(thread_id):
    """After the commit: tell open tabs of the thread and of the categories page."""
    events.publish_public(thread_event(thread_id), "")
    events.publish_public(CATEGORIES_EVENT, "")


def counts_changed():
    """A category's thread count changes with this transaction (a thread started, moved, hidden or
    shown, deleted before anyone answered): open categories pages reload theirs after the commit."""
    after_commit.run_once(events.publish_public, CATEGORIES_EVENT, "")


def new_replies(viewer, thread, since_id):
    """Replies in the thread after `since_id` that `viewer` may read and did not write, and the
    first of them (to show it)."""
    statement = sa.select(CommunityPost.id).where(
        CommunityPost.thread_id == thread.id,
        CommunityPost.id > since_id,
        CommunityPost.deleted_at.is_(None),
        CommunityPost.hidden.is_(False),
    )
    if viewer is not None:
        statement = statement.where(CommunityPost.author_id.is_distinct_from(viewer.id))
    ids = list(db.session.execute(statement.order_by(CommunityPost.id)).scalars())
    return len(ids), (ids[0] if ids else None)
