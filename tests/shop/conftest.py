"""The shop's tests: money tests end with `flask ledger verify`, and parallel buyers use real
connections (tests/ledger/conftest.py)."""

import pytest

from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from tests.community.conftest import writer  # noqa: F401  (a signed-in test client with its CSRF token)
from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401
from tests.payments.conftest import http_server, stripe_api  # noqa: F401  (the loopback Stripe fake, this app on a port)
from tests.support.shop import digital_product, physical_product
from tests.support.stripe_fake import API_KEY

ADDRESS = {
    "ship_name": "Cass Moon",
    "ship_line1": "1 Main St",
    "ship_line2": "",
    "ship_city": "Springfield",
    "ship_region": "IL",
    "ship_postal_code": "62701",
    "ship_country": "US",
}


@pytest.fixture
def with_stripe(app, stripe_api, monkeypatch):  # noqa: F811
    """Stripe configured, pointed at the loopback fake (tests/support/stripe_fake.py)."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", API_KEY)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stripe_api.url)
    return stripe_api


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", consented=True)


@pytest.fixture
def funded(make_user):
    """funded(cents) -> a consented client whose wallet holds `cents`."""
    count = {"n": 0}

    def make(cents=10_000, **fields):
        count["n"] += 1
        client = make_user(role="client", consented=True, **fields)
        if cents:
            operations.credit_topup(client, cents, keys.topup(f"cs_shop_{client.id}"), ("topup", client.id))
            database.session.commit()
        return client

    return make


@pytest.fixture
def guide(admin):
    return digital_product(admin)


@pytest.fixture
def crystal(admin):
    return physical_product(admin)


def buy_form(page, **fields):
    return {"csrf_token": page.csrf, "request_key": fields.pop("request_key", "form-1"), **fields}
