"""The shop's catalogue (issue #18's benchmark): `/shop` with 5,000 products for sale, as a visitor
and as a signed-in client, each beside the minimal page. Goal: p95 under 50 ms at 8 connections,
and for visitors at least half the minimal page's throughput. And wallet purchases of one product
with stock per second under 8 connections beside pgbench (goal: at least 0.5x, none oversold)."""

import multiprocessing
import time

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, signed_in_cookie
from tests.bench.load import default_seconds
from tests.bench.table import Row
from tests.bench.web import page_beside_minimal

CONNECTIONS = 8

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


# --- wallet purchases of one product beside pgbench -------------------------------------------

STOCK = 10_000_000  # more than any run sells: the figure is the buying, not the sell-out


def _buyer(index, seconds, start_at, results):
    """One connection buying the one crystal from its client's wallet until its time is up, each
    purchase one transaction exactly as POST /shop/<slug>/buy makes it; reports how many."""
    from sqlalchemy.orm import Session

    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import Product, User
    from soulseer.services.shop import buying

    app = create_app()
    with app.app_context():
        held = db.engine.connect()
    with app.app_context(), held as connection:
        db.session.registry.set(Session(bind=connection))  # one connection, as pgbench's clients
        buyer = db.session.execute(db.select(User).filter_by(email=f"shop-buyer-{index}@example.test")).scalar_one()
        product_id = db.session.execute(db.select(Product.id).filter_by(slug="bench-crystal")).scalar_one()
        address = buying.Address(name="Bench Buyer", line1="1 Main St", city="Springfield", postal_code="62701",
                                  country="US")  # fmt: skip
        count = 0
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            buying.buy_from_wallet(buyer, product_id, 1, f"bench-{index}-{count}", address)
            db.session.commit()
            count += 1
        results[index] = count


def _prepare_buyers():
    """The crystal (stock 10,000,000) and one funded client per connection, once."""
    from soulseer import clock
    from soulseer.extensions import db
    from soulseer.ledger import operations
    from soulseer.models import Product, User

    if db.session.execute(db.select(Product.id).filter_by(slug="bench-crystal")).first():
        return
    db.session.add(Product(slug="bench-crystal", kind="physical", status="published", title="Benchmark Crystal",
                           category="crystals", price_cents=100, stock=STOCK, shipping_cents=0,
                           published_at=clock.now()))  # fmt: skip
    for index in range(CONNECTIONS):
        buyer = User(email=f"shop-buyer-{index}@example.test", display_name=f"Bench buyer {index}", role="client")
        db.session.add(buyer)
        db.session.flush()
        operations.credit_topup(buyer, 10_000_000_00, f"bench:shop-topup:{index}", ("bench", index))
    db.session.commit()


def shop_purchases_beside_pgbench(servers):
    """Wallet purchases of one crystal per second over 8 connections (stock taken with the
    conditional decrement, one posting each), beside pgbench; `errors` counts units oversold or
    lost: stock taken and orders paid must agree exactly."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import Order, Product
    from tests.bench.ledger import pgbench_tps

    servers.close()  # the database alone, as the ledger's rows
    seconds = max(default_seconds(), 5)
    app = create_app()
    with app.app_context():
        _prepare_buyers()
        before = db.session.execute(db.select(Product.stock).filter_by(slug="bench-crystal")).scalar_one()
        orders_before = db.session.execute(db.select(db.func.count()).select_from(Order)).scalar_one()
        db.session.remove()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        start_at = time.time() + 3
        processes = [context.Process(target=_buyer, args=(i, seconds, start_at, results)) for i in range(CONNECTIONS)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(seconds + 60)
        bought = sum(results.values())
    with app.app_context():
        after = db.session.execute(db.select(Product.stock).filter_by(slug="bench-crystal")).scalar_one()
        orders = db.session.execute(db.select(db.func.count()).select_from(Order)).scalar_one() - orders_before
        db.session.remove()
        db.engine.dispose()
    mismatch = abs((before - after) - bought) + abs(orders - bought)
    return Row(
        benchmark=f"shop: wallet purchases of one product ({CONNECTIONS} connections)",
        per_second=bought / seconds,
        errors=mismatch,
        baseline=f"pgbench TPC-B-like, {CONNECTIONS} clients",
        baseline_per_second=pgbench_tps(seconds),
    )
