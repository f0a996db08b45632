"""Gunicorn settings for the web process (Procfile `web`). Tunable through the environment."""

import os

# Hosting platforms route to every interface; `make run` sets HOST=127.0.0.1.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"  # noqa: S104
# gevent: every open event stream (one per signed-in tab, docs/events.md) is a greenlet waiting on
# a queue, not a thread, so a thousand of them leave ordinary requests their CPU. psycopg 3 sees
# gevent's monkey patching and waits cooperatively; redis-py does through the patched sockets.
# The benchmark "home page with 1,000 open event streams" holds this choice to account.
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Simultaneous connections per worker process (open streams included).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "2000"))
timeout = 60
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Freeze what the loaded app allocated, then end the open event streams as soon as this worker
    is told to stop: otherwise each would hold the worker for the whole graceful timeout. Browsers
    reconnect, to a live worker."""
    import gc

    import gevent

    # The app's ~200,000 objects from start-up live as long as the worker: out of the collector's
    # reach, a full collection no longer walks them all. Measured on the forum's renderer (make
    # bench, 10,000 characters of hostile Markdown): p95 137 ms with them, 41 ms frozen.
    gc.freeze()

    from soulseer.services.core import events

    def close_streams_on_stop():
        while worker.alive:
            gevent.sleep(0.5)
        events.close_all_streams()

    gevent.spawn(close_streams_on_stop)
