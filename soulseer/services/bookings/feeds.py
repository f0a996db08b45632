"""A person's private calendar feed (next-areas.md S-8): one address per person that a calendar
app subscribes to, listing their upcoming bookings with the same events as the single .ics files.

The address carries 32 random bytes (`secrets.token_urlsafe`); only their sha256 is kept
(`calendar_feeds.token_hash`, accounts.tokens.digest), so the address is shown once, when it is
made. A new address replaces the old one, which from then on is unknown (404), as is any address
after the feed is turned off or the account is no longer active.
"""

import secrets

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import CalendarFeed, User, UserStatus
from soulseer.services.accounts import tokens
from soulseer.services.bookings import booking, calendar


def feed_of(user):
    """The person's feed row, or None while it is off."""
    return db.session.get(CalendarFeed, user.id, populate_existing=True)


def new_address(user):
    """Turn the feed on, or give it a new address (the old one stops working at the commit).
    Returns the token for the address; it is not kept anywhere."""
    raw = secrets.token_urlsafe(32)
    db.session.execute(
        insert(CalendarFeed)
        .values(user_id=user.id, token_hash=tokens.digest(raw), created_at=clock.now())
        .on_conflict_do_update(
            index_elements=[CalendarFeed.user_id],
            set_={"token_hash": tokens.digest(raw), "created_at": clock.now()},
        )
    )
    return raw


def turn_off(user):
    db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user.id))


def owner(raw):
    """The active person whose feed this token opens, or None (unknown, replaced, turned off)."""
    if not raw:
        return None
    return db.session.execute(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == tokens.digest(raw), User.status == UserStatus.ACTIVE)
    ).scalar_one_or_none()


def text_for(user, now=None):
    """The feed itself: the person's upcoming bookings (the list's), named by the other person."""
    now = now or clock.now()
    upcoming, _ = booking.lists_for(user, now)
    readers = booking.reader_names(upcoming)
    pairs = [
        (item, readers.get(item.reader_id, item.reader.display_name) if item.client_id == user.id
         else item.client.display_name)
        for item in upcoming
    ]  # fmt: skip
    return calendar.feed(calendar.feed_uid(user.id), pairs, now)
