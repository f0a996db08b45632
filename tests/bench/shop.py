"""The shop's catalogue (issue #18's benchmark): `/shop` with 5,000 products for sale, as a visitor
and as a signed-in client, each beside the minimal page. Goal: p95 under 50 ms at 8 connections,
and for visitors at least half the minimal page's throughput."""

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, signed_in_cookie
from tests.bench.web import page_beside_minimal

PRODUCTS = 5_000
CATEGORIES = ("guides", "audio", "courses", "spreads", "crystals")


def seed():
    """Bulk-insert (once) 5,000 of the platform's products for sale: every fifth a crystal with
    stock, the others digital guides, audio, courses and spreads with a file; descriptions rendered
    once, as the service stores them."""
    from soulseer import clock, create_app
    from soulseer.extensions import db
    from soulseer.models import Product
    from soulseer.services.community import rendering
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})
    with app.app_context():
        if db.session.execute(sa.select(sa.func.count()).select_from(Product)).scalar_one() < PRODUCTS:
            now, html = clock.now(), rendering.to_html("A product for the benchmark, with **some** Markdown.")
            rows = []
            for n in range(PRODUCTS):
                physical = n % 5 == 4
                rows.append({
                    "slug": f"bench-product-{n}", "kind": "physical" if physical else "digital",
                    "status": "published", "title": f"Benchmark product number {n}", "category": CATEGORIES[n % 5],
                    "summary": "One line about it for the cards.", "description": "A product for the benchmark.",
                    "description_html": html, "price_cents": 500 + n % 1000, "stock": 10 if physical else None,
                    "shipping_cents": 500 if physical else 0,
                    "file_key": None if physical else f"products/{n}/bench/file.pdf",
                    "file_name": None if physical else "file.pdf", "file_type": None if physical else "application/pdf",
                    "file_size": None if physical else 123_456, "published_at": now, "featured": n < 4,
                })  # fmt: skip
            db.session.execute(sa.insert(Product), rows)
            db.session.commit()
            db.session.execute(sa.text("ANALYZE products"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def shop_catalogue_page(servers):
    """`GET /shop` as a visitor: the first page of 5,000 products for sale, newest first."""
    servers.live()
    seed()
    return page_beside_minimal(servers, "shop catalogue, 5,000 products (visitor)", "/shop")


def shop_catalogue_signed_in(servers):
    live = servers.live()
    seed()
    headers = {"Cookie": signed_in_cookie(live.url, "bench-shop@example.test"), "User-Agent": BENCH_AGENT}
    return page_beside_minimal(servers, "shop catalogue, 5,000 products (signed-in client)", "/shop", headers=headers)
