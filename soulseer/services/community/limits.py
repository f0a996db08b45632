"""How often people may write in the community (F-5, Discourse's defaults), keyed by user id
(never by IP: shared networks would punish each other, next-areas.md §4.5).

| limit          | new account (< 24 h old)    | everyone else          |
| threads        | 1 per 120 s, 3 on day one   | 1 per 15 s, 20 a day   |
| replies        | 1 per 30 s, 10 on day one   | 1 per 5 s              |
| links per post | at most 2                   | no limit               |

and the same text from the same person within 5 minutes is refused. Over a limit: a
CommunityError 429 with `retry_after`, the seconds until it is allowed again (for a new account,
at most until she is a day old and everyone's limits apply). The counts live in
the app's one moving-window limiter on Redis (services/core/throttle.py), hit only when the post is
accepted; the same-text rule and the account's age are read from the database by soulseer.clock.
"""

import math
import time
from datetime import timedelta

import sqlalchemy as sa
from limits import parse

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import CommunityPost, CommunityThread
from soulseer.services.community import rendering
from soulseer.services.community.writing import CommunityError
from soulseer.services.core import throttle

NEW_ACCOUNT = timedelta(hours=24)
SAME_TEXT_WINDOW = timedelta(minutes=5)
NEW_ACCOUNT_LINKS = 2
THREAD_LIMITS = {True: (parse("1/120 seconds"), parse("3/day")), False: (parse("1/15 seconds"), parse("20/day"))}
REPLY_LIMITS = {True: (parse("1/30 seconds"), parse("10/day")), False: (parse("1/5 seconds"),)}


def is_new(user):
    return clock.now() - user.created_at < NEW_ACCOUNT


def _wait(limiter, limit, key):
    reset_at, _ = limiter.get_window_stats(limit, *key)
    return max(1, math.ceil(reset_at - time.time()))


NOUNS = {"thread": ("thread", "threads"), "reply": ("reply", "replies")}
DAY = 24 * 3600


def in_words(seconds):
    """A wait as people say it, rounded up: "45 seconds", "2 minutes" (from 90 s), "21 hours" (from 90 min)."""
    for unit, size, from_seconds in (("hour", 3600, 90 * 60), ("minute", 60, 90)):
        if seconds >= from_seconds:
            return f"{math.ceil(seconds / size)} {unit}s"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _rule(what, limits, new):
    """The limits in words: "one thread every 15 seconds and 20 a day"."""
    one, many = NOUNS[what]
    parts = []
    for limit in limits:
        seconds = limit.get_expiry()
        if seconds == DAY:
            parts.append(f"{limit.amount} {many} {'on its first day' if new else 'a day'}")
        else:
            parts.append(f"one {one} every {in_words(seconds)}")
    return ("a new account posts " if new else "") + " and ".join(parts)


def _waits(limiter, limits, key):
    return [_wait(limiter, limit, key) for limit in limits if not limiter.test(limit, *key)]


def _check_rate(user, what, table, new):
    limiter = throttle.moving_window()
    key = (f"community-{what}", str(user.id))
    limits = table[new]
    waits = _waits(limiter, limits, key)
    if waits:
        wait = max(waits)
        if new:
            # Once a day old she posts under everyone's limits (their own windows): the wait is
            # never longer than that, so a first-day cap reached at 23 h says "an hour", not "24 hours".
            grown_up = math.ceil((user.created_at + NEW_ACCOUNT - clock.now()).total_seconds())
            wait = min(wait, max([grown_up, *_waits(limiter, table[False], key)]))
        raise CommunityError(
            f"You are posting {NOUNS[what][1]} faster than the community allows ({_rule(what, limits, new)}). "
            f"Try again in {in_words(wait)}.",
            status=429,
            retry_after=wait,
        )
    return limiter, key


def _check_same_text(user, body):
    since = clock.now() - SAME_TEXT_WINDOW
    latest = None
    for model in (CommunityThread, CommunityPost):
        found = db.session.execute(
            sa.select(sa.func.max(model.created_at)).where(
                model.author_id == user.id, model.created_at > since, model.body == body
            )
        ).scalar_one()
        latest = max(filter(None, (latest, found)), default=None)
    if latest is not None:
        wait = max(math.ceil((latest + SAME_TEXT_WINDOW - clock.now()).total_seconds()), 1)
        raise CommunityError(
            f"You posted the same text a moment ago. Write something new, or post it again in {in_words(wait)}.",
            field="body",
            status=429,
            retry_after=wait,
        )


def _check_links(user, body, new):
    if new and rendering.link_count(body) > NEW_ACCOUNT_LINKS:
        raise CommunityError(
            f"New accounts can include up to {NEW_ACCOUNT_LINKS} links in a post during their first day.",
            field="body",
        )


def allow(user, what, body):
    """Refuse (CommunityError) if `user` may not post this `what` ("thread" or "reply") now; else
    count it. Call after the text is valid and before storing it."""
    new = is_new(user)
    _check_links(user, body, new)
    _check_same_text(user, body)
    table = THREAD_LIMITS if what == "thread" else REPLY_LIMITS
    limiter, key = _check_rate(user, what, table, new)
    for limit in table[new]:
        limiter.hit(limit, *key)
