"""What admins do to threads (F-4, F-8): pin, unpin, lock with a reason, unlock, move to another
category; and the lock five people's reports put on a thread. Every change is audit-logged
(`community_thread.<action>`, before/after) in the caller's transaction; the caller commits.
Hiding and showing are moderation's (visibility.hide/restore, from the queue)."""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import CommunityCategory, CommunityPost, CommunityThread, Flag, ItemState, ModerationItem, User
from soulseer.services.community import live
from soulseer.services.community.writing import CommunityError
from soulseer.services.core import audit
from soulseer.services.marketplace import page_cache
from soulseer.services.moderation import items

REASON_MIN, REASON_MAX = 5, 300
CLOSE_FLAGGERS = (
    5  # PRODUCT.md "Defaults": a thread its replies included, reported by five trusted people, closes (F-8)
)
CLOSED_BY_REPORTS = "Closed after reports from several people, until an admin looks at it."


def _locked_thread(thread_id):
    thread = db.session.get(CommunityThread, thread_id, with_for_update=True, populate_existing=True)
    if thread is None:
        raise CommunityError("There is no such thread.", status=404)
    return thread


def _state(thread):
    return {
        "pinned": thread.pinned_at is not None,
        "locked_reason": thread.locked_reason,
        "category": thread.category_id,
    }


def _change(actor, thread, action, apply, reason=None):
    before = _state(thread)
    apply()
    audit.record(actor, f"community_thread.{action}", thread, before=before, after=_state(thread), reason=reason)
    page_cache.changed()
    return thread


def pin(admin, thread_id):
    thread = _locked_thread(thread_id)
    if thread.pinned_at is not None:
        raise CommunityError("This thread is already pinned.", status=409)
    return _change(admin, thread, "pinned", lambda: setattr(thread, "pinned_at", clock.now()))


def unpin(admin, thread_id):
    thread = _locked_thread(thread_id)
    if thread.pinned_at is None:
        raise CommunityError("This thread is not pinned.", status=409)
    return _change(admin, thread, "unpinned", lambda: setattr(thread, "pinned_at", None))


def _set_lock(thread, reason):
    thread.locked_at = clock.now() if reason else None
    thread.locked_reason = reason


def lock(admin, thread_id, reason):
    """No more replies; the thread says why (5–300 characters)."""
    reason = " ".join((reason or "").split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise CommunityError(
            f"Say why in {REASON_MIN} to {REASON_MAX} characters: the thread shows it.", field="reason"
        )
    thread = _locked_thread(thread_id)
    if thread.locked and thread.locked_reason != CLOSED_BY_REPORTS:
        raise CommunityError("This thread is already locked.", status=409)
    return _change(admin, thread, "locked", lambda: _set_lock(thread, reason), reason)


def unlock(admin, thread_id):
    thread = _locked_thread(thread_id)
    if not thread.locked:
        raise CommunityError("This thread is not locked.", status=409)
    return _change(admin, thread, "unlocked", lambda: _set_lock(thread, None))


def move(admin, thread_id, category_id):
    thread = _locked_thread(thread_id)
    category = db.session.get(CommunityCategory, category_id) if category_id else None
    if category is None:
        raise CommunityError("Choose a category.", field="category")
    if category.id == thread.category_id:
        raise CommunityError(f"The thread is already in {category.name}.", field="category", status=409)
    moved = _change(admin, thread, "moved", lambda: setattr(thread, "category_id", category.id))
    live.counts_changed()  # one category lost a thread, another gained it
    return moved


def trusted_reporters(thread_id):
    """Distinct people with accounts at least 7 days old who have an open report on the thread or
    on any of its replies."""
    posts = sa.select(CommunityPost.id).where(CommunityPost.thread_id == thread_id)
    return db.session.execute(
        sa.select(sa.func.count(sa.distinct(Flag.flagger_id)))
        .join(ModerationItem, ModerationItem.id == Flag.item_id)
        .join(User, User.id == Flag.flagger_id)
        .where(
            Flag.state == ItemState.OPEN,
            User.created_at <= items.trusted_since(),
            sa.or_(
                sa.and_(ModerationItem.kind == "community_thread", ModerationItem.target_id == thread_id),
                sa.and_(ModerationItem.kind == "community_post", ModerationItem.target_id.in_(posts)),
            ),
        )
    ).scalar_one()


def close_if_reported(content):
    """F-8: five trusted people reported the thread or its replies: it takes no more replies until
    an admin decides (unlock, or lock it with their own reason). Moderation calls it after a
    person's flag on a thread or a reply (ContentKind.on_flagged), under the item's lock."""
    thread_id = content.thread_id if isinstance(content, CommunityPost) else content.id
    if trusted_reporters(thread_id) < CLOSE_FLAGGERS:
        return
    thread = _locked_thread(thread_id)
    if not thread.locked:
        _change(None, thread, "locked", lambda: _set_lock(thread, CLOSED_BY_REPORTS), CLOSED_BY_REPORTS)
