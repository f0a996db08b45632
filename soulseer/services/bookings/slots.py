"""The slot algorithm (next-areas.md S-3): which start times a reader can be booked at.

One function, `free_starts`, answers both the booking page's list and the booking's own check
(S-4: the write asks it again for the chosen start), so a slot shown is a slot that can be booked
and nothing else can be. It works in UTC:

1. for each reader-local date the asked span touches, that date's ranges (its override, else its
   weekly rules) become UTC instants with `zones.at_local` (a rule of 09:00–11:00 is two hours on
   any day, except across a clock change, where it is what the wall clock says);
2. candidate starts go forward in real time, never in wall-clock time (adding a day to a local
   time across a change is 23 or 25 hours), every `GRANULE` and kept only where the reader's own
   clock shows a multiple of the step (:00, :15, :30, :45), so a 45-minute-offset client sees
   odd minutes, which is right;
3. a start is kept when the reading fits in its range, it respects the notice and the horizon,
   and [start, start + length + buffer) overlaps no active booking's [start, blocked_until) —
   the same ranges the database's exclusion constraint compares.
"""

import logging
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import redis
import sqlalchemy as sa

from soulseer.extensions import db, get_redis
from soulseer.models.booking import ACTIVE_STATES, AvailabilityOverride, AvailabilityRule, Booking
from soulseer.services.bookings import zones
from soulseer.services.core import after_commit

STEP_MINUTES = 15  # start times on the reader's :00/:15/:30/:45 (S-2)
GRANULE = timedelta(minutes=5)  # every zone in use today is offset from UTC by a multiple of 5 minutes
# What the booking page shows of a reader moves this version after the commit: her hours, date
# overrides and settings (availability.py), a booking made (booking.book) or ended (hold.close_many).
# A client's booking page is kept for her under it, for the minute it was drawn in (docs/bookings.md,
# "The booking page, kept").
VERSION_KEY = "soulseer:bookings:version:{reader_id}"

log = logging.getLogger(__name__)


def version_key(reader_id):
    return VERSION_KEY.format(reader_id=int(reader_id))


def version(reader_id):
    """The reader's slots version now (bytes), or None when Redis cannot say (nothing is kept then)."""
    try:
        return get_redis().get(version_key(reader_id)) or b"0"
    except redis.RedisError:
        log.warning("bookings version unavailable", exc_info=True)
        return None


def changed(reader_id):
    """The current transaction changes the reader's free times: move her version once it commits
    (a tick that ends 200 bookings moves its readers' versions in one round trip)."""
    after_commit.run_batched(_bump, int(reader_id))


def _bump(reader_ids):
    pipeline = get_redis().pipeline(transaction=False)
    for reader_id in reader_ids:
        pipeline.incr(version_key(reader_id))
    pipeline.execute()


def same_until(now):
    """Until when the free starts found at `now` stay the same if nothing is written: the next
    whole minute. Starts fall on whole minutes (a range's start plus granules; every zone's offset
    is whole minutes) and the notice and the horizon are whole minutes, so `now + notice` and
    `now + horizon` pass a start only when `now` passes a whole minute."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


@dataclass
class Schedule:
    """A reader's availability as plain data: what the algorithm needs and nothing else."""

    time_zone: str
    rules: dict = field(default_factory=dict)  # weekday (Monday 0) -> [(start minute, end minute)]
    overrides: dict = field(default_factory=dict)  # local date -> [] (blocked) or [(start, end)]
    notice: timedelta = timedelta(minutes=120)
    horizon: timedelta = timedelta(days=60)
    buffer: timedelta = timedelta(minutes=10)
    busy: list = field(default_factory=list)  # [(start, blocked_until)] of active bookings, UTC
    daily_cap: int | None = None  # at most this many bookings start on one of her dates
    _started_per_day: Counter | None = field(default=None, repr=False, compare=False)

    def full(self, day):
        """Her local date `day` has as many bookings as her daily cap: no start on it is free."""
        if self.daily_cap is None:
            return False
        if self._started_per_day is None:
            self._started_per_day = Counter(zones.local(start, self.time_zone).date() for start, _ in self.busy)
        return self._started_per_day[day] >= self.daily_cap

    def ranges_on(self, day):
        """The reader's ranges on her local date `day`, as UTC [start, end) pairs."""
        minutes = self.overrides[day] if day in self.overrides else self.rules.get(day.weekday(), [])
        return [
            (zones.at_local(day, start, self.time_zone), zones.at_local(day, end, self.time_zone))
            for start, end in _merged(minutes)
        ]


def _merged(ranges):
    """Ranges that touch or overlap become one (09:00–12:00 and 12:00–15:00 take a reading at 11:30)."""
    merged = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def free_starts(schedule, length_minutes, span_from, span_to, now, step_minutes=STEP_MINUTES):
    """The UTC start times in [span_from, span_to) at which a reading of `length_minutes` can be
    booked now, in order."""
    length = timedelta(minutes=length_minutes)
    earliest, latest = now + schedule.notice, now + schedule.horizon
    busy = sorted(schedule.busy)
    busy_starts = [start for start, _ in busy]
    first_day = zones.local(span_from, schedule.time_zone).date()
    last_day = zones.local(span_to - timedelta(microseconds=1), schedule.time_zone).date()
    found, day = [], first_day
    while day <= last_day:
        for range_start, range_end in [] if schedule.full(day) else schedule.ranges_on(day):
            start = range_start
            if start < span_from:  # keep to the granules counted from the range's start
                start += -((range_start - span_from) // GRANULE) * GRANULE
            while start + length <= range_end and start < span_to:
                if (
                    zones.minute_of_day(start, schedule.time_zone) % step_minutes == 0
                    and earliest <= start <= latest
                    and not _overlaps(busy, busy_starts, start, start + length + schedule.buffer)
                ):
                    found.append(start)
                start += GRANULE
        day += timedelta(days=1)
    return found


def starts_on_day(schedule, length_minutes, span_from, span_to, now, day, day_zone, step_minutes=STEP_MINUTES):
    """The starts of `free_starts` over [span_from, span_to) whose date in `day_zone` is `day`,
    without computing the others (a few hours either side of the day's bounds: a clock change can
    move a date's instants past its midnight)."""
    day_from, day_to = zones.day_bounds(day, day_zone)
    margin = timedelta(hours=3)
    near_from, near_to = max(span_from, day_from - margin), min(span_to, day_to + margin)
    if near_from >= near_to:
        return []
    return [
        start
        for start in free_starts(schedule, length_minutes, near_from, near_to, now, step_minutes)
        if zones.local(start, day_zone).date() == day
    ]


def free_days(schedule, length_minutes, span_from, span_to, now, day_zone, step_minutes=STEP_MINUTES):
    """The dates, in `day_zone` (the client's), on which `free_starts` over the same span finds at
    least one start, in order — without listing every start. The booking page shows the days of the
    whole horizon and only the chosen day's times (`free_starts` on that day), so the days need only
    a cheaper pass: in each of the reader's ranges the starts the rules allow (notice, horizon,
    the reading fits) minus the starts a booking blocks form a few free stretches; a stretch gives a
    day when one of its 5-minute granules on that day is on the reader's step. That is a few
    granules per stretch and day instead of every granule of the horizon.
    `tests/bookings/test_slots.py` checks that this and `free_starts` agree on random schedules."""
    length = timedelta(minutes=length_minutes)
    earliest, latest = now + schedule.notice, now + schedule.horizon
    blocked = _blocked_starts(schedule.busy, length + schedule.buffer)
    blocked_ends = [end for _, end in blocked]
    first_day = zones.local(span_from, schedule.time_zone).date()
    last_day = zones.local(span_to - timedelta(microseconds=1), schedule.time_zone).date()
    days, day = [], first_day
    found_until = span_from  # every start before this is on a date found already
    while day <= last_day:
        for range_start, range_end in [] if schedule.full(day) else schedule.ranges_on(day):
            low, high = max(range_start, earliest, span_from, found_until), min(range_end - length, latest)
            for first, last in _free_stretches(blocked, blocked_ends, low, high):
                found_until = _days_of_stretch(
                    schedule.time_zone, range_start, first, last, span_to, day_zone, step_minutes, days
                )
                if found_until > high:
                    break
        day += timedelta(days=1)
    return sorted(set(days))


def _blocked_starts(busy, reach):
    """The starts a reading reaching `reach` past its start may not take: (booking start − reach,
    blocked until), open at both ends, merged where they overlap, in order."""
    merged = []
    for start, end in sorted(busy):
        low = start - reach
        if merged and low < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((low, end))
    return merged


def _free_stretches(blocked, blocked_ends, low, high):
    """The closed stretches [first, last] of [low, high] that no open interval of `blocked` covers."""
    index = bisect_right(blocked_ends, low)  # the first that ends after `low` (one ending at `low` leaves it free)
    first = low
    while first <= high:
        if index == len(blocked) or blocked[index][0] >= high:
            yield first, high
            return
        block_start, block_end = blocked[index]
        if block_start >= first:
            yield first, block_start  # the open interval leaves its own start free
        first = max(first, block_end)  # and its end
        index += 1


def _days_of_stretch(time_zone, range_start, first, last, span_to, day_zone, step_minutes, days):
    """Add to `days` each date (in `day_zone`) with a start of the stretch [first, last] of a range
    beginning at `range_start`: granules counted from the range's start, on the reader's step.
    Returns the instant from which a start may be on a date not added yet (`first` when none was)."""
    start = range_start + -((range_start - first) // GRANULE) * GRANULE  # the first granule at or after `first`
    found_until = first
    while start <= last and start < span_to:
        if zones.minute_of_day(start, time_zone) % step_minutes:
            start += GRANULE
            continue
        day = zones.local(start, day_zone).date()
        days.append(day)
        # The rest of that day adds nothing: on to the next one.
        found_until = max(start + GRANULE, zones.day_bounds(day + timedelta(days=1), day_zone)[0])
        start = range_start + -((range_start - found_until) // GRANULE) * GRANULE
    return found_until


def inside_hours(schedule, start, end):
    """Whether [start, end) lies inside one of the reader's ranges as they are now (her zone, rules
    and overrides): a booking made before a change may no longer (next-areas.md §1.5, pitfall 4)."""
    day = zones.local(start, schedule.time_zone).date()
    return any(range_start <= start and end <= range_end for range_start, range_end in schedule.ranges_on(day))


def _overlaps(busy, busy_starts, start, end):
    """Whether [start, end) overlaps one of the sorted [s, e) ranges of `busy`."""
    # Only ranges that start before `end` can overlap; of those, any that ends after `start` does.
    # A reader's active bookings never overlap one another, so their ends are in order too.
    index = bisect_right(busy_starts, end - timedelta(microseconds=1))
    return index > 0 and busy[index - 1][1] > start


# The schedule, read from the database -------------------------------------------------------------


def schedule_for(settings, span_from, span_to, ignore_booking_id=None):
    """The reader's Schedule with her overrides and active bookings near [span_from, span_to)."""
    reader_id = settings.reader_id
    rules = {}
    for rule in db.session.execute(
        sa.select(AvailabilityRule).filter_by(reader_id=reader_id).order_by(AvailabilityRule.start_minute)
    ).scalars():
        rules.setdefault(rule.weekday, []).append((rule.start_minute, rule.end_minute))
    overrides = {}
    near_from, near_to = span_from - timedelta(days=2), span_to + timedelta(days=2)
    for override in db.session.execute(
        sa.select(AvailabilityOverride)
        .where(
            AvailabilityOverride.reader_id == reader_id,
            AvailabilityOverride.day >= near_from.date(),
            AvailabilityOverride.day <= near_to.date(),
        )
        .order_by(AvailabilityOverride.start_minute)
    ).scalars():
        ranges = overrides.setdefault(override.day, [])
        if not override.blocked:
            ranges.append((override.start_minute, override.end_minute))
    busy_query = sa.select(Booking.starts_at, Booking.blocked_until).where(
        Booking.reader_id == reader_id,
        Booking.state.in_(ACTIVE_STATES),
        Booking.blocked_until > near_from,
        Booking.starts_at < near_to,
    )
    if ignore_booking_id is not None:
        busy_query = busy_query.where(Booking.id != ignore_booking_id)
    return Schedule(
        time_zone=settings.time_zone,
        rules=rules,
        overrides=overrides,
        notice=timedelta(minutes=settings.notice_minutes),
        horizon=timedelta(days=settings.horizon_days),
        buffer=timedelta(minutes=settings.buffer_minutes),
        busy=[tuple(row) for row in db.session.execute(busy_query)],
        daily_cap=settings.daily_cap,
    )
