"""A client's wallet page is kept for her and answered before Flask (soulseer/signed_in_responses.py;
docs/wallet.md, "The wallet page, kept"): never once her wallet was frozen or freed (each kind of
posting: tests/test_signed_in_responses.py); only for the page's own query; the page kept is the
page Flask draws."""

import pytest

from soulseer.extensions import db as database
from soulseer.ledger import operations
from tests.support.browse import Statements
from tests.test_signed_in_responses import _amount, _drawn_again, _drawn_by_flask, _kept, _sign_in

FROZEN = "Spending is paused"


@pytest.fixture
def browser(client, buyer):
    return _sign_in(client, buyer)


def test_her_wallet_page_is_kept_and_is_the_page_flask_draws(app, browser):
    kept = _kept(browser, "/wallet")
    assert _amount(kept) == "$20.00" and "Wallet top-up" in kept
    assert _drawn_by_flask(app, browser, "/wallet") == kept


def test_a_freeze_and_its_lifting_are_seen_at_once(browser, buyer):
    assert FROZEN not in _kept(browser, "/wallet")
    operations.freeze(buyer)  # a dispute with nothing left to take back freezes without a posting
    database.session.commit()
    assert FROZEN in _drawn_again(browser, "/wallet")
    assert FROZEN in _kept(browser, "/wallet")
    assert operations.lift_freeze(buyer)
    database.session.commit()
    assert FROZEN not in _drawn_again(browser, "/wallet")


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
