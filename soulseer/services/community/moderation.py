"""The community's two kinds of content in the one moderation mechanism (docs/moderation.md):
`community_thread` (its title and opening post) and `community_post` (a reply). Both are screened
on create and edit, reported with the shared report link, counted for auto-hide (F-8) and decided
in the admin queue; hiding a thread takes it out of every list, hiding a reply leaves a placeholder.
"""

from flask import url_for

from soulseer.services.community import live, replies, stewardship, threads
from soulseer.services.marketplace import page_cache
from soulseer.services.moderation.kinds import ContentKind, register


def thread_url(thread, anchor=None):
    return url_for("community.thread", **threads.path_args(thread), _anchor=anchor)


def post_url(post):
    """A reply's deep link: its thread's page that shows it, at #post-<id>."""
    page = replies.page_of(post)
    return url_for(
        "community.thread", **threads.path_args(post.thread), page=page if page > 1 else None, _anchor=f"post-{post.id}"
    )


def _lists_changed(content):
    page_cache.changed()  # a hidden thread leaves the lists, the home page's among them


def _thread_lists_changed(thread):
    _lists_changed(thread)
    live.counts_changed()  # and its category's count


def _thread_seen_by(user, thread):
    return threads.can_read(user, thread) and not thread.deleted


def _post_seen_by(user, post):
    return threads.can_read(user, post.thread) and not post.deleted and replies.can_see_text(user, post)


def _name(user):
    return user.display_name if user is not None else "a former member"


def register_kinds():
    register(
        ContentKind(
            "community_thread", "Community thread", threads.CommunityThread, author="author_id",
            fields=("title", "body"), can_see=_thread_seen_by,
            link=thread_url, context=lambda thread: {"category": thread.category},
            on_visibility_change=_thread_lists_changed, on_flagged=stewardship.close_if_reported,
            describe=lambda thread: f"“{thread.title}” by {_name(thread.author)}", links_allowed=True,
        )
    )  # fmt: skip
    register(
        ContentKind(
            "community_post", "Community reply", replies.CommunityPost, author="author_id", fields=("body",),
            can_see=_post_seen_by, link=post_url, context=lambda post: {"thread": post.thread},
            on_visibility_change=_lists_changed, on_flagged=stewardship.close_if_reported,
            describe=lambda post: f"A reply by {_name(post.author)} in “{post.thread.title}”", links_allowed=True,
        )
    )  # fmt: skip
