"""`make bench`: start the test services, run every benchmark in turn, print one table.

Progress goes to stderr so that stdout is the table alone. Every process a benchmark starts is
stopped on the way out, also on Ctrl-C or SIGTERM.
"""

import os
import signal
import sys

from tests.bench import (
    billing,
    bookings,
    browse,
    community,
    heartbeats,
    ledger,
    messages,
    payouts,
    shop,
    signed_in,
    stream_gifts,
    streams,
    web,
)
from tests.bench.load import DEFAULT_THREADS, WARMUP_SECONDS, default_seconds
from tests.bench.servers import Servers, web_workers
from tests.bench.table import render

# The registry: each entry takes the shared Servers and returns one Row (or a list of rows), in table order.
BENCHMARKS = [
    web.home_page,
    browse.browse_page,
    browse.browse_search,
    browse.browse_signed_in,
    signed_in.dashboard_signed_in,
    signed_in.wallet_signed_in,
    signed_in.reading_room_signed_in,
    signed_in.own_lists_signed_in,
    community.community_thread_page,
    community.community_thread_signed_in,
    community.community_category_page,
    community.community_category_signed_in,
    community.markdown_bombs,
    streams.page_with_open_streams,
    bookings.booking_slot_page,
    shop.shop_catalogue_page,
    shop.shop_catalogue_signed_in,
    messages.message_delivery,
    stream_gifts.stream_gifts_delivered,
    ledger.ledger_beside_pgbench,
    ledger.ledger_pool_checkout_beside_pgbench,
    shop.shop_purchases_beside_pgbench,
    billing.billing_tick_beside_pgbench,
    payouts.daily_payouts_beside_pgbench,
    bookings.bookings_tick_beside_pgbench,
    heartbeats.heartbeats_with_the_tick,  # last: it stops the shared live server
]


def _stop_on_sigterm(signum, frame):
    """Turn SIGTERM into SystemExit so the `with Servers` block stops the servers."""
    raise SystemExit(128 + signum)


def _selected(benchmarks, only):
    """`BENCH_ONLY=browse,ledger` runs the benchmarks whose name contains one of the words."""
    words = [word.strip() for word in only.split(",") if word.strip()]
    if not words:
        return benchmarks
    chosen = [b for b in benchmarks if any(word in b.__name__ for word in words)]
    if not chosen:
        names = ", ".join(b.__name__ for b in benchmarks)
        raise SystemExit(f"bench: BENCH_ONLY={only!r} matches none of: {names}")
    return chosen


def main():
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Importing the test harness starts the embedded PostgreSQL and Redis and exports their URLs.
    # The benchmarks rebuild their own database, so a test run at the same time is left alone.
    os.environ.setdefault("SOULSEER_TEST_DATABASE", "soulseer_bench")
    from tests.conftest import LIVE_REDIS_URL

    log = sys.stderr
    print(
        f"bench: {DEFAULT_THREADS} keep-alive clients, {WARMUP_SECONDS:g} s warm-up, "
        f"{default_seconds():g} s measured per figure",
        file=log,
        flush=True,
    )
    selected = _selected(BENCHMARKS, os.environ.get("BENCH_ONLY", ""))
    rows = []
    try:
        # The live processes use their own Redis database, as in the browser tests, and the web
        # process as many workers as it has in production (`web_workers`).
        with Servers(live_env={"REDIS_URL": LIVE_REDIS_URL, "WEB_CONCURRENCY": web_workers()}) as servers:
            for benchmark in selected:
                print(f"bench: {benchmark.__name__} ...", file=log, flush=True)
                result = benchmark(servers)
                rows.extend(result if isinstance(result, list) else [result])
    except KeyboardInterrupt:
        print("bench: interrupted; every server it started is stopped", file=log)
        return 130
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
