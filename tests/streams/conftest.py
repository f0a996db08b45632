"""A reader who streams (Luna, with a listed profile), viewers (Nova, Orla), Agora configured with
credentials of Agora's shape, money to send gifts, and what the event streams carry."""

from datetime import UTC, datetime

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import ReaderProfile
from soulseer.services.streams import lifecycle
from tests.conftest import csrf_token_from
from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401

APP_ID = "0123456789abcdef0123456789abcdef"
CERTIFICATE = "fedcba9876543210fedcba9876543210"
START = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)


@pytest.fixture
def agora_configured(app):
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERTIFICATE=CERTIFICATE)
    yield
    app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")


@pytest.fixture
def frozen():
    with clock.frozen(START):
        yield


@pytest.fixture
def luna(make_user):
    user = make_user(role="reader", consented=True, display_name="Luna")
    database.session.add(
        ReaderProfile(
            user_id=user.id, slug="luna", display_name="Luna", bio="I read tarot. " * 5, rate_chat_cents=100,
            status="online",
        )
    )  # fmt: skip
    database.session.commit()
    return user


@pytest.fixture
def nova(make_user):
    return make_user(role="client", consented=True, display_name="Nova")


@pytest.fixture
def orla(make_user):
    return make_user(role="client", consented=True, display_name="Orla")


def fund(user, cents, name=None):
    name = name or f"cs_fund_{user.id}_{cents}"
    operations.credit_topup(user, cents, keys.topup(name), ("topup", abs(hash(name)) % 1_000_000))
    database.session.commit()


def live_stream(reader, title="Tarot by candlelight"):
    """A public stream of `reader`, live now."""
    stream = lifecycle.create(reader, title)
    database.session.commit()
    lifecycle.go_live(reader, stream.id)
    database.session.commit()
    return stream


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> (a test client signed in as user, its CSRF token)."""

    def make(user):
        browser = login(app.test_client(), user)
        token = csrf_token_from(browser.get("/live").get_data(as_text=True))
        return browser, token

    return make
