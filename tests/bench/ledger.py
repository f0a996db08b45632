"""Ledger postings per second beside pgbench's TPC-B-like script on the same embedded PostgreSQL.

A posting here is what a gift or paid reply does: a client wallet debited, split between a reader's
earnings and platform revenue (one idempotent, balanced ledger transaction with limit checks).
Eight worker processes (not threads: the GIL would measure Python, not the ledger) each post for
the same fixed time, every client paying its own reader, all sharing the one platform revenue
account. pgbench then runs its built-in script with 8 clients for the same time on a database of
its own in the same server.

Like pgbench's clients, each process holds its one database connection for the whole run, and
each posting is one transaction on it: `operations.purchase()` through `db.session`, then
`db.session.commit()`, exactly as the product posts. The second row is the same work with the
session taking a connection from the pool for every posting and giving it back at the commit, the
way one request or job per posting would (the pool's pre-ping and the session's set-up included):
the price of the pool beside the price of the ledger.
"""

import multiprocessing
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.bench.load import default_seconds
from tests.bench.table import Row

CONNECTIONS = 8
PGBENCH_DATABASE = "pgbench"


def _poster(index, seconds, start_at, results, hold_connection):
    """One connection posting purchases until its time is up; reports how many it made."""
    from contextlib import nullcontext

    from sqlalchemy.orm import Session

    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.ledger import operations
    from soulseer.models import User

    app = create_app()
    with app.app_context():
        held = db.engine.connect() if hold_connection else nullcontext()
    with app.app_context(), held as connection:
        if connection is not None:
            # db.session in this app context is a session on the held connection: a commit ends
            # the transaction and keeps the connection, as pgbench's clients keep theirs.
            db.session.registry.set(Session(bind=connection))
        # Ids, as a request holds its signed-in user already: the figure is the posting's cost.
        client = db.session.execute(
            db.select(User.id).filter_by(email=f"ledger-client-{index}@example.test")
        ).scalar_one()
        reader = db.session.execute(
            db.select(User.id).filter_by(email=f"ledger-reader-{index}@example.test")
        ).scalar_one()
        count = 0
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            operations.purchase(client, 100, reader, 7000, f"bench:{index}:{count}", ("gift", count), "Bench gift")
            db.session.commit()
            count += 1
        results[index] = count


def _prepare_accounts():
    from soulseer.extensions import db
    from soulseer.ledger import operations
    from soulseer.models import User

    for index in range(CONNECTIONS):
        client = User(email=f"ledger-client-{index}@example.test", display_name=f"Bench client {index}", role="client")
        reader = User(email=f"ledger-reader-{index}@example.test", display_name=f"Bench reader {index}", role="reader")
        db.session.add_all([client, reader])
        db.session.flush()
        operations.credit_topup(client, 10_000_000_00, f"bench:topup:{index}", ("bench", index))
    db.session.commit()


def ledger_postings(seconds, hold_connection=True):
    """Postings per second over CONNECTIONS processes (the schema was rebuilt for this run; the
    accounts are made by the first row and used again by the second)."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import User

    app = create_app()
    with app.app_context():
        if not db.session.execute(db.select(User.id).filter_by(email="ledger-client-0@example.test")).first():
            _prepare_accounts()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        start_at = time.time() + 3  # every process connected and warm before the clock starts
        processes = [
            context.Process(target=_poster, args=(i, seconds, start_at, results, hold_connection))
            for i in range(CONNECTIONS)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(seconds + 60)
        total = sum(results.values())
    return total / seconds


def _pg_tools_and_socket():
    import pgserver

    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    url = urlsplit(os.environ["TEST_DATABASE_URL"])
    socket_dir = parse_qs(url.query)["host"][0]
    return bin_dir, socket_dir


def pgbench_tps(seconds):
    bin_dir, socket_dir = _pg_tools_and_socket()
    common = ["-h", socket_dir, "-U", "postgres"]
    subprocess.run([bin_dir / "dropdb", *common, "--if-exists", PGBENCH_DATABASE], check=True)
    subprocess.run([bin_dir / "createdb", *common, PGBENCH_DATABASE], check=True)
    subprocess.run([bin_dir / "pgbench", *common, "-i", "-s", "1", "-q", PGBENCH_DATABASE], check=True,
                   capture_output=True)  # fmt: skip
    run = subprocess.run(
        [bin_dir / "pgbench", *common, "-c", str(CONNECTIONS), "-j", "2", "-T", str(int(seconds)), "-n",
         PGBENCH_DATABASE],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    match = re.search(r"tps = ([0-9.]+)", run.stdout)
    return float(match.group(1))


def _row(name, hold_connection, servers):
    """A ledger row: the database alone, so the live servers are stopped first."""
    servers.close()
    seconds = max(default_seconds(), 5)
    postings = ledger_postings(seconds, hold_connection)
    tps = pgbench_tps(seconds)
    return Row(
        benchmark=name,
        per_second=postings,
        baseline=f"pgbench TPC-B-like, {CONNECTIONS} clients",
        baseline_per_second=tps,
    )


def ledger_beside_pgbench(servers):
    return _row(f"ledger postings ({CONNECTIONS} connections)", True, servers)


def ledger_pool_checkout_beside_pgbench(servers):
    return _row(f"ledger postings, a pool checkout per posting ({CONNECTIONS} connections)", False, servers)
