"""Live events: HTML fragments pushed to the open event streams (docs/events.md).

Every signed-in tab holds one Server-Sent Events stream (GET /events). Anything that changes what
an open page shows publishes an event here: a name and a fragment of HTML. The htmx SSE extension
swaps the fragment into the elements that listen for that name (`sse-swap="<event>"`).

Transport: one Redis pub/sub channel for the whole site. Each message says who it is for (one
user, a list of users, or everyone signed in). Each web process holds ONE subscription (a background thread, a
greenlet under gevent) and hands messages to its own open streams through in-memory queues, so a
thousand open tabs cost one Redis connection per process, not a thousand. Events are best-effort
page refreshes: a tab that is reconnecting misses what was published meanwhile, and the page it
loads next is rendered fresh from the database anyway.
"""

import contextlib
import functools
import json
import logging
import os
import queue
import threading
import time

import redis as redis_lib

from soulseer import clock

CHANNEL = "soulseer:events"
PUBLIC = None  # the audience of a public event: every signed-in tab
# Reader activity seen by the web processes (requests, open streams); see services/marketplace/reader_status.py.
PRESENCE_KEY = "soulseer:presence:{user_id}"
PRESENCE_TTL_SECONDS = 3600
# A page whose stream has not kept alive for this long is closed or asleep (with_open_tabs).
OPEN_TAB_SECONDS = 300
# A tab that falls this far behind (a stalled connection) is closed; the browser reconnects.
STREAM_QUEUE_SIZE = 200
# At most this many waiting messages are handed to the tabs before they run (well under the queue),
# in rounds at most this often (the hub's loop, below).
DISPATCH_BATCH = 50
ROUND_SECONDS = 0.15

log = logging.getLogger(__name__)


# --- publishing ------------------------------------------------------------------------------


def publish_to_user(user_id, event, html):
    """Send `html` as `event` to every open tab of one user (now, not waiting for a commit)."""
    _publish(int(user_id), [(event, html)])


def publish_many(messages):
    """Send each (user id, event, html) of `messages` to that user's open tabs (as publish_to_user),
    all in one round trip to Redis."""
    from soulseer.extensions import get_redis

    pipeline = get_redis().pipeline(transaction=False)
    _batch.pipeline = pipeline
    try:
        for user_id, event, html in messages:
            publish_to_user(user_id, event, html)
    finally:
        _batch.pipeline = None
    pipeline.execute()


_batch = threading.local()  # publish_many's pipeline while it gathers the messages


def publish_to_users(user_ids, event, html=None):
    """Send `html` as `event` to every open tab of each of these users, in ONE message: an audience
    of a thousand (a premium stream's viewers) is one publish, not a thousand. `event` may also be
    a list of (event, html) pairs (as in publish_public)."""
    audience = sorted({int(user_id) for user_id in user_ids})
    if audience:
        _publish(audience, _pairs(event, html))


def publish_public(event, html=None):
    """Send `html` as `event` to every open tab of every signed-in user. It must hold nothing
    private or personal to a viewer (no CSRF field, no "your favourite" marks).

    `event` may also be a list of (event, html) pairs: several events that belong together (a
    gift's animation, its chat line and the new board) travel as one message and reach each tab in
    one write, in their order."""
    _publish(PUBLIC, _pairs(event, html))


def _pairs(event, html):
    return [(event, html)] if html is not None else list(event)


def _publish(to, pairs):
    from soulseer.extensions import get_redis

    for event, _ in pairs:
        _check_event_name(event)
    if len(pairs) == 1:
        message = {"to": to, "event": pairs[0][0], "html": pairs[0][1]}
    else:
        message = {"to": to, "events": [list(pair) for pair in pairs]}
    (getattr(_batch, "pipeline", None) or get_redis()).publish(CHANNEL, json.dumps(message))


def _check_event_name(event):
    # An event name becomes an `event:` line; a newline in it would forge another field.
    if not event or any(ch in event for ch in "\r\n:"):
        raise ValueError(f"bad event name {event!r}")


def publisher(model, *load_options):
    """Makes `publish(row, *args)` an after-commit publisher called with the row's id instead:
    `publish(row_id, *args)` runs in an isolated context (below), loads the row afresh (with
    `load_options`, as for `Session.get`) and hands it over; a row gone since the commit publishes
    nothing. Every area's live fragments are published this way (docs/events.md)."""

    def wrap(publish):
        @functools.wraps(publish)
        def publish_by_id(row_id, *args):
            from soulseer.extensions import db

            with isolated_context():
                row = db.session.get(model, row_id, options=list(load_options) or None)
                if row is not None:
                    publish(row, *args)

        return publish_by_id

    return wrap


@contextlib.contextmanager
def isolated_context():
    """A fresh app context (its own `g`, so no signed-in user, and its own database session) and
    an anonymous request context, for rendering fragments that go to other people, also from the
    after-commit hook where the caller's session can no longer run SQL."""
    from flask import current_app

    app = current_app._get_current_object()
    with app.app_context(), app.test_request_context("/"):
        yield


# --- presence (reader activity, open tabs) ---------------------------------------------------


def record_presence(redis_client, user_id):
    """Note that the user was active now (a reader's request, or anyone's open stream connecting
    or keeping alive)."""
    redis_client.set(PRESENCE_KEY.format(user_id=user_id), clock.now().timestamp(), ex=PRESENCE_TTL_SECONDS)


def with_open_tabs(user_ids):
    """The users of `user_ids` who may have a page open now: their event stream connected or kept
    alive (every EVENTS_KEEPALIVE_SECONDS) within OPEN_TAB_SECONDS (a reader's requests count
    too). A batch that renders a fragment per person (a tick's room panels) renders none for the
    others: the page they open next is drawn from the database, and an open room asks for its
    panel again with its next heartbeat. Redis unreachable: all of them."""
    from flask import current_app

    from soulseer.extensions import get_redis

    user_ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not user_ids:
        return set()
    window = max(OPEN_TAB_SECONDS, 3 * current_app.config["EVENTS_KEEPALIVE_SECONDS"])
    try:
        seen = get_redis().mget([PRESENCE_KEY.format(user_id=user_id) for user_id in user_ids])
    except redis_lib.RedisError:
        log.warning("presence unavailable; publishing to everyone asked", exc_info=True)
        return set(user_ids)
    since = clock.now().timestamp() - window
    return {user_id for user_id, at in zip(user_ids, seen, strict=True) if at is not None and float(at) >= since}


# --- the stream ------------------------------------------------------------------------------


def format_event(event, html):
    """One SSE message: `event:` then one `data:` line per line of the fragment."""
    lines = html.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


_CLOSE = None  # put in a stream's queue to end it


class _Subscriber:
    def __init__(self, user_id):
        self.user_id = user_id
        self.queue = queue.Queue(maxsize=STREAM_QUEUE_SIZE)
        self.overflowed = False

    def offer(self, item):
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            self.overflowed = True


class Hub:
    """This process's one Redis subscription, fanned out to its open streams."""

    def __init__(self, redis_url):
        self.redis_url = redis_url
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._subscribers = set()
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soulseer-events-hub", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout=5):
        return self._ready.wait(timeout)

    def add(self, user_id):
        subscriber = _Subscriber(user_id)
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def remove(self, subscriber):
        with self._lock:
            self._subscribers.discard(subscriber)

    def close_all(self):
        """End every open stream of this process now (the server is stopping)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.overflowed = True
            subscriber.offer(_CLOSE)

    @property
    def open_streams(self):
        return len(self._subscribers)

    @staticmethod
    def _parse(message):
        """(target, SSE text) of what pub/sub gave, or None (nothing, not a message, malformed)."""
        if message is None or message["type"] != "message":
            return None
        try:
            data = json.loads(message["data"])
            target = data["to"]
            pairs = data["events"] if "events" in data else [(data["event"], data["html"])]
            # Formatted once here, not once per tab: a thousand tabs get the same text.
            return target, "".join(format_event(event, html) for event, html in pairs)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed event message")
            return None

    def _hand_out(self, target, text):
        # One user's id, a list of ids (publish_to_users), or PUBLIC (everyone).
        audience = frozenset(target) if isinstance(target, list) else None
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            if target is PUBLIC or subscriber.user_id == target or (audience and subscriber.user_id in audience):
                subscriber.offer(text)

    def stop(self):
        self._stopped.set()

    def _run(self):
        while not self._stopped.is_set():
            client = redis_lib.Redis.from_url(self.redis_url, health_check_interval=30)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                self._ready.set()
                last_round = 0.0
                while not self._stopped.is_set():
                    parsed = self._parse(pubsub.get_message(timeout=1.0))
                    if parsed is None:
                        continue
                    # A message for one user (a reader's new message, a panel, a bell) is handed
                    # to her tabs at once. A message for many (everyone signed in, a stream's
                    # audience) is handed out in rounds, at most one every ROUND_SECONDS: one that
                    # comes sooner after the last round waits for the many-tab messages that follow
                    # it, up to DISPATCH_BATCH. Each tab then wakes once a round and writes all it got
                    # in one write (stream() drains its queue), so under load a tab costs one wake
                    # and one write per round, not per event; when such events are rare one goes out
                    # at once (make bench: gifts to 1,000 viewers, messages; docs/events.md).
                    if not _for_many(parsed[0]):
                        self._hand_out(*parsed)
                        time.sleep(0)
                        continue
                    waiting = [parsed]
                    until = last_round + ROUND_SECONDS
                    while len(waiting) < DISPATCH_BATCH:
                        left = until - time.monotonic()
                        more = pubsub.get_message(timeout=max(0.0, left))
                        parsed = self._parse(more)
                        many = parsed is not None and _for_many(parsed[0])
                        if many:
                            waiting.append(parsed)
                        elif parsed is not None:
                            self._hand_out(*parsed)
                        if left <= 0 and not many:  # past the round's time, and no many-tab message queued
                            break
                    for target, text in waiting:
                        self._hand_out(target, text)
                    last_round = time.monotonic()
                    # Let the streams drain between rounds: a burst (hundreds of readers changing
                    # status at once) waits in the socket, and under gevent this loop would
                    # otherwise fill every tab's queue before any tab ran.
                    time.sleep(0)
            except redis_lib.RedisError as exc:
                self._ready.clear()
                if self._stopped.is_set():
                    return
                log.warning("event hub lost Redis (%s); resubscribing in 1 s", exc)
                time.sleep(1)
            finally:
                try:
                    pubsub.close()
                    client.close()
                except redis_lib.RedisError:
                    pass


def _for_many(target):
    """A message for everyone signed in or a list of people (a stream's audience), not one user."""
    return target is PUBLIC or isinstance(target, list)


_hub = None
_hub_lock = threading.Lock()


def hub(redis_url):
    """This process's hub, started on the first stream (again in a forked child)."""
    global _hub
    with _hub_lock:
        if _hub is None or _hub.pid != os.getpid() or _hub.redis_url != redis_url:
            _hub = Hub(redis_url)
    _hub.wait_ready()
    return _hub


def close_all_streams():
    """End this process's open streams (a gunicorn worker that is stopping; gunicorn.conf.py)."""
    if _hub is not None and _hub.pid == os.getpid():
        _hub.close_all()


def stop_hub():
    """Stop this process's hub (tests, before their Redis goes away)."""
    global _hub
    with _hub_lock:
        if _hub is not None:
            _hub.stop()
            _hub = None


def stream(redis_url, user_id, keepalive_seconds, max_seconds, on_keepalive=None):
    """The body of one tab's event stream: a generator of SSE text.

    Sends a keep-alive comment every `keepalive_seconds` (proxies close silent connections, and a
    write is how a vanished client is noticed) and ends after `max_seconds`, when the browser
    reconnects on its own. Unsubscribes however it ends (client gone, server stopping)."""
    events_hub = hub(redis_url)
    subscriber = events_hub.add(user_id)
    try:
        # `retry`: how long the browser waits before reconnecting after the stream ends.
        yield "retry: 2000\n: connected\n\n"
        started = time.monotonic()
        next_keepalive = started + keepalive_seconds
        while not subscriber.overflowed:
            now = time.monotonic()
            if now - started >= max_seconds:
                break
            if now >= next_keepalive:
                if on_keepalive is not None:
                    on_keepalive()
                yield ": keep-alive\n\n"
                next_keepalive = now + keepalive_seconds
                continue
            try:
                text = subscriber.queue.get(timeout=min(next_keepalive, started + max_seconds) - now)
            except queue.Empty:
                continue
            if text is _CLOSE:
                break
            # Everything else already queued goes out in the same write.
            texts = [text]
            while True:
                try:
                    text = subscriber.queue.get_nowait()
                except queue.Empty:
                    break
                if text is _CLOSE:
                    subscriber.overflowed = True  # end once this write is out
                    break
                texts.append(text)
            yield "".join(texts)
    finally:
        events_hub.remove(subscriber)
