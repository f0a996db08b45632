"""The event hub's own cost of fanning gifts out to 1,000 tabs, in one gevent process as a web
worker runs it, without the HTTP and the database: what a web worker spends per gift on waking its
tabs and handing them the text, measured in CPU seconds (which depend far less than latencies on
what else the machine runs).

    python -m tests.bench.fanout [rate per second] [seconds] [round seconds] [messages per gift]

Each tab is `events.stream()` consumed by a greenlet that writes what it yields to /dev/null (one
write per yield, as gunicorn does). A gift is one message of about 1.5 KB, published to Redis at
`rate` a second (or as three messages, one per event, as before 2026-12-06). Prints the
process's CPU per gift and the writes per tab per second. The
benchmark `stream_gifts_delivered` (make bench) is the whole path; this isolates the hub's part.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

TABS = 1000
GIFT = (
    '<div class="gift-burst gift-anim-float" role="status"><img class="gift-burst-icon" src="/static/gifts/rose.svg" '
    'alt="" width="48" height="48"><span class="gift-burst-text">Gifter 17 sent a Rose</span></div>'
)


def main(rate, seconds, round_seconds, messages):
    os.environ.setdefault("SOULSEER_TEST_DATABASE", "soulseer_bench")
    import redis

    from soulseer.services.core import events
    from tests.conftest import LIVE_REDIS_URL

    events.ROUND_SECONDS = round_seconds
    hub = events.hub(LIVE_REDIS_URL)
    sink = open(os.devnull, "w")  # noqa: SIM115
    writes, finished = [0], [0]
    total = int(rate * seconds)
    last = f'id="gift-line-{total - 1}"'

    def tab(user_id):
        for text in events.stream(LIVE_REDIS_URL, user_id, keepalive_seconds=60, max_seconds=seconds + 30):
            sink.write(text)
            writes[0] += 1
            if last in text:
                finished[0] += 1

    tabs = [gevent.spawn(tab, n) for n in range(TABS)]
    while hub.open_streams < TABS:
        gevent.sleep(0.05)
    gevent.sleep(0.5)
    client = redis.Redis.from_url(LIVE_REDIS_URL)
    line = '<li class="chat-line chat-gift" id="gift-line-{n}">Gifter 17 sent a Rose</li>'
    board = '<ol class="board board-top">' + "<li>1 Gifter $10.00</li>" * 3 + "</ol>"
    writes[0] = 0
    cpu, started = time.process_time(), time.monotonic()
    for n in range(total):
        gevent.sleep(max(0.0, started + n / rate - time.monotonic()))
        pairs = [["stream-1-gift", GIFT], ["stream-1-chat", line.format(n=n)], ["stream-1-board", board]]
        if messages == 1:
            client.publish(events.CHANNEL, json.dumps({"to": None, "events": pairs}))
        else:
            for event, html in pairs:
                client.publish(events.CHANNEL, json.dumps({"to": None, "event": event, "html": html}))
    deadline = time.monotonic() + 60
    while finished[0] < TABS and time.monotonic() < deadline:
        gevent.sleep(0.05)
    used = time.process_time() - cpu
    took = time.monotonic() - started
    hub.close_all()
    gevent.joinall(tabs, timeout=10)
    events.stop_hub()
    print(
        f"{total} gifts at {rate}/s to {TABS} tabs, {messages} message(s) a gift, rounds every "
        f"{round_seconds * 1000:.0f} ms: all delivered {took:.1f} s after the first ({finished[0]} tabs); "
        f"CPU {used:.2f} s, {1000 * used / total:.1f} ms a gift; {writes[0] / TABS / took:.1f} writes a tab a second; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        float(arguments[0]) if arguments else 50.0,
        float(arguments[1]) if len(arguments) > 1 else 5.0,
        float(arguments[2]) if len(arguments) > 2 else 0.05,
        int(arguments[3]) if len(arguments) > 3 else 1,
    )
