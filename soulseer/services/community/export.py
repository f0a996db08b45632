"""The user's community posts in "export my data" (/account/export): every thread and reply they
wrote, as written (their own words, even when moderation hid them from others), with what became
of it."""

import sqlalchemy as sa

from soulseer.extensions import db
from soulseer.models import CommunityPost, CommunityThread
from soulseer.services.core.data_export import export_section, iso


def _state(content):
    if content.deleted:
        return "deleted by you"
    if content.hidden:
        return "removed by moderation"
    return "published"


@export_section("community")
def _export_community(user):
    threads = db.session.execute(
        sa.select(CommunityThread).where(CommunityThread.author_id == user.id).order_by(CommunityThread.id)
    ).scalars()
    posts = db.session.execute(
        sa.select(CommunityPost).where(CommunityPost.author_id == user.id).order_by(CommunityPost.id)
    ).scalars()
    return {
        "threads": [
            {
                "id": thread.id,
                "category": thread.category.name,
                "title": thread.title,
                "text": thread.body,
                "written_at": iso(thread.created_at),
                "edited_at": iso(thread.edited_at),
                "state": _state(thread),
            }
            for thread in threads
        ],
        "replies": [
            {
                "id": post.id,
                "thread": post.thread.title,
                "text": post.body,
                "written_at": iso(post.created_at),
                "edited_at": iso(post.edited_at),
                "state": _state(post),
            }
            for post in posts
        ],
    }
