"""A reader's availability for scheduled readings (next-areas.md S-1, S-2): her time zone, weekly
ranges, date overrides, the lengths she offers and their prices, notice, horizon and buffer.

Weekly ranges are written the way a person reads them, per weekday: "9:00-12:00, 14:00-18:00"
(24:00 allowed as an end). Changing any of this never moves a booking: bookings keep their UTC
times (S-1).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models.base import one_of
from soulseer.models.booking import (
    BUFFERS,
    LENGTHS,
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    BookingSettings,
    BookingState,
)
from soulseer.money import price_between
from soulseer.services.bookings import slots, zones

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOTICE_RANGE = (0, 2880)  # minutes
HORIZON_RANGE = (1, 180)  # days
DAILY_CAP_RANGE = (1, 24)  # bookings starting on one of her dates; None: no cap
PRICE_MIN, PRICE_MAX = 100, 100_000  # a flat price from $1 to $1,000
OVERRIDES_AHEAD = 366  # days: an override further out than a year is a typo
_RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


class AvailabilityError(DomainError):
    """A setting or a range that cannot be kept; `field` names the form's field."""

    status = 422


@dataclass
class AvailabilityInput:
    """What the reader's form sends, as text (the service parses and checks every part)."""

    time_zone: str
    lengths: list = field(default_factory=list)  # of int
    prices: dict = field(default_factory=dict)  # length -> text ("" for the rate × length)
    notice_minutes: int = 120
    horizon_days: int = 60
    buffer_minutes: int = 10
    weekly: dict = field(default_factory=dict)  # weekday -> text of ranges
    daily_cap: int | None = None  # None: no cap


def settings_for(reader):
    reader_id = reader if isinstance(reader, int) else reader.id
    return db.session.get(BookingSettings, reader_id)


def count_cancellations(reader_ids):
    """One more cancellation on each reader's count (her own cancellations and no-shows: the
    admin's list shows it) per time she appears in `reader_ids`, as SQL increments, so a batch and
    a cancellation at the same moment both count."""
    times = Counter(reader_ids)
    for n in sorted(set(times.values())):
        db.session.execute(
            sa.update(BookingSettings)
            .where(one_of(BookingSettings.reader_id, [reader for reader, count in times.items() if count == n]))
            .values(cancellations_count=BookingSettings.cancellations_count + n)
        )


def rules_for(reader):
    """{weekday: [(start, end)]} in order."""
    weekly = {}
    for rule in db.session.execute(
        sa.select(AvailabilityRule).filter_by(reader_id=reader.id).order_by(AvailabilityRule.start_minute)
    ).scalars():
        weekly.setdefault(rule.weekday, []).append((rule.start_minute, rule.end_minute))
    return weekly


def overrides_for(reader, from_day):
    """The reader's overrides from `from_day` on, by date: [(override)] each."""
    rows = db.session.execute(
        sa.select(AvailabilityOverride)
        .where(AvailabilityOverride.reader_id == reader.id, AvailabilityOverride.day >= from_day)
        .order_by(AvailabilityOverride.day, AvailabilityOverride.start_minute)
    ).scalars()
    by_day = {}
    for override in rows:
        by_day.setdefault(override.day, []).append(override)
    return by_day


# Ranges as text --------------------------------------------------------------------------------


def minute_text(minute):
    return f"{minute // 60:02d}:{minute % 60:02d}"


def ranges_text(ranges):
    return ", ".join(f"{minute_text(start)}-{minute_text(end)}" for start, end in ranges)


def parse_ranges(text, field_name):
    """'9:00-12:00, 14:00-24:00' -> [(540, 720), (840, 1440)]; an empty text is no range."""
    ranges = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise AvailabilityError(f"Write each range like 9:00-12:00 (“{part.strip()}” is not one).", field_name)
        start = _minute(match.group(1), match.group(2), part, field_name)
        end = _minute(match.group(3), match.group(4), part, field_name)
        if end <= start:
            raise AvailabilityError(f"A range ends after it starts (“{part.strip()}”).", field_name)
        ranges.append((start, end))
    ranges.sort()
    for (_, first_end), (second_start, _) in zip(ranges, ranges[1:], strict=False):
        if second_start < first_end:
            raise AvailabilityError("Two of these ranges overlap: write them as one.", field_name)
    return ranges


def _minute(hours, minutes, part, field_name):
    hours, minutes = int(hours), int(minutes or 0)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise AvailabilityError(f"“{part.strip()}” is not a time of day (24:00 is the latest).", field_name)
    return hours * 60 + minutes


# Saving --------------------------------------------------------------------------------------------


def check(data):
    """Every part of the form checked; returns (settings values, weekly ranges) or raises."""
    time_zone = zones.check(data.time_zone)
    lengths = sorted(set(data.lengths))
    if any(length not in LENGTHS for length in lengths):
        raise AvailabilityError("Choose lengths of 15, 30, 45 or 60 minutes.", "lengths")
    prices = {}
    for length in LENGTHS:
        text = (data.prices.get(length) or "").strip()
        if not text:
            prices[length] = None
            continue
        prices[length] = price_between(
            text, PRICE_MIN, PRICE_MAX, lambda message, field=f"price_{length}": AvailabilityError(message, field),
            "Enter a price in dollars, like 40 or 39.50.", "A price is from {low} to {high}.",
        )  # fmt: skip
    _between(data.notice_minutes, NOTICE_RANGE, "notice_minutes", "Minimum notice is 0 to 2,880 minutes (2 days).")
    _between(data.horizon_days, HORIZON_RANGE, "horizon_days", "Clients can book 1 to 180 days ahead.")
    if data.buffer_minutes not in BUFFERS:
        raise AvailabilityError("Choose a break of 0, 5, 10, 15 or 30 minutes.", "buffer_minutes")
    if data.daily_cap is not None:
        _between(
            data.daily_cap, DAILY_CAP_RANGE, "daily_cap", "Most bookings in a day is 1 to 24, or empty for no limit."
        )
    weekly = {day: parse_ranges(data.weekly.get(day, ""), f"day_{day}") for day in range(7)}
    values = {
        "time_zone": time_zone,
        "lengths": lengths,
        "notice_minutes": data.notice_minutes,
        "horizon_days": data.horizon_days,
        "buffer_minutes": data.buffer_minutes,
        "daily_cap": data.daily_cap,
        **{f"price_{length}_cents": cents for length, cents in prices.items()},
    }
    return values, weekly


def _between(value, bounds, field_name, message):
    if value is None or not bounds[0] <= value <= bounds[1]:
        raise AvailabilityError(message, field_name)


def save(reader, data):
    """Keep the reader's settings and weekly ranges (all of them replaced). Existing bookings keep
    their times."""
    values, weekly = check(data)
    settings = settings_for(reader) or BookingSettings(reader_id=reader.id)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.execute(sa.delete(AvailabilityRule).filter_by(reader_id=reader.id))
    for weekday, ranges in weekly.items():
        for start, end in ranges:
            db.session.add(AvailabilityRule(reader_id=reader.id, weekday=weekday, start_minute=start, end_minute=end))
    db.session.flush()
    slots.changed(reader.id)
    return settings


def add_override(reader, day, blocked, ranges_text_value, today):
    """Block the reader's local date `day`, or give it its own hours (replacing what it had)."""
    if not isinstance(day, date):
        raise AvailabilityError("Choose a date.", "day")
    if day < today or (day - today).days > OVERRIDES_AHEAD:
        raise AvailabilityError("Choose a date from today to a year ahead.", "day")
    ranges = [] if blocked else parse_ranges(ranges_text_value, "hours")
    if not blocked and not ranges:
        raise AvailabilityError("Write the hours for that date, or choose “Not available”.", "hours")
    db.session.execute(sa.delete(AvailabilityOverride).filter_by(reader_id=reader.id, day=day))
    if blocked:
        db.session.add(AvailabilityOverride(reader_id=reader.id, day=day))
    for start, end in ranges:
        db.session.add(AvailabilityOverride(reader_id=reader.id, day=day, start_minute=start, end_minute=end))
    db.session.flush()
    slots.changed(reader.id)


def remove_override(reader, day):
    """The date goes back to the weekly ranges. False when it had no override."""
    result = db.session.execute(sa.delete(AvailabilityOverride).filter_by(reader_id=reader.id, day=day))
    if result.rowcount:
        slots.changed(reader.id)
    return result.rowcount > 0


# What clients are offered ---------------------------------------------------------------------------


def price_for(settings, profile, mode, length):
    """The reader's flat price for the length, else her rate for the mode × the length (S-2)."""
    return settings.price_override(length) or profile.rate_for(mode) * length


def takes_bookings(settings):
    """She offers at least one length and has some hours (weekly or on a date)."""
    if settings is None or not settings.lengths:
        return False
    reader_id = settings.reader_id
    has_rule = sa.exists().where(AvailabilityRule.reader_id == reader_id)
    has_hours = sa.exists().where(
        AvailabilityOverride.reader_id == reader_id, AvailabilityOverride.start_minute.is_not(None)
    )
    return db.session.execute(sa.select(sa.or_(has_rule, has_hours))).scalar_one()


def outside_hours(reader, now):
    """The reader's upcoming bookings that her hours no longer contain (a change of zone or hours
    never moves a booking: she keeps it or cancels it)."""
    settings = settings_for(reader)
    if settings is None:
        return []
    upcoming = (
        db.session.execute(
            sa.select(Booking)
            .where(Booking.reader_id == reader.id, Booking.state == BookingState.CONFIRMED, Booking.starts_at > now)
            .order_by(Booking.starts_at)
        )
        .scalars()
        .all()
    )
    if not upcoming:
        return []
    schedule = slots.schedule_for(settings, upcoming[0].starts_at, upcoming[-1].ends_at)
    return [b for b in upcoming if not slots.inside_hours(schedule, b.starts_at, b.ends_at)]
