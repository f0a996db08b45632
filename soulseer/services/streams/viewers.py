"""Who is watching (L-4): counted by the server, never by Agora (which reports no audience joins).

Each viewer's page heartbeats every STREAM_HEARTBEAT_SECONDS (10) while open and leaves with a
beacon; each heartbeat puts the viewer in a Redis sorted set per stream, scored with the time. The
count is the members seen in the last STREAM_VIEWER_WINDOW_SECONDS (25). The tick (every 5 s)
drops older members, keeps the stream's peak, and pushes the count to the stream's pages when it
changed — so pages get it at most every 5 s, however many come and go. The host is not counted.
"""

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.extensions import db, get_redis
from soulseer.models import Stream, StreamState
from soulseer.services.streams import live


def _members_key(stream_id):
    return f"soulseer:stream:{stream_id}:viewers"


def _pushed_key(stream_id):
    return f"soulseer:stream:{stream_id}:viewers-pushed"


def _window():
    return current_app.config["STREAM_VIEWER_WINDOW_SECONDS"]


def seen(stream, user, now=None):
    """A viewer's heartbeat (the host's is not counted)."""
    if user.id == stream.reader_id or not stream.live:
        return
    get_redis().zadd(_members_key(stream.id), {str(user.id): (now or clock.now()).timestamp()})


def left(stream, user):
    get_redis().zrem(_members_key(stream.id), str(user.id))


def count(stream_id, now=None):
    since = (now or clock.now()).timestamp() - _window()
    return get_redis().zcount(_members_key(stream_id), since, "+inf")


def watching(stream_id, now=None):
    """User ids seen in the window (a premium or private stream's events go to them one by one)."""
    since = (now or clock.now()).timestamp() - _window()
    return [int(member) for member in get_redis().zrangebyscore(_members_key(stream_id), since, "+inf")]


def tick(now):
    """For each live stream: forget viewers unseen in the window, keep the peak, push the count when
    it changed; an ended stream's set is dropped. Returns the live streams handled."""
    redis = get_redis()
    since = now.timestamp() - _window()
    streams = db.session.execute(sa.select(Stream.id).filter_by(state=StreamState.LIVE)).scalars().all()
    for stream_id in streams:
        redis.zremrangebyscore(_members_key(stream_id), "-inf", f"({since}")
        number = redis.zcard(_members_key(stream_id))
        db.session.execute(
            sa.update(Stream).where(Stream.id == stream_id, Stream.viewers_peak < number).values(viewers_peak=number)
        )
        previous = redis.getset(_pushed_key(stream_id), number)
        if previous is None or int(previous) != number:
            live.publish_count(stream_id, number)
    db.session.commit()
    for key in redis.scan_iter(match="soulseer:stream:*:viewers", count=500):
        stream_id = int(key.decode().split(":")[2])
        if stream_id not in streams:
            redis.delete(key, _pushed_key(stream_id))
    return len(streams)
