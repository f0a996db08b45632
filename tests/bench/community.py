"""The community's pages (issue #15's benchmark): a thread with 200 replies and a category with
10,000 threads, as a visitor and as a signed-in client, each beside the minimal page. Goal: p95
under 50 ms at 8 connections, and for visitors at least half the minimal page's throughput."""

from datetime import timedelta

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, signed_in_cookie
from tests.bench.table import Row
from tests.bench.web import page_beside_minimal

THREADS = 10_000
REPLIES = 200
BODY = "A post for the benchmark, with **some** Markdown and a [link](https://example.org). " * 3


def seed():
    """Bulk-insert (once) 10,000 threads in General by 50 members, the first with 200 replies, one
    level of nesting. Returns the big thread's path. Rendered HTML is stored, as the service does."""
    from soulseer import clock, create_app
    from soulseer.extensions import db
    from soulseer.models import CommunityCategory, CommunityPost, CommunityThread, User
    from soulseer.services.community import rendering, writing
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    with app.app_context():
        general = db.session.execute(sa.select(CommunityCategory).filter_by(slug="general")).scalar_one()
        title = "The thread with two hundred replies"
        path = None
        if db.session.execute(sa.select(sa.func.count()).select_from(CommunityThread)).scalar_one() < THREADS:
            authors = (
                db.session.execute(
                    sa.insert(User).returning(User.id, sort_by_parameter_order=True),
                    [{"email": f"bench-member-{n}@example.test", "display_name": f"Member {n}"} for n in range(50)],
                )
                .scalars()
                .all()
            )
            now, html = clock.now(), rendering.to_html(BODY)
            rows = [
                {
                    "category_id": general.id,
                    "author_id": authors[n % 50],
                    "title": title if n == 0 else f"Benchmark thread number {n}",
                    "body": BODY,
                    "body_html": html,
                    "last_activity_at": now - timedelta(minutes=n),
                    "reply_count": REPLIES if n == 0 else 0,
                }
                for n in range(THREADS)
            ]
            ids = db.session.execute(sa.insert(CommunityThread).returning(CommunityThread.id), rows).scalars().all()
            big = min(ids)
            top = (
                db.session.execute(
                    sa.insert(CommunityPost).returning(CommunityPost.id, sort_by_parameter_order=True),
                    [
                        {"thread_id": big, "author_id": authors[n % 50], "body": BODY, "body_html": html}
                        for n in range(REPLIES // 2)
                    ],
                )
                .scalars()
                .all()
            )
            db.session.execute(
                sa.insert(CommunityPost),
                [
                    {
                        "thread_id": big,
                        "parent_id": parent,
                        "author_id": authors[n % 50],
                        "body": BODY,
                        "body_html": html,
                    }
                    for n, parent in enumerate(top)
                ],
            )
            db.session.commit()
            db.session.execute(sa.text("ANALYZE community_threads, community_posts, users"))
            db.session.commit()
        big = db.session.execute(sa.select(CommunityThread.id).filter_by(title=title)).scalar_one()
        path = f"/community/t/{big}-{writing.slug_for(title)}"
        db.session.remove()
        db.engine.dispose()
    return path


def community_thread_page(servers):
    """`GET /community/t/<id>-<slug>` as a visitor: 200 replies; its first page shows 30 replies with their answers."""
    servers.live()
    return page_beside_minimal(servers, "community thread, 200 replies (visitor)", seed())


def community_thread_signed_in(servers):
    live = servers.live()
    path = seed()
    headers = {"Cookie": signed_in_cookie(live.url, "bench-community-thread@example.test"), "User-Agent": BENCH_AGENT}
    return page_beside_minimal(servers, "community thread, 200 replies (signed-in client)", path, headers=headers)


def community_category_page(servers):
    """`GET /community/general`: the first 25 of 10,000 threads, pinned first then latest activity."""
    servers.live()
    seed()
    return page_beside_minimal(servers, "community category, 10,000 threads (visitor)", "/community/general")


def community_category_signed_in(servers):
    live = servers.live()
    seed()
    headers = {"Cookie": signed_in_cookie(live.url, "bench-community-category@example.test"), "User-Agent": BENCH_AGENT}
    return page_beside_minimal(
        servers, "community category, 10,000 threads (signed-in client)", "/community/general", headers=headers
    )


def markdown_bombs(servers):
    """The renderer's worst case (issue #15: 10,000 characters in under 50 ms): each hostile text
    of tests/support/markdown_bombs.py at 10,000 characters, rendered in turn for the measured
    time, in this process's CPU time; beside an ordinary post of the same length with Markdown."""
    import gc
    import time

    from soulseer import create_app
    from soulseer.services.community import rendering
    from tests.bench.load import default_seconds
    from tests.support.markdown_bombs import BOMBS

    create_app({})  # the web process's heap: what a full collection walks unless frozen

    def timings(texts):
        spent, deadline = [], time.monotonic() + default_seconds() / 2
        while time.monotonic() < deadline:
            for text in texts:
                start = time.process_time()
                rendering.to_html(text)
                spent.append((time.process_time() - start) * 1000)
        return sorted(spent)

    def percentile(values, fraction):
        return values[min(len(values) - 1, int(len(values) * fraction))]

    ordinary = (BODY * 50)[:10_000]
    rendering.to_html(ordinary)  # imports and caches warmed
    # As in a web worker (gunicorn.conf.py, post_worker_init): the loaded app's objects frozen, so
    # a full collection does not walk them.
    gc.freeze()
    bombs = timings([bomb(10_000) for bomb in BOMBS.values()])
    plain = timings([ordinary])
    return Row(
        benchmark=f"Markdown rendering of {len(BOMBS)} hostile texts of 10,000 characters (CPU)",
        per_second=1000 * len(bombs) / sum(bombs),
        p50_ms=percentile(bombs, 0.50),
        p95_ms=percentile(bombs, 0.95),
        errors=0,
        baseline="an ordinary post of 10,000 characters with Markdown",
        baseline_per_second=1000 * len(plain) / sum(plain),
        baseline_p95_ms=percentile(plain, 0.95),
        baseline_errors=0,
    )
