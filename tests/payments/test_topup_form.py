"""The top-up form: presets and custom amounts accepted; anything else gets a field error and
stores nothing. (Test payments are on here: a valid amount leads to the TEST checkout page.)"""

import re

import pytest

from soulseer.models import Topup
from soulseer.services.payments import topups
from tests.conftest import csrf_token_from


@pytest.fixture
def browser(app, make_user, login):
    return login(app.test_client(), make_user(role="client", consented=True))


def submit(browser, **data):
    token = csrf_token_from(browser.get("/wallet/topups/new").get_data(as_text=True))
    return browser.post("/wallet/topups", data={"csrf_token": token, **data})


def stored(db):
    db.session.expire_all()
    return [(t.amount_cents, t.status) for t in db.session.query(Topup).order_by(Topup.id)]


def test_the_form_offers_the_presets_as_pills_and_another_amount(browser):
    page = browser.get("/wallet/topups/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for value, label in (("1000", "$10"), ("2500", "$25"), ("5000", "$50"), ("10000", "$100")):
        assert re.search(rf'<input id="preset-\d" name="preset" type="radio" value="{value}">\s*<span>\{label}</span>',
                         html)  # fmt: skip
    assert 'name="custom_amount"' in html and 'inputmode="decimal"' in html
    assert "<legend" in html and "Choose an amount" in html
    assert "Your balance: <strong" in html and "$0.00" in html


@pytest.mark.parametrize("preset", ["1000", "2500", "5000", "10000"])
def test_each_preset_starts_a_top_up(browser, db, preset):
    response = submit(browser, preset=preset)
    assert response.status_code == 303
    assert re.fullmatch(r"/wallet/test-checkout/\d+", response.headers["Location"])
    assert stored(db) == [(int(preset), "pending")]


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("5", 500), ("12.50", 1250), ("$20", 2000), (" 37.5 ", 3750), ("1,000", 100000), ("1000.00", 100000)],
)
def test_another_amount_from_5_to_1000_dollars_is_accepted(browser, db, typed, cents):
    response = submit(browser, custom_amount=typed, preset="2500")  # a typed amount wins over a pill
    assert response.status_code == 303
    assert stored(db) == [(cents, "pending")]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4.99", "Choose an amount from $5.00 to $1,000.00."),
        ("1000.01", "Choose an amount from $5.00 to $1,000.00."),
        ("-5", "Choose an amount from $5.00 to $1,000.00."),
        ("0", "Choose an amount from $5.00 to $1,000.00."),
        ("abc", "Enter an amount in dollars, like 20 or 12.50."),
        ("12.345", "Enter an amount in dollars, like 20 or 12.50."),
        ("1e3", "Enter an amount in dollars, like 20 or 12.50."),
        ("9" * 30, "Enter an amount in dollars, like 20 or 12.50."),
    ],
)
def test_a_bad_amount_gets_a_field_error_and_stores_nothing(browser, db, typed, message):
    response = submit(browser, custom_amount=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-error" id="custom_amount-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html
    assert f'value="{typed}"' in html  # what was typed stays in the field
    assert stored(db) == []


@pytest.mark.parametrize("data", [{}, {"preset": "3000"}, {"preset": "abc"}])
def test_no_amount_or_an_unknown_preset_gets_an_error_and_stores_nothing(browser, db, data):
    response = submit(browser, **data)
    assert response.status_code == 422
    assert "Choose an amount, or type another amount." in response.get_data(as_text=True)
    assert stored(db) == []


def test_the_service_checks_amounts_itself(app_context):
    assert topups.validate_amount(500) == 500 and topups.validate_amount(10000) == 10000
    for bad in (499, 100001, -2500, 0, 25.0, "2500", True, None):
        with pytest.raises(topups.TopupError):
            topups.validate_amount(bad)


def test_only_signed_in_clients_top_up(app, make_user, login, db):
    anonymous = app.test_client()
    response = anonymous.get("/wallet/topups/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    reader = login(app.test_client(), make_user(role="reader", consented=True))
    assert reader.get("/wallet/topups/new").status_code == 403
    token = csrf_token_from(reader.get("/").get_data(as_text=True))
    assert reader.post("/wallet/topups", data={"csrf_token": token, "preset": "2500"}).status_code == 403
    assert stored(db) == []


def test_without_a_csrf_token_nothing_is_stored(browser, db):
    assert browser.post("/wallet/topups", data={"preset": "2500"}).status_code == 400
    assert stored(db) == []


def test_top_ups_are_rate_limited_per_user(browser, db):
    token = csrf_token_from(browser.get("/wallet/topups/new").get_data(as_text=True))
    codes = [browser.post("/wallet/topups", data={"csrf_token": token, "preset": "1000"}).status_code
             for _ in range(11)]  # fmt: skip
    assert codes == [303] * 10 + [429]
    assert len(stored(db)) == 10
