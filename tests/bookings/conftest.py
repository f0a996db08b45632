"""Luna, a reader in New York who takes bookings; Nova, a client in London with money.

Every money test here ends with `flask ledger verify` (tests/ledger/conftest.py)."""

from datetime import UTC, datetime

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import BookingSettings
from soulseer.services.bookings import availability
from tests.conftest import csrf_token_from
from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401
from tests.support.marketplace import make_profile

# Monday 7 December 2026, 12:00 UTC (07:00 in New York, 12:00 in London).
MONDAY_NOON = datetime(2026, 12, 7, 12, tzinfo=UTC)
WEEKDAYS_9_TO_17 = {day: "9:00-17:00" for day in range(5)}


def luna_takes_bookings(user, **changes):
    data = availability.AvailabilityInput(
        time_zone="America/New_York",
        lengths=[30, 60],
        prices={},
        notice_minutes=120,
        horizon_days=60,
        buffer_minutes=10,
        weekly=WEEKDAYS_9_TO_17,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    availability.save(user, data)
    database.session.commit()


@pytest.fixture
def frozen_monday():
    with clock.frozen(MONDAY_NOON):
        yield MONDAY_NOON


@pytest.fixture
def luna(make_user):
    """Chat at $0.50 a minute: 30 minutes cost $15.00, 60 minutes $30.00."""
    user = make_user(role="reader", consented=True, display_name="Luna Starweaver")
    make_profile(user, "Luna Starweaver", status="offline", chat="0.50")
    luna_takes_bookings(user)
    return user


@pytest.fixture
def short_luna(luna):
    """Luna offers 15 minutes at her rate: $0.50 × 15 = $7.50."""
    settings = database.session.get(BookingSettings, luna.id)
    settings.lengths = [15, 30, 60]
    database.session.commit()
    return luna


@pytest.fixture
def nova(make_user):
    user = make_user(role="client", consented=True, display_name="Nova", time_zone="Europe/London")
    operations.credit_topup(user, 10_000, keys.topup(f"cs_nova_{user.id}"), ("topup", user.id))
    database.session.commit()
    return user


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> (a test client signed in as user, its CSRF token)."""

    def make(user):
        browser = login(app.test_client(), user)
        token = csrf_token_from(browser.get("/bookings").get_data(as_text=True))
        return browser, token

    return make
