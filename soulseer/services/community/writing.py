"""The rules of writing in the community (F-2): sizes, the 24-hour edit window, and who may
change a thread or a reply. One home for each; threads.py and replies.py apply them."""

import re
import unicodedata
from datetime import timedelta

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.services.community import rendering

TITLE_MIN, TITLE_MAX = 5, 150
TOPIC_MIN, TOPIC_MAX = 10, 10_000
REPLY_MIN, REPLY_MAX = 2, 5_000
EDIT_WINDOW = timedelta(hours=24)


class CommunityError(DomainError):
    """Something written in the community, or done to it, refused; nothing is kept."""

    status = 422


def _text(value):
    # Direction controls go before counting: they are invisible and never kept.
    return rendering.without_direction_controls(value or "").replace("\r\n", "\n").strip()


def clean_title(title):
    title = " ".join(_text(title).split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise CommunityError(f"Give the thread a title of {TITLE_MIN} to {TITLE_MAX} characters.", field="title")
    return title


def clean_topic(body):
    body = _text(body)
    if not TOPIC_MIN <= len(body) <= TOPIC_MAX:
        raise CommunityError(f"Write {TOPIC_MIN} to {TOPIC_MAX:,} characters.", field="body")
    return body


def clean_reply(body):
    body = _text(body)
    if not REPLY_MIN <= len(body) <= REPLY_MAX:
        raise CommunityError(f"Write a reply of {REPLY_MIN} to {REPLY_MAX:,} characters.", field="body")
    return body


def slug_for(title):
    """The readable part of a thread's URL (the id finds the thread; this only reads well)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-") or "thread"


def can_edit(user, content):
    """The author, within 24 hours of writing it, while it is not deleted (F-2)."""
    return (
        user is not None
        and content.author_id == user.id
        and not content.deleted
        and clock.now() - content.created_at < EDIT_WINDOW
    )


def edit_window_closes(user, contents):
    """The first moment one of `contents` that `user` may edit now stops being editable (its Edit
    link goes), or None when she may edit none of them: a page that shows her those links is hers
    as it is only until then."""
    closing = [content.created_at + EDIT_WINDOW for content in contents if can_edit(user, content)]
    return min(closing, default=None)


def can_delete(user, content):
    return user is not None and content.author_id == user.id and not content.deleted


def check_edit(user, content, what):
    if content.author_id != user.id:
        raise CommunityError(f"Only its author can edit this {what}.", status=403)
    if content.deleted:
        raise CommunityError(f"This {what} was deleted.", status=409)
    if clock.now() - content.created_at >= EDIT_WINDOW:
        raise CommunityError(f"A {what} can be edited for 24 hours after it was written.", status=409)


def check_delete(user, content, what):
    if content.author_id != user.id:
        raise CommunityError(f"Only its author can delete this {what}.", status=403)
    if content.deleted:
        raise CommunityError(f"This {what} is already deleted.", status=409)
