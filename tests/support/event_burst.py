"""Run as a program under gevent, as a web worker runs (gunicorn's gevent workers): one tab's
stream drains its queue while the hub receives a burst of events. Prints "<received> <overflowed>".

    python -m tests.support.event_burst <redis url> <number of events>
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
import redis  # noqa: E402

from soulseer.services.core import events  # noqa: E402


def main(redis_url, count):
    hub = events.Hub(redis_url)
    if not hub.wait_ready(10):
        raise SystemExit("the event hub did not subscribe")
    tab = hub.add(user_id=1)
    received = []

    def drain():
        while len(received) < count and not tab.overflowed:
            received.append(tab.queue.get())

    reader = gevent.spawn(drain)
    client = redis.Redis.from_url(redis_url)
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        pipe.publish(events.CHANNEL, json.dumps({"to": None, "event": "reader-status", "html": f"<p>{n}</p>"}))
    pipe.execute()  # all at once: the hub finds them waiting in its socket
    reader.join(timeout=20)
    hub.stop()
    print(len(received), tab.overflowed)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
