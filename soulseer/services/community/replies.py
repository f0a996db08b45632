"""Replies (F-2): one level of nesting. A reply answers the thread (`parent_id` NULL) or one of its
replies; answering a nested reply attaches to that reply's parent. A thread's page shows a page of
replies to the thread, each with all of its answers.

Who sees what: a reply hidden by moderation shows everyone else a placeholder (its author and
admins still see the text, marked); a reply its author deleted is a placeholder for everyone, so
the answers under it still read.

A new reply notifies (in-app) the thread's author, the author of the reply it answers and the
participants it mentions as `@display name`.
"""

import re
from collections import defaultdict

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import CommunityPost, CommunityThread, User, UserStatus
from soulseer.services.community import limits, live, rendering, threads, writing
from soulseer.services.community.writing import CommunityError
from soulseer.services.core import after_commit, notifications
from soulseer.services.marketplace import page_cache
from soulseer.services.moderation import automatic

REPLIES_PER_PAGE = 30  # replies to the thread; their answers come with them


def can_see_text(user, post):
    """The reply's text (not its placeholder): visible, or the viewer wrote it or is an admin."""
    if post.visible:
        return True
    return user is not None and user.is_authenticated and (user.is_admin or user.id == post.author_id)


def check_open(user, thread):
    if not threads.can_read(user, thread):
        raise CommunityError("There is no such thread.", status=404)
    if thread.hidden:
        raise CommunityError("This thread is hidden while a moderator looks at it: it takes no replies.", status=409)
    if thread.deleted:
        raise CommunityError("This thread was deleted by its author: it takes no replies.", status=409)
    if thread.locked:
        raise CommunityError(f"This thread is locked: {thread.locked_reason}", status=409)


def _parent(user, thread, parent_id):
    if parent_id is None:
        return None
    parent = db.session.get(CommunityPost, parent_id)
    if parent is None or parent.thread_id != thread.id or not can_see_text(user, parent):
        raise CommunityError("There is no such reply to answer.", status=404)
    if parent.parent_id is not None:  # one level: an answer to an answer joins its parent
        parent = db.session.get(CommunityPost, parent.parent_id)
    return parent


def create(user, thread, body, parent_id=None):
    """`user` replies to `thread` (or to one of its replies); screened. The caller commits."""
    thread = db.session.get(CommunityThread, thread.id, with_for_update=True, populate_existing=True)
    check_open(user, thread)
    parent = _parent(user, thread, parent_id)
    body = writing.clean_reply(body)
    limits.allow(user, "reply", body)
    now = clock.now()
    post = CommunityPost(
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        author_id=user.id,
        body=body,
        body_html=rendering.to_html(body),
        created_at=now,
    )
    db.session.add(post)
    thread.reply_count += 1
    thread.last_activity_at = now
    db.session.flush()
    automatic.screen("community_post", post)
    page_cache.changed()
    _tell_authors(user, thread, parent, post)
    after_commit.run(live.announce_reply, thread.id)
    return post


def _tell_authors(user, thread, parent, post):
    """In-app notifications: the thread's author, the author of the reply it answers, and the
    people taking part in the thread whom the reply mentions as `@display name` — once each, never
    the writer themself, never an account that is not active."""
    link = notifications.path_for("community.reply_link", post_id=post.id)
    told = {user.id}
    news = [
        (thread.author_id, f"{user.display_name} replied to your thread “{thread.title}”"),
        (parent.author_id if parent else None, f"{user.display_name} answered your reply in “{thread.title}”"),
        *(
            (mentioned, f"{user.display_name} mentioned you in “{thread.title}”")
            for mentioned in mentions(thread, post)
        ),
    ]
    for recipient_id, text in news:
        if recipient_id is None or recipient_id in told:
            continue
        told.add(recipient_id)
        recipient = db.session.get(User, recipient_id)
        if recipient.status == UserStatus.ACTIVE:
            notifications.notify(recipient, "community_reply", text, link=link)


def mentions(thread, post):
    """Ids of the people taking part in the thread (its author, those who replied) named in the
    post as `@display name` (any case, not followed by a letter or digit). Only participants: a
    display name is not unique, and in a thread it is clear whom it means."""
    participants = db.session.execute(
        sa.select(User.id, User.display_name).where(
            sa.or_(
                User.id == thread.author_id,
                User.id.in_(sa.select(CommunityPost.author_id).where(CommunityPost.thread_id == thread.id)),
            )
        )
    ).all()
    text = post.body.casefold()
    found = []
    for user_id, name in participants:
        if re.search(rf"@{re.escape(name.casefold())}(?!\w)", text):
            found.append(user_id)
    return found


def get(post_id):
    return db.session.get(CommunityPost, post_id)


def edit(user, post, body):
    """The author edits within 24 hours: marked edited, screened again. The caller commits."""
    writing.check_edit(user, post, "reply")
    body = writing.clean_reply(body)
    if body == post.body:
        return post
    post.body, post.body_html, post.edited_at = body, rendering.to_html(body), clock.now()
    automatic.screen("community_post", post, fields=["body"])
    page_cache.changed()  # visitors' shared thread pages
    return post


def delete(user, post):
    """The author deletes their reply: the text goes, a placeholder stays. The caller commits."""
    writing.check_delete(user, post, "reply")
    thread = db.session.get(CommunityThread, post.thread_id, with_for_update=True)
    post.body = post.body_html = ""
    post.deleted_at = clock.now()
    thread.reply_count = max(thread.reply_count - 1, 0)
    page_cache.changed()
    return post


def page(thread, page_number=1):
    """(pagination of the replies to the thread, {reply id: [its answers, oldest first]})."""
    statement = (
        sa.select(CommunityPost)
        .where(CommunityPost.thread_id == thread.id, CommunityPost.parent_id.is_(None))
        .order_by(CommunityPost.id)
    )
    top = db.paginate(statement, page=page_number, per_page=REPLIES_PER_PAGE, error_out=False, count=True)
    answers = defaultdict(list)
    if top.items:
        for post in db.session.execute(
            sa.select(CommunityPost)
            .where(CommunityPost.parent_id.in_([post.id for post in top.items]))
            .order_by(CommunityPost.id)
        ).scalars():
            answers[post.parent_id].append(post)
    return top, answers


def newest_id(thread):
    """The id of the thread's latest reply (0: none): an open page asks for replies after it."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.max(CommunityPost.id), 0)).where(CommunityPost.thread_id == thread.id)
    ).scalar_one()


def page_of(post):
    """The page of its thread a reply is on (an answer is on its parent's page)."""
    top_id = post.parent_id or post.id
    before = db.session.execute(
        sa.select(sa.func.count())
        .select_from(CommunityPost)
        .where(CommunityPost.thread_id == post.thread_id, CommunityPost.parent_id.is_(None), CommunityPost.id < top_id)
    ).scalar_one()
    return before // REPLIES_PER_PAGE + 1
