"""Payments tests are money tests: `flask ledger verify` after each, real parallel connections (tests/ledger)."""

import pytest
from werkzeug.serving import make_server

from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401
from tests.support.servers import serve_in_background
from tests.support.stripe_fake import StripeFake


@pytest.fixture
def stripe_api():
    """The loopback fake of Stripe's API (tests/support/stripe_fake.py)."""
    fake = StripeFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def http_server(app):
    """This very app on a real loopback port, so the TEST checkout can reach /webhooks/stripe."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = serve_in_background(server)
    # "localhost": the test client keeps its session cookie for that name (ports do not matter).
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(5)
