"""Presence in the room: when each side of a reading last gave a sign of life, kept in Redis.

Each open room sends a heartbeat every 10 s. With 10,000 readings running that is 2,000 a second;
writing each one to the reading's row (a row lock, an UPDATE, a COMMIT) would cost the web
processes more than the billing tick next to them (issue #20). So a heartbeat that changes
nothing but the time (the meter is running and this side is known to be here) is only recorded
here, with the server's time; the billing tick folds these times into the rows it takes
(`fold`) before it decides anything, and the rows' `client_seen_at` / `reader_seen_at` stay what
the meter's rules read (metering.py). Everything else a heartbeat can do — a first join, a
resume after a disconnect — still goes through the locked row (`metering.seen`).

Metered time still comes only from the server: the times are the server's clock at each
heartbeat. Should Redis lose them (a restart), the rows keep the last time folded, so a reading
may pause earlier than it should and bill less, never more: the meter stops at the last moment
both sides were known to be present, and the next heartbeat resumes it.
"""

from datetime import UTC, datetime

from soulseer.extensions import get_redis

KEY = "soulseer:reading:{reading_id}:presence"
SIDES = ("client", "reader")
# Long past every rule that reads presence (25 s of silence, 120 s of grace), short enough that a
# finished reading's key goes away on its own.
KEEP_SECONDS = 600


def record(reading_id, side, at):
    """This side of the reading was here at `at` (the server's time)."""
    key = KEY.format(reading_id=reading_id)
    pipe = get_redis().pipeline(transaction=False)
    pipe.hset(key, side, stored_time(at))
    pipe.expire(key, KEEP_SECONDS)
    pipe.execute()


def stored_time(at):
    """How a time is kept here: whole microseconds since the epoch."""
    return int(at.timestamp() * 1_000_000)


def latest(reading_ids):
    """{reading id: {side: time}} of the heartbeats recorded here, in one round trip."""
    reading_ids = list(reading_ids)
    if not reading_ids:
        return {}
    pipe = get_redis().pipeline(transaction=False)
    for reading_id in reading_ids:
        pipe.hmget(KEY.format(reading_id=reading_id), *SIDES)
    found = {}
    for reading_id, times in zip(reading_ids, pipe.execute(), strict=True):
        found[reading_id] = {
            side: datetime.fromtimestamp(int(raw) / 1_000_000, tz=UTC)
            for side, raw in zip(SIDES, times, strict=True)
            if raw is not None
        }
    return found


def fold(readings):
    """Bring each (locked) reading's last-seen times up to the heartbeats recorded here; never back."""
    found = latest(reading.id for reading in readings)
    for reading in readings:
        for side, at in found.get(reading.id, {}).items():
            column = f"{side}_seen_at"
            current = getattr(reading, column)
            if current is None or at > current:
                setattr(reading, column, at)
