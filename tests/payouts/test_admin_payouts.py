"""Admin → Payouts: payouts by status and reader, the platform's Stripe balance against what readers
are owed, and sending a failed payout again (audit-logged). Against the loopback Stripe fake."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.models import AuditEntry
from tests.conftest import csrf_token_from
from tests.support.payouts import DAY, activate, earn, page_post, payouts_of, run_jobs


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", consented=True)


@pytest.fixture
def failed_payout(connect_app, stripe_api, redis, reader, make_user, login):
    """Luna's payout that failed for the platform's balance, on DAY."""
    buyer = make_user(role="client", consented=True)
    with clock.frozen(DAY - timedelta(days=4)):
        earn(buyer, reader, 3000)
    with clock.frozen(DAY):
        activate(connect_app, stripe_api, reader)
        stripe_api.balance_available = 1000
        page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
        run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "failed"
    return payout


def test_the_section_shows_payouts_the_balance_and_what_readers_are_owed(connect_app, stripe_api, admin, login,
                                                                         failed_payout):  # fmt: skip
    browser = login(connect_app.test_client(), admin)
    html = browser.get("/admin/payouts").get_data(as_text=True)
    assert 'data-figure="platform-balance">$10.00<' in html  # the fake's available balance
    assert 'data-figure="owed-earnings">$21.00<' in html and 'data-figure="owed-in-transit">$0.00<' in html
    assert "The available Stripe balance is below what readers are owed" in html
    assert "Luna Starling" in html and "balance_insufficient" in html and "Send again" in html
    assert "Failed (1 · $21.00)" in html
    assert stripe_api.requests_to("GET", "/v1/balance")
    # The badge on every admin page: one reader whose latest payout failed.
    assert "1 failed" in browser.get("/admin").get_data(as_text=True)
    paid_only = browser.get("/admin/payouts?status=paid").get_data(as_text=True)
    assert "No payouts paid yet." in paid_only
    mine = browser.get(f"/admin/payouts?reader={failed_payout.user_id}").get_data(as_text=True)
    assert "Payouts: Luna Starling" in mine


def test_send_again_makes_a_new_payout_and_is_audit_logged(connect_app, stripe_api, redis, admin, login, reader,
                                                           failed_payout, db):  # fmt: skip
    stripe_api.balance_available = 10_000_000
    browser = login(connect_app.test_client(), admin)
    token = csrf_token_from(browser.get("/admin/payouts").get_data(as_text=True))
    with clock.frozen(DAY + timedelta(hours=2)):
        response = browser.post(f"/admin/payouts/{failed_payout.id}/retry", data={"csrf_token": token})
        assert response.status_code == 303
        run_jobs(connect_app, redis)
    assert [(p.status, p.trigger) for p in payouts_of(reader)] == [("failed", "on_request"), ("paid", "retry")]
    [entry] = db.session.query(AuditEntry).filter_by(action="payouts.retry").all()
    assert entry.actor_id == admin.id and entry.before["payout"] == failed_payout.id
    assert "1 failed" not in browser.get("/admin").get_data(as_text=True)

    again = browser.post(f"/admin/payouts/{failed_payout.id}/retry", data={"csrf_token": token})
    assert again.status_code == 303
    assert "Only a reader&#39;s latest payout" in browser.get("/admin/payouts").get_data(as_text=True)
    assert len(payouts_of(reader)) == 2


def test_payouts_are_for_admins_only(connect_app, stripe_api, reader, login):
    assert login(connect_app.test_client(), reader).get("/admin/payouts").status_code == 403
    browser = login(connect_app.test_client(), reader)
    token = csrf_token_from(browser.get("/reader/payouts").get_data(as_text=True))
    assert browser.post("/admin/payouts/1/retry", data={"csrf_token": token}).status_code == 403


def test_when_stripe_cannot_be_asked_the_section_says_so(connect_app, stripe_api, admin, login):
    stripe_api.fail_with = (500, "api_error", "Something went wrong on Stripe's end.")
    html = login(connect_app.test_client(), admin).get("/admin/payouts").get_data(as_text=True)
    assert "Stripe could not be asked just now" in html and "No payouts yet." in html
