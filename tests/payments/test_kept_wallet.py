"""A client's wallet page is kept for her and answered before Flask (soulseer/signed_in_responses.py;
docs/wallet.md, "The wallet page, kept"): never once a posting has moved her wallet, nor once her
wallet was frozen or freed; only for the page's own query; the page kept is the page Flask draws."""

import re

import pytest

from soulseer.extensions import db as database
from soulseer.ledger import operations
from tests.support.browse import Statements
from tests.test_signed_in_responses import MOVED, _before, _kept, _post, _sign_in

FROZEN = "Spending is paused"


def _amount(html):
    return re.search(r'<p class="balance-amount">([^<]+)</p>', html).group(1)


def _flask(browser, path="/wallet"):
    """Her next load, which must be Flask's (it runs SQL): returns its HTML."""
    with Statements() as statements:
        response = browser.get(path)
    assert response.status_code == 200
    assert statements.seen, "a wallet whose figures moved is drawn again"
    return response.get_data(as_text=True)


@pytest.fixture
def buyer(make_user, db):
    """Cleo, with $20.00 from one top-up (MOVED's figures start there)."""
    cleo = make_user(role="client", consented=True, display_name="Cleo")
    operations.credit_topup(cleo, 2_000, f"topup:first:{cleo.id}", ("topup", cleo.id))
    database.session.commit()
    return cleo


@pytest.fixture
def browser(client, buyer):
    return _sign_in(client, buyer)


def test_her_wallet_page_is_kept_and_is_the_page_flask_draws(app, browser):
    kept = _kept(browser, "/wallet")
    assert _amount(kept) == "$20.00" and "Wallet top-up" in kept
    app.config["BROWSE_CACHE_SECONDS"], seconds = 0, app.config["BROWSE_CACHE_SECONDS"]
    try:
        drawn = browser.get("/wallet").get_data(as_text=True)
    finally:
        app.config["BROWSE_CACHE_SECONDS"] = seconds
    assert drawn == kept


@pytest.mark.parametrize("kind", list(MOVED))
def test_every_kind_of_posting_is_on_her_wallet_page_at_once(kind, client, db, buyer, make_user):
    reader, admin = make_user(role="reader", consented=True), make_user(role="admin", consented=True)
    _before(kind, buyer, reader)
    db.session.commit()
    browser = _sign_in(client, buyer)
    before, after = MOVED[kind]
    assert _amount(_kept(browser, "/wallet")) == before
    _post(kind, buyer, reader, admin)
    db.session.commit()
    assert _amount(_flask(browser)) == after
    assert _amount(_kept(browser, "/wallet")) == after


def test_a_freeze_and_its_lifting_are_seen_at_once(browser, buyer):
    assert FROZEN not in _kept(browser, "/wallet")
    operations.freeze(buyer)  # a dispute with nothing left to take back freezes without a posting
    database.session.commit()
    assert FROZEN in _flask(browser)
    assert FROZEN in _kept(browser, "/wallet")
    assert operations.lift_freeze(buyer)
    database.session.commit()
    assert FROZEN not in _flask(browser)


def test_each_filter_and_page_is_kept_apart_and_other_queries_go_to_flask(browser):
    everything = _kept(browser, "/wallet")
    spent = _kept(browser, "/wallet?kind=readings&direction=out")
    assert "Wallet top-up" in everything and "Wallet top-up" not in spent
    for path, headers in (
        ("/wallet?utm_source=mail", {}),  # not a query of the page's own
        ("/wallet?page=1&page=2", {}),  # an argument twice
        ("/wallet", {"HX-Request": "true"}),  # the filters' HTMX requests
    ):
        browser.get(path, headers=headers)
        with Statements() as statements:
            assert browser.get(path, headers=headers).status_code == 200
        assert statements.seen, path
