"""Test harness: real PostgreSQL and Redis (embedded), schema built by running the migrations.

Each test starts from empty tables and an empty application keyspace in Redis (truncation, so
tests may use several real connections, threads and a live server at once).
"""

import contextvars
import os
import re
import signal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from redis import Redis

from soulseer.config import PROJECT_ROOT
from tests.support.database import empty_all_tables

# SOULSEER_TEST_INSTANCE gives a separate pair of embedded servers (engineers testing side by side).
TEST_INSTANCE = Path(os.environ.get("SOULSEER_TEST_INSTANCE") or PROJECT_ROOT / "instance" / "test")
# Under pytest-xdist each worker (gw0, gw1...) has a pair of servers and an instance folder of its
# own, so workers share nothing: not tables, Redis keys, heartbeats, nor uploaded files.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if XDIST_WORKER:
    TEST_INSTANCE = TEST_INSTANCE / XDIST_WORKER
# The benchmarks set SOULSEER_TEST_DATABASE so they never drop the database a test run is using.
TEST_DATABASE = os.environ.get("SOULSEER_TEST_DATABASE", "soulseer_test")


def _start_services():
    """Embedded servers for the whole session; their URLs go into the environment for children."""
    from soulseer import embedded

    TEST_INSTANCE.mkdir(parents=True, exist_ok=True)
    # URLs given from outside are kept (a CI service), except those a run's controller found for
    # its own instance: a worker inherits the controller's environment and needs its own servers.
    if os.environ.get("SOULSEER_TEST_URLS_FOR", str(TEST_INSTANCE)) != str(TEST_INSTANCE):
        for name in ("TEST_DATABASE_URL", "TEST_REDIS_URL"):
            os.environ.pop(name, None)
    if not os.environ.get("TEST_DATABASE_URL"):
        os.environ["TEST_DATABASE_URL"] = embedded.postgres_url(TEST_INSTANCE, database=TEST_DATABASE)
    if not os.environ.get("TEST_REDIS_URL"):
        os.environ["TEST_REDIS_URL"] = embedded.redis_url(TEST_INSTANCE)
    os.environ["SOULSEER_TEST_URLS_FOR"] = str(TEST_INSTANCE)
    os.environ.update(
        {
            "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
            "REDIS_URL": os.environ["TEST_REDIS_URL"],
            "SOULSEER_ENV": "test",
            "SOULSEER_INSTANCE": str(TEST_INSTANCE),
            "SECRET_KEY": "test-secret-key-not-for-production",
        }
    )
    for name in ("STRIPE_SECRET_KEY", "AUTH0_DOMAIN", "AGORA_APP_ID", "S3_BUCKET"):
        os.environ.pop(name, None)  # the embedded defaults, unless a test sets them


_start_services()
# The live server (browser tests, benchmarks) uses its own Redis database, so its worker and cron
# heartbeats never reach the unit tests that judge health from heartbeats.
LIVE_REDIS_URL = os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0] + "/1"


def _rebuild_schema(app):
    """Drop everything and run the migrations from zero, exactly as a new deployment would."""
    from flask_migrate import upgrade

    from soulseer.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            # A commit of the test database does not wait for its WAL to reach the disk: a crash
            # could lose the last test's writes, which nobody needs; the benchmarks' database keeps
            # the default. New connections take it (the live servers' too).
            conn.execute(sa.text(f'ALTER DATABASE "{TEST_DATABASE}" SET synchronous_commit = off'))
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        db.engine.dispose()
        upgrade()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in a real server: it gets its own app context, `g`
    and database session, even while the test holds an app context of its own (the `db` fixture).
    Otherwise requests would share `g` (the signed-in user, the CSRF token) with the test and with
    each other."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app():
    from soulseer import create_app

    application = create_app({"TESTING": True})
    application.test_client_class = IsolatedClient
    _rebuild_schema(application)
    return application


@pytest.fixture(autouse=True)
def _live_servers_only_for_browser_tests(request):
    """A browser test's live servers run; for any other test they stand still (tests/support/
    live_server.py, RUNNING: their cron would bill this test's readings on the real clock)."""
    from tests.support import live_server

    browser_test = request.node.get_closest_marker("e2e") is not None
    for server in list(live_server.RUNNING):
        if browser_test:
            server.resume()
        else:
            server.pause()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty tables and application Redis keys after every test, and put the clock back: a test
    that advanced it outside `clock.frozen` would otherwise move it for every later test."""
    yield
    from soulseer import clock

    clock.reset()
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    from soulseer.extensions import db, get_redis

    with application.app_context():
        db.session.remove()
        empty_all_tables(db.engine)
        get_redis().flushdb()
        empty_live_redis()


def empty_live_redis():
    """The live server's Redis as a new deployment's: RQ's registrations and the live processes'
    heartbeats kept; our data, the limiter's counters and queued jobs dropped."""
    live = Redis.from_url(LIVE_REDIS_URL)
    for pattern in ("soulseer:*", "LIMITS*", "rq:queue:*"):
        keys = [k for k in live.scan_iter(match=pattern, count=500) if not k.startswith(b"soulseer:heartbeat:")]
        if keys:
            live.delete(*keys)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def db(app_context):
    from soulseer.extensions import db as database

    yield database
    database.session.remove()


@pytest.fixture
def redis(app_context):
    from soulseer.extensions import get_redis

    return get_redis()


@pytest.fixture
def tabs(redis):
    """What the event stream carries from now on, as every open tab would get it:
    tabs(wait=0.3) -> [(user id, a list of ids, or None for everyone, event, html)] since the
    fixture began."""
    import json
    import time

    from soulseer.services.core import events

    subscription = redis.pubsub()
    subscription.subscribe(events.CHANNEL)
    subscription.get_message(timeout=1)  # the subscribe confirmation
    seen = []

    def received(wait=0.3):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            message = subscription.get_message(timeout=0.05)
            if message and message["type"] == "message":
                data = json.loads(message["data"])
                # One message may carry several events (events.publish_public with pairs).
                for event, html in data["events"] if "events" in data else [(data["event"], data["html"])]:
                    seen.append((data["to"], event, html))
        return list(seen)

    yield received
    subscription.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    """Factory: make_user(role="reader", email=..., display_name=...) -> a committed User."""
    from soulseer.models import User

    counter = {"n": 0}

    def factory(role="client", email=None, display_name=None, consented=False, **fields):
        """consented=True: 18+ confirmed, current Terms (and for readers the Reader agreement)
        accepted, so pages open without the consent step."""
        from soulseer import clock
        from soulseer.models import AgreementAcceptance
        from soulseer.services import accounts

        counter["n"] += 1
        n = counter["n"]
        if consented:
            now = clock.now()
            fields = {
                "adult_confirmed_at": now,
                "terms_version": accounts.current_terms_version(),
                "terms_accepted_at": now,
                **fields,
            }
        user = User(
            email=(email or f"{role}{n}@example.test").lower(),
            display_name=display_name or f"{role.title()} {n}",
            role=role,
            **fields,
        )
        db.session.add(user)
        db.session.flush()
        if consented and role == "reader":
            db.session.add(
                AgreementAcceptance(
                    user_id=user.id, page_slug="reader-agreement", version=accounts.reader_agreement_version()
                )
            )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def buyer(make_user, db):
    """Cleo, a consented client with $20.00 from one top-up (the kept pages' tests: the figures of
    tests/test_signed_in_responses.MOVED start there). Some test modules have a `buyer` of their own."""
    from soulseer.ledger import operations

    cleo = make_user(role="client", consented=True, display_name="Cleo")
    operations.credit_topup(cleo, 2_000, f"topup:first:{cleo.id}", ("topup", cleo.id))
    db.session.commit()
    return cleo


@pytest.fixture
def login(app):
    """login(client, user): sign the test client in as `user` (the way Flask-Login keeps it)."""

    def sign_in(test_client, user):
        with test_client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return test_client

    return sign_in


# A signed-in page carries the token in the body's hx-headers; a form for visitors in its hidden field.
CSRF_PATTERN = re.compile(r'"X-CSRFToken": "([^"]+)"|name="csrf_token"[^>]*? value="([^"]+)"')


def csrf_token_from(html):
    """The CSRF token a rendered page carries."""
    match = CSRF_PATTERN.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1) or match.group(2)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_configure(config):
    """`timeout`, CI runners and process managers stop a run with SIGTERM: end it the way Ctrl-C
    does, so the session's fixtures are torn down — above all the live servers' web, worker and cron
    processes, which would otherwise keep running (and billing, on the real clock) after the run."""
    signal.signal(signal.SIGTERM, _interrupt)


ARTIFACTS = Path(PROJECT_ROOT / "test-artifacts")


@pytest.fixture
def post_form(app):
    """post_form(client, url, data): POST like the browser does, with a page's CSRF token."""
    from tests.support.forms import post_with_csrf

    return post_with_csrf


@pytest.fixture
def outbox(db):
    """outbox(): the emails stored so far, oldest first."""
    from soulseer.models import OutboundEmail

    def emails():
        db.session.expire_all()
        return db.session.query(OutboundEmail).order_by(OutboundEmail.id).all()

    return emails


def link_in(email):
    """The first http(s) link in an email's body."""
    match = re.search(r"https?://\S+", email.body_text)
    assert match, f"no link in {email.subject!r}"
    return match.group(0)
