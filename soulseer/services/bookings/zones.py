"""Time zones: which names we accept, and how a time is written for a person (next-areas.md S-9).

Times are stored in UTC; a person sees them in their own IANA zone, always with the zone's
abbreviation, because the same wall-clock time can happen twice (the night clocks go back).
"""

import functools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from soulseer.errors import DomainError

DEFAULT = "UTC"


class ZoneError(DomainError):
    """A time zone we do not know."""

    status = 422
    field = "time_zone"


@functools.cache
def known():
    """The IANA names a person may choose: regions and cities ("Europe/London"), UTC, not the
    legacy aliases ("EST5EDT", "GB") that nobody picks from a list."""
    names = {name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/"))}
    return tuple(sorted(names | {"UTC"}))


def check(name):
    """`name` when it is a zone we know; ZoneError otherwise."""
    name = (name or "").strip()
    if name not in _known_set():
        raise ZoneError("Choose a time zone from the list, like Europe/London or America/New_York.")
    return name


@functools.cache
def _known_set():
    return frozenset(known())


def keep_for(person, name):
    """Store `name` as the person's own zone (`users.time_zone`): the booking page shows times in
    it. ZoneError (on the field `time_zone`) and nothing changed when we do not know it. The
    bookings already made keep the zones they were made in."""
    person.time_zone = check(name)
    return person.time_zone


def valid(name):
    return (name or "") in _known_set()


def zone(name):
    return ZoneInfo(name)


def at_local(day, minute, name):
    """The instant (UTC) of minute `minute` after local midnight of `day` in zone `name`, as a wall
    clock reads it (1440 is the next day's midnight). fold=0: a time the clocks skip reads as if
    the change had not happened yet (02:30 on a spring-forward day is 03:30 after), and a time
    that happens twice is its first occurrence (next-areas.md S-3)."""
    if minute == 1440:
        day, minute = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZoneInfo(name))
    return local.astimezone(UTC)


def local(instant, name):
    return instant.astimezone(ZoneInfo(name))


def minute_of_day(instant, name):
    moment = local(instant, name)
    return moment.hour * 60 + moment.minute


def day_bounds(day, name):
    """The UTC span [start, end) of the local date `day` in zone `name` (23, 24 or 25 hours)."""
    return at_local(day, 0, name), at_local(day, 1440, name)


def today(name, now):
    return local(now, name).date()


# How times are written --------------------------------------------------------------------------


def abbreviation(instant, name):
    """EST, BST, IST... or an offset like +0545 where the zone has no letters."""
    return local(instant, name).strftime("%Z")


def clock_time(instant, name):
    """'9:30 AM EST': the time and its zone, as the person's own clock reads it."""
    moment = local(instant, name)
    return f"{moment.strftime('%-I:%M %p')} {moment.strftime('%Z')}"


def day_label(instant, name):
    """'Tue 8 Dec'."""
    return local(instant, name).strftime("%a %-d %b")


def long_label(instant, name):
    """'Tuesday 8 December 2026, 9:30 AM EST'."""
    moment = local(instant, name)
    return f"{moment.strftime('%A %-d %B %Y')}, {clock_time(instant, name)}"
