"""The slot algorithm on the DST vectors of next-areas.md S-3 (pure: no database)."""

import random
from datetime import UTC, date, datetime, timedelta

from soulseer.services.bookings import zones
from soulseer.services.bookings.slots import Schedule, free_days, free_starts, starts_on_day

NOW = datetime(2026, 1, 1, tzinfo=UTC)  # far enough before every vector: notice and horizon never cut
OPEN = {"notice": timedelta(0), "horizon": timedelta(days=400), "buffer": timedelta(0)}


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def hhmm(h, m=0):
    return h * 60 + m


def starts_on_reader_day(schedule, day, length, step):
    span_from, span_to = zones.day_bounds(day, schedule.time_zone)
    return free_starts(schedule, length, span_from, span_to, NOW, step_minutes=step)


def starts_on_client_day(schedule, day, client_zone, length, step):
    span_from, span_to = zones.day_bounds(day, client_zone)
    return free_starts(schedule, length, span_from, span_to, NOW, step_minutes=step)


def labels(starts, zone):
    return [f"{zones.local(s, zone):%H:%M} {zones.abbreviation(s, zone)}" for s in starts]


def test_spring_forward_in_new_york_gives_three_slots_over_two_real_hours():
    day = date(2026, 3, 8)
    schedule = Schedule("America/New_York", overrides={day: [(hhmm(1), hhmm(4))]}, **OPEN)
    starts = starts_on_reader_day(schedule, day, 60, 30)
    assert starts == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7)]
    assert labels(starts, "America/New_York") == ["01:00 EST", "01:30 EST", "03:00 EDT"]


def test_fall_back_in_new_york_gives_seven_slots_and_the_repeated_hour_twice():
    day = date(2026, 11, 1)
    schedule = Schedule("America/New_York", overrides={day: [(hhmm(0), hhmm(3))]}, **OPEN)
    starts = starts_on_reader_day(schedule, day, 60, 30)
    assert starts == [utc(2026, 11, 1, 4) + timedelta(minutes=30 * i) for i in range(7)]
    assert labels(starts, "America/New_York") == [
        "00:00 EDT", "00:30 EDT", "01:00 EDT", "01:30 EDT", "01:00 EST", "01:30 EST", "02:00 EST",
    ]  # fmt: skip


def test_a_new_york_rule_seen_from_london_moves_with_the_two_dst_dates():
    # Tuesday 10 March: New York is on summer time already, London not yet.
    schedule = Schedule("America/New_York", rules={1: [(hhmm(9), hhmm(11))]}, **OPEN)
    starts = starts_on_client_day(schedule, date(2026, 3, 10), "Europe/London", 60, 60)
    assert labels(starts, "Europe/London") == ["13:00 GMT", "14:00 GMT"]
    # Tuesday 31 March: both on summer time.
    starts = starts_on_client_day(schedule, date(2026, 3, 31), "Europe/London", 60, 60)
    assert labels(starts, "Europe/London") == ["14:00 BST", "15:00 BST"]


def test_a_kolkata_tuesday_splits_across_a_new_york_clients_monday_and_tuesday():
    schedule = Schedule("Asia/Kolkata", rules={1: [(hhmm(9), hhmm(11))]}, **OPEN)  # Tuesdays
    monday = starts_on_client_day(schedule, date(2026, 6, 15), "America/New_York", 30, 30)
    tuesday = starts_on_client_day(schedule, date(2026, 6, 16), "America/New_York", 30, 30)
    assert labels(monday, "America/New_York") == ["23:30 EDT"]
    assert labels(tuesday, "America/New_York") == ["00:00 EDT", "00:30 EDT", "01:00 EDT"]
    # The reader's own clock: 09:00 to 10:30 IST.
    assert labels(monday + tuesday, "Asia/Kolkata") == ["09:00 IST", "09:30 IST", "10:00 IST", "10:30 IST"]


def test_a_45_minute_offset_shows_odd_minutes_to_a_utc_client_and_that_is_right():
    schedule = Schedule("Asia/Kathmandu", rules={2: [(hhmm(10), hhmm(11))]}, **OPEN)  # Wednesdays
    starts = starts_on_client_day(schedule, date(2026, 6, 17), "UTC", 15, 15)
    assert labels(starts, "UTC") == ["04:15 UTC", "04:30 UTC", "04:45 UTC", "05:00 UTC"]
    assert labels(starts, "Asia/Kathmandu") == ["10:00 +0545", "10:15 +0545", "10:30 +0545", "10:45 +0545"]


def test_a_rule_ending_at_24_00_takes_the_last_reading_of_the_day():
    schedule = Schedule("Europe/London", rules={0: [(hhmm(22), 1440)]}, **OPEN)  # Mondays
    starts = starts_on_reader_day(schedule, date(2026, 6, 15), 60, 60)
    assert labels(starts, "Europe/London") == ["22:00 BST", "23:00 BST"]


def test_touching_rules_make_one_range_and_a_blocked_date_has_none():
    monday = date(2026, 6, 15)
    rules = {0: [(hhmm(9), hhmm(10)), (hhmm(10), hhmm(11))]}
    schedule = Schedule("UTC", rules=rules, **OPEN)
    assert labels(starts_on_reader_day(schedule, monday, 60, 30), "UTC") == ["09:00 UTC", "09:30 UTC", "10:00 UTC"]
    blocked = Schedule("UTC", rules=rules, overrides={monday: []}, **OPEN)
    assert starts_on_reader_day(blocked, monday, 60, 30) == []
    custom = Schedule("UTC", rules=rules, overrides={monday: [(hhmm(15), hhmm(16))]}, **OPEN)
    assert labels(starts_on_reader_day(custom, monday, 30, 15), "UTC") == ["15:00 UTC", "15:15 UTC", "15:30 UTC"]


def test_notice_horizon_and_busy_ranges_with_the_buffer():
    monday = date(2026, 6, 15)
    now = utc(2026, 6, 15, 8, 50)
    schedule = Schedule(
        "UTC",
        rules={0: [(hhmm(9), hhmm(13))]},
        notice=timedelta(minutes=70),  # nothing before 10:00
        horizon=timedelta(hours=3, minutes=40),  # nothing after 12:30
        buffer=timedelta(minutes=10),
        busy=[(utc(2026, 6, 15, 11), utc(2026, 6, 15, 11, 40))],  # a 30-minute booking + 10 min buffer
    )
    span = zones.day_bounds(monday, "UTC")
    starts = free_starts(schedule, 30, *span, now)
    # 10:30 would end at 11:00 and its buffer run to 11:10, into the booking: not free.
    # 11:45 starts after the booking's buffer; 12:30 is the horizon, kept (t <= now + horizon).
    assert labels(starts, "UTC") == ["10:00 UTC", "10:15 UTC", "11:45 UTC", "12:00 UTC", "12:15 UTC", "12:30 UTC"]
    # Asked 15 minutes earlier, the first start is 09:45: exactly now + notice is allowed.
    assert free_starts(schedule, 30, *span, now - timedelta(minutes=15))[0] == utc(2026, 6, 15, 9, 45)


def test_a_span_starting_off_the_grid_still_finds_the_grid():
    schedule = Schedule("UTC", rules={0: [(hhmm(9), hhmm(10))]}, **OPEN)
    starts = free_starts(schedule, 15, utc(2026, 6, 15, 9, 7, 13), utc(2026, 6, 15, 10), NOW)
    assert labels(starts, "UTC") == ["09:15 UTC", "09:30 UTC", "09:45 UTC"]


def test_a_span_of_one_instant_answers_whether_that_start_is_free():
    schedule = Schedule("UTC", rules={0: [(hhmm(9), hhmm(10))]}, **OPEN)
    start = utc(2026, 6, 15, 9, 30)
    assert free_starts(schedule, 30, start, start + timedelta(minutes=1), NOW) == [start]
    off_grid = utc(2026, 6, 15, 9, 40)
    assert free_starts(schedule, 15, off_grid, off_grid + timedelta(minutes=1), NOW) == []


# The booking page's cheap pass over the days ---------------------------------------------------------

ZONES = [
    "UTC", "America/New_York", "Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
    "America/Santiago", "Pacific/Chatham", "America/St_Johns",
]  # fmt: skip


def random_schedule(rng, now):
    """A reader somewhere with weekly hours (some on odd minutes), dates that differ, bookings that
    never overlap one another (as the database guarantees), and random notice, horizon and buffer."""

    def ranges():
        found, minute = [], rng.choice([0, 0, 5, 7, 30, 400])
        while minute < 1440 and rng.random() < 0.8:
            start = minute + rng.choice([0, 5, 15, 45, 60, 125, 240])
            end = min(1440, start + rng.choice([15, 20, 30, 45, 60, 90, 180, 600, 1440]))
            if start < end:
                found.append((start, end))
            minute = end + rng.choice([0, 5, 30, 120])
        return found

    horizon = timedelta(days=rng.choice([1, 3, 10, 30]))
    first = zones.local(now, "UTC").date() - timedelta(days=1)
    overrides = {}
    for _ in range(rng.randrange(4)):
        overrides[first + timedelta(days=rng.randrange(horizon.days + 3))] = [] if rng.random() < 0.5 else ranges()
    busy, moment = [], now - timedelta(hours=rng.randrange(30))
    while moment < now + horizon + timedelta(days=1):
        moment += timedelta(minutes=5 * rng.randrange(1, 200))
        end = moment + timedelta(minutes=rng.choice([15, 30, 45, 60]) + rng.choice([0, 5, 10, 15, 30]))
        busy.append((moment, end))
        moment = end
    return Schedule(
        rng.choice(ZONES),
        rules={weekday: ranges() for weekday in range(7) if rng.random() < 0.8},
        overrides=overrides,
        notice=timedelta(minutes=rng.choice([0, 15, 120, 2880])),
        horizon=horizon,
        buffer=timedelta(minutes=rng.choice([0, 5, 10, 15, 30])),
        busy=busy,
    )


def test_the_days_with_free_times_and_each_days_times_agree_with_free_starts_on_random_schedules():
    """`free_days` (the cheap pass) finds exactly the client's dates of `free_starts` over the
    whole span, and `starts_on_day` exactly that date's starts, on 300 random schedules around the
    clock changes of 2026 (zones with 30- and 45-minute offsets, a 30-minute change, changes at
    midnight)."""
    rng = random.Random(16)
    moments = [utc(2026, 3, 7), utc(2026, 3, 28), utc(2026, 4, 4), utc(2026, 9, 26), utc(2026, 10, 31), utc(2026, 6, 1)]
    for case in range(300):
        now = rng.choice(moments) + timedelta(minutes=rng.randrange(3 * 24 * 60))
        schedule = random_schedule(rng, now)
        length, step = rng.choice([15, 30, 45, 60]), rng.choice([15, 15, 30, 60])
        client_zone = rng.choice(ZONES)
        span_from, span_to = now, now + schedule.horizon + timedelta(hours=1)
        exact = free_starts(schedule, length, span_from, span_to, now, step_minutes=step)
        by_day = {}
        for start in exact:
            by_day.setdefault(zones.local(start, client_zone).date(), []).append(start)
        days = free_days(schedule, length, span_from, span_to, now, client_zone, step_minutes=step)
        assert days == sorted(by_day), (case, schedule.time_zone, client_zone, length, step)
        for day in days[:3] + days[-2:]:
            on_day = starts_on_day(schedule, length, span_from, span_to, now, day, client_zone, step_minutes=step)
            assert on_day == by_day[day], (case, day)
        after = span_to.date() + timedelta(days=2)
        assert starts_on_day(schedule, length, span_from, span_to, now, after, client_zone) == []


def test_a_day_whose_one_free_start_lies_exactly_between_two_bookings_has_free_times():
    monday = date(2026, 6, 15)
    schedule = Schedule(
        "UTC",
        rules={0: [(hhmm(9), hhmm(11))]},
        **OPEN,
        busy=[(utc(2026, 6, 15, 9), utc(2026, 6, 15, 9, 30)), (utc(2026, 6, 15, 10), utc(2026, 6, 15, 11))],
    )
    span = zones.day_bounds(monday, "UTC")
    assert free_starts(schedule, 30, *span, NOW) == [utc(2026, 6, 15, 9, 30)]
    assert free_days(schedule, 30, *span, NOW, "UTC") == [monday]
    assert free_days(schedule, 45, *span, NOW, "UTC") == []


def test_a_day_at_her_daily_cap_has_no_free_start_and_is_not_listed():
    """S-2's daily cap: once as many bookings start on one of her dates as her cap, that date
    offers nothing more (both the days' pass and the list agree); the days around it are untouched."""
    day = date(2026, 6, 2)  # a Tuesday
    open_days = {weekday: [(hhmm(9), hhmm(17))] for weekday in range(7)}
    booked = [(utc(2026, 6, 2, 13), utc(2026, 6, 2, 14)), (utc(2026, 6, 2, 15), utc(2026, 6, 2, 16))]  # 9 and 11 EDT
    span_from, span_to = (
        zones.day_bounds(day - timedelta(days=1), "America/New_York")[0],
        zones.day_bounds(day + timedelta(days=1), "America/New_York")[1],
    )
    for cap, full in ((2, True), (3, False), (None, False)):
        schedule = Schedule("America/New_York", rules=open_days, busy=booked, daily_cap=cap, **OPEN)
        on_day = [
            s
            for s in free_starts(schedule, 60, span_from, span_to, NOW)
            if zones.local(s, schedule.time_zone).date() == day
        ]
        days = free_days(schedule, 60, span_from, span_to, NOW, "America/New_York")
        assert (on_day == []) is full, cap
        assert (day not in days) is full, cap
        assert {day - timedelta(days=1), day + timedelta(days=1)} <= set(days)
