"""Payouts tests are money tests: `flask ledger verify` after each (tests/ledger/conftest.py)."""

import pytest

from soulseer import create_app
from tests.conftest import IsolatedClient
from tests.ledger.conftest import _ledger_verified_after_each_test, pytest_configure, run_in_parallel  # noqa: F401
from tests.payments.conftest import http_server, stripe_api  # noqa: F401
from tests.support.stripe_fake import API_KEY

CONNECT_SECRET = "whsec_test_connect_endpoint_secret"


@pytest.fixture
def connect_app(app, stripe_api):  # noqa: F811 (the fixture imported above)
    """SoulSeer with Stripe keys, pointed at the loopback fake of Stripe's API."""
    configured = create_app(
        {
            "TESTING": True,
            "STRIPE_SECRET_KEY": API_KEY,
            "STRIPE_API_BASE": stripe_api.url,
            "STRIPE_WEBHOOK_SECRET": "whsec_test_endpoint_secret",
            "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_SECRET,
            "TEST_PAYMENTS_ENABLED": False,
        }
    )
    configured.test_client_class = IsolatedClient
    return configured


@pytest.fixture
def reader(make_user):
    return make_user(role="reader", email="luna@example.test", display_name="Luna Starling", consented=True)
