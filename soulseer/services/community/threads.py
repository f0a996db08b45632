"""Threads (F-1, F-2, F-4): starting one, the lists, reading one, editing and deleting it.

Who reads what: a thread everyone can read is "listed" (`listed_clause`): not hidden, and not
deleted by its author before anyone replied. Its author and admins also open a hidden thread
(marked); everyone else gets 404 there and never sees it in a list. Lists put pinned threads first,
then the latest activity (a new reply moves a thread up).

Every change to what the lists show marks the transaction for the page cache (the home page shows
the latest threads and is shared by every visitor: page_cache.changed()).
"""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import CommunityThread
from soulseer.services.community import categories, limits, live, rendering, writing
from soulseer.services.community.writing import CommunityError
from soulseer.services.marketplace import page_cache
from soulseer.services.moderation import automatic

THREADS_PER_PAGE = 25
LATEST_ON_HOME = 5


def listed_clause():
    """SQL: threads everyone may read and find in the lists."""
    return sa.and_(
        CommunityThread.hidden.is_(False),
        sa.or_(CommunityThread.deleted_at.is_(None), CommunityThread.reply_count > 0),
    )


def is_listed(thread):
    return thread.visible and (not thread.deleted or thread.reply_count > 0)


def can_read(user, thread):
    """Everyone reads a listed thread; its author and admins also a hidden or emptied one."""
    if is_listed(thread):
        return True
    return user is not None and user.is_authenticated and (user.is_admin or user.id == thread.author_id)


def get(thread_id):
    return db.session.get(CommunityThread, thread_id)


def start(user, category, title, body):
    """`user` starts a thread in `category`; screened (flagged, never blocked). The caller commits."""
    if not categories.may_start_thread(user, category):
        raise CommunityError(f"Only SoulSeer's team starts threads in {category.name}.", status=403)
    title, body = writing.clean_title(title), writing.clean_topic(body)
    limits.allow(user, "thread", body)
    now = clock.now()
    thread = CommunityThread(
        category_id=category.id,
        author_id=user.id,
        title=title,
        body=body,
        body_html=rendering.to_html(body),
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    automatic.screen("community_thread", thread)
    page_cache.changed()
    live.counts_changed()
    return thread


def edit(user, thread, title, body):
    """The author edits within 24 hours: marked edited, screened again on what changed (a hidden
    thread stays hidden and goes back to the queue, F-8). The caller commits."""
    writing.check_edit(user, thread, "thread")
    title, body = writing.clean_title(title), writing.clean_topic(body)
    changed = [field for field, value in (("title", title), ("body", body)) if getattr(thread, field) != value]
    if not changed:
        return thread
    thread.title, thread.body, thread.body_html = title, body, rendering.to_html(body)
    thread.edited_at = clock.now()
    automatic.screen("community_thread", thread, fields=changed)
    page_cache.changed()
    return thread


def delete(user, thread):
    """The author deletes their thread: its text is removed and a placeholder stays, so replies
    still read; with no replies it leaves the lists. The caller commits."""
    writing.check_delete(user, thread, "thread")
    thread.body = thread.body_html = ""
    thread.deleted_at = clock.now()
    page_cache.changed()
    if thread.reply_count == 0:  # it leaves the lists
        live.counts_changed()
    return thread


def listing(category, page=1):
    """A page of the category's listed threads: pinned first, then the latest activity."""
    statement = (
        sa.select(CommunityThread)
        .where(CommunityThread.category_id == category.id, listed_clause())
        .order_by(
            CommunityThread.pinned_at.is_(None), CommunityThread.last_activity_at.desc(), CommunityThread.id.desc()
        )
    )
    return db.paginate(statement, page=page, per_page=THREADS_PER_PAGE, error_out=False, count=True)


def latest(limit=LATEST_ON_HOME):
    """The threads with the latest activity, for the home page."""
    return list(
        db.session.execute(
            sa.select(CommunityThread)
            .where(listed_clause())
            .order_by(CommunityThread.last_activity_at.desc(), CommunityThread.id.desc())
            .limit(limit)
        ).scalars()
    )


def path_args(thread):
    """The canonical URL's arguments: /community/t/<id>-<slug>."""
    return {"thread_id": thread.id, "slug": writing.slug_for(thread.title)}
