"""Payouts: "Pay me now" and the daily run make one Stripe Transfer per payout, never two — with
real parallel workers, a timeout retried with the same key, a lost answer found by reconciliation
after 24 hours — and every failure leaves the ledger exact. Against the loopback fake of Stripe's
API; the real RQ worker; `flask ledger verify` after each test (tests/ledger/conftest.py)."""

import json
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import accounts, reads, verify
from soulseer.ledger.models import LedgerTransaction
from soulseer.models import AuditEntry, Notification, Payout
from soulseer.services.payouts import sending, transfers
from tests.payouts.conftest import CONNECT_SECRET
from tests.support.payouts import DAY, activate, deliver_connect, earn, page_post, payouts_of, run_jobs
from tests.support.stripe_fake import connect_event, event, signed_delivery


@pytest.fixture
def buyer(make_user):
    return make_user(role="client", consented=True)


@pytest.fixture
def frozen_day():
    with clock.frozen(DAY):
        yield DAY


@pytest.fixture
def ready(connect_app, stripe_api, reader, buyer, frozen_day):
    """Luna, active, with $21.00 cleared and $7.00 clearing."""
    with clock.frozen(DAY - timedelta(days=4)):
        earn(buyer, reader, 3000)
    earn(buyer, reader, 1000)
    return activate(connect_app, stripe_api, reader)


def money_of(user):
    return (
        reads.balance(accounts.earnings_spec(user)),
        reads.entries_total(accounts.in_transit_spec(user))[0],
        reads.entries_total(accounts.paid_spec(user))[0],
    )


# --- "Pay me now" -----------------------------------------------------------------------------------


def test_pay_me_now_sends_her_available_earnings_in_one_transfer(connect_app, stripe_api, redis, reader, login,
                                                                 ready, db):  # fmt: skip
    browser = login(connect_app.test_client(), reader)
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Pay me now" in page and "Sends $21.00 now" in page

    response = page_post(browser, "/reader/payouts/now")
    assert response.status_code == 303
    [payout] = payouts_of(reader)
    assert (payout.status, payout.amount_cents, payout.trigger) == ("pending", 2100, "on_request")
    assert money_of(reader) == (700, 2100, 0)  # earnings → in transit before Stripe is asked
    assert stripe_api.requests_to("POST", "/v1/transfers") == []  # after the commit, by the job
    assert "On its way" in browser.get("/reader/payouts").get_data(as_text=True)

    run_jobs(connect_app, redis)
    [sent] = stripe_api.requests_to("POST", "/v1/transfers")
    assert sent.headers["Idempotency-Key"] == f"payout-{payout.id}"
    assert sent.form["amount"] == "2100" and sent.form["currency"] == "usd"
    assert sent.form["destination"] == ready and sent.form["transfer_group"] == f"payout_{payout.id}"
    assert sent.form["metadata[payout_id]"] == str(payout.id)
    [payout] = payouts_of(reader)
    [transfer] = stripe_api.transfers.values()
    assert (payout.status, payout.stripe_transfer_id) == ("paid", transfer["id"])
    assert money_of(reader) == (700, 0, 2100)
    told = db.session.query(Notification).filter_by(user_id=reader.id, kind="payout").all()
    assert any("$21.00 is on its way" in n.text for n in told)
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Sent to your Stripe account" in page and 'data-figure="paid-this-year">$21.00<' in page
    assert 'data-figure="available">$0.00<' in page and "Pay me now" not in page
    card = re.search(r'<section class="card stack" aria-labelledby="payouts-card-title">.*?</section>',
                     browser.get("/reader").get_data(as_text=True), re.S).group(0)  # fmt: skip
    assert re.search(r"Paid out this year</dt><dd>\$21\.00<", card)
    # The year's total is the calendar year's (UTC): on New Year's Day it starts again, the total stays.
    with clock.frozen(datetime(DAY.year + 1, 1, 1, 0, 0, 1, tzinfo=UTC)):
        page = browser.get("/reader/payouts").get_data(as_text=True)
        card = browser.get("/reader").get_data(as_text=True)
    assert 'data-figure="paid-this-year">$0.00<' in page and "$21.00 in all" in page
    assert re.search(r"Paid out this year</dt><dd>\$0\.00<", card)


def test_pay_me_now_works_once_a_day(connect_app, stripe_api, redis, reader, buyer, login, ready):
    browser = login(connect_app.test_client(), reader)
    page_post(browser, "/reader/payouts/now")
    run_jobs(connect_app, redis)
    with clock.frozen(DAY - timedelta(days=4)):
        earn(buyer, reader, 3000)  # cleared again: $21.00 available
    again = page_post(browser, "/reader/payouts/now")
    assert again.status_code == 429 and int(again.headers["Retry-After"]) == 24 * 3600
    assert "once a day" in again.get_data(as_text=True)
    with clock.frozen(DAY + timedelta(hours=24)):
        assert page_post(browser, "/reader/payouts/now").status_code == 303
        run_jobs(connect_app, redis)
    assert [p.status for p in payouts_of(reader)] == ["paid", "paid"]


def test_pay_me_now_needs_15_dollars_available(connect_app, stripe_api, reader, buyer, login, frozen_day):
    activate(connect_app, stripe_api, reader)
    with clock.frozen(DAY - timedelta(days=4)):
        earn(buyer, reader, 2100)  # $14.70 cleared
    earn(buyer, reader, 5000)  # clearing: does not count
    response = page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    assert response.status_code == 422
    assert "Payouts start from $15.00 available; you have $14.70." in response.get_data(as_text=True)
    assert payouts_of(reader) == [] and stripe_api.requests_to("POST", "/v1/transfers") == []


def test_pay_me_now_needs_an_active_account(connect_app, stripe_api, reader, buyer, login, frozen_day):
    with clock.frozen(DAY - timedelta(days=4)):
        earn(buyer, reader, 3000)
    response = page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    assert response.status_code == 422 and "Finish setting up payouts" in response.get_data(as_text=True)
    assert payouts_of(reader) == []


def test_one_payout_in_flight_at_a_time(connect_app, stripe_api, redis, reader, login, ready):
    with connect_app.app_context():
        transfers.start(reader, "daily", DAY)
        database.session.commit()
    response = page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    assert response.status_code == 409 and "already on its way" in response.get_data(as_text=True)
    run_jobs(connect_app, redis)
    assert [p.status for p in payouts_of(reader)] == ["paid"]


# --- the daily run --------------------------------------------------------------------------------


def test_the_daily_run_under_two_workers_pays_each_eligible_reader_once(connect_app, stripe_api, redis, make_user,
                                                                        buyer, frozen_day):  # fmt: skip
    readers = [make_user(role="reader", consented=True) for _ in range(8)]
    for user in readers:
        activate(connect_app, stripe_api, user)
    with clock.frozen(DAY - timedelta(days=4)):
        for user in readers[:6]:
            earn(buyer, user, 3000)  # $21.00 cleared: eligible
        earn(buyer, readers[6], 1000)  # $7.00: below $15
    earn(buyer, readers[7], 5000)  # $35.00, all clearing: not yet
    barrier, results = threading.Barrier(2), []

    def worker():
        with connect_app.app_context():
            barrier.wait()
            results.append(transfers.tick(DAY))
            database.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    run_jobs(connect_app, redis)

    assert sorted(results) != [] and sum(results) == 7  # each reader over $15 looked at once (6 + the clearing one)
    for user in readers[:6]:
        [payout] = payouts_of(user)
        assert (payout.status, payout.amount_cents, payout.trigger) == ("paid", 2100, "daily")
    assert all(payouts_of(user) == [] for user in readers[6:])
    destinations = [t["destination"] for t in stripe_api.transfers.values()]
    assert len(destinations) == 6 == len(set(destinations))  # the fake's record: no double transfer

    with connect_app.app_context():  # later ticks that day change nothing
        assert transfers.tick(DAY + timedelta(hours=3)) == 0
    assert len(stripe_api.transfers) == 6


def _eligible_readers(connect_app, stripe_api, make_user, buyer, n):
    readers = [make_user(role="reader", consented=True) for _ in range(n)]
    for user in readers:
        activate(connect_app, stripe_api, user)
    with clock.frozen(DAY - timedelta(days=4)):
        for user in readers:
            earn(buyer, user, 3000)  # $21.00 cleared
    return readers


def test_two_workers_sending_the_same_payouts_at_once_make_one_transfer_each(connect_app, stripe_api, redis,
                                                                            make_user, buyer, frozen_day):  # fmt: skip
    readers = _eligible_readers(connect_app, stripe_api, make_user, buyer, 6)
    with connect_app.app_context():
        assert transfers.tick(DAY) == 6  # the payouts made; their job is queued, and run last
        ids = list(database.session.scalars(sa.select(Payout.id).order_by(Payout.id)))
        database.session.remove()
    barrier, results = threading.Barrier(2), []

    def worker(order):
        with connect_app.app_context():  # each its own database connections, as two RQ workers
            barrier.wait()
            results.append(sending.send_many(order))
            database.session.remove()

    threads = [threading.Thread(target=worker, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    run_jobs(connect_app, redis)  # the queued job finds them paid

    assert len(results) == 2 and {**results[0], **results[1]} == dict.fromkeys(ids, "paid")
    for user in readers:
        [payout] = payouts_of(user)
        assert payout.status == "paid" and payout.attempts == 1
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 6  # each sent by one worker
    destinations = [t["destination"] for t in stripe_api.transfers.values()]
    assert len(destinations) == 6 == len(set(destinations))
    with connect_app.app_context():
        told = sa.select(Notification.user_id).where(Notification.text.like("%is on its way%"))
        assert sorted(database.session.scalars(told)) == sorted(user.id for user in readers)  # each told once
        assert database.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction).where(
            LedgerTransaction.kind == "payout_paid")) == 6  # fmt: skip


def test_a_payout_another_worker_is_sending_is_left_alone(connect_app, stripe_api, redis, reader, login, ready):
    with connect_app.app_context():
        payout = transfers.start(reader, "on_request", DAY)
        database.session.commit()
        payout_id = payout.id
        with database.engine.connect() as other_worker:  # holds the payout as a sender does
            other_worker.execute(sa.select(sa.func.pg_advisory_lock(sending.SENDING_LOCKS, payout_id)))
            assert sending.send(payout_id) is None
            other_worker.execute(sa.select(sa.func.pg_advisory_unlock_all()))
            other_worker.commit()
        assert stripe_api.requests_to("POST", "/v1/transfers") == []
        assert sending.send(payout_id) == "paid"
        assert sending.send(payout_id) == "paid"  # again: nothing more
        database.session.remove()
    run_jobs(connect_app, redis)
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 1 and len(stripe_api.transfers) == 1
    assert money_of(reader) == (700, 0, 2100)


def test_the_daily_run_waits_for_its_hour(connect_app, stripe_api, reader, ready):
    with connect_app.app_context():
        assert transfers.tick(DAY.replace(hour=13, minute=59)) == 0
    assert payouts_of(reader) == []


# --- a Transfer can never be made twice -------------------------------------------------------------


def test_a_lost_answer_is_retried_with_the_same_key_and_pays_once(connect_app, stripe_api, redis, reader, login,
                                                                  ready):  # fmt: skip
    stripe_api.script("POST", "/v1/transfers", "lose_answer")  # Stripe made it; the answer never came
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    sent = stripe_api.requests_to("POST", "/v1/transfers")
    assert len(sent) == 2 and len({r.headers["Idempotency-Key"] for r in sent}) == 1
    assert len(stripe_api.transfers) == 1
    [payout] = payouts_of(reader)
    assert payout.status == "paid" and payout.stripe_transfer_id == next(iter(stripe_api.transfers))
    assert money_of(reader) == (700, 0, 2100)


def test_when_stripe_cannot_be_reached_the_payout_waits_and_goes_later_with_the_same_key(
    connect_app, stripe_api, redis, reader, login, ready
):
    stripe_api.script("POST", "/v1/transfers", "drop", "drop", "drop")  # StripeClient tries 3 times
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "pending" and payout.attempts == 1 and "APIConnectionError" in payout.last_error
    assert payout.next_attempt_at == DAY + timedelta(seconds=60)
    assert money_of(reader) == (700, 2100, 0) and stripe_api.transfers == {}

    with connect_app.app_context():
        assert transfers.tick(DAY + timedelta(seconds=30)) == 0  # not due yet (and not the daily run)
        assert transfers.tick(DAY + timedelta(seconds=61)) == 1
    with clock.frozen(DAY + timedelta(seconds=61)):
        run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "paid" and payout.attempts == 2 and len(stripe_api.transfers) == 1
    keys = {r.headers["Idempotency-Key"] for r in stripe_api.requests_to("POST", "/v1/transfers")}
    assert keys == {f"payout-{payout.id}"}


# A worker process that dies once Stripe made the Transfer, before it kept the answer.
_SENDER = """
import json, sys
from datetime import datetime
from soulseer import create_app
from soulseer.services.payouts import sending, transfers
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    sending.send(int(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))
"""


def test_a_worker_killed_during_the_call_leaves_no_lock_and_the_payout_is_paid_once(connect_app, stripe_api, redis,
                                                                                   reader, ready):  # fmt: skip
    with connect_app.app_context():
        payout_id = transfers.start(reader, "on_request", DAY).id
        database.session.commit()
    redis.flushdb()  # its job: the worker process below sends it instead
    stripe_api.script("POST", "/v1/transfers", "hold")
    config = {name: connect_app.config[name] for name in (
        "TESTING", "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET",
        "TEST_PAYMENTS_ENABLED")}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-c", _SENDER, json.dumps(config), str(payout_id), DAY.isoformat()])
    try:
        assert stripe_api.holding.wait(30)  # Stripe made the Transfer; its answer waits
        with connect_app.app_context():
            # No transaction of the worker holds the payout's row during the call ...
            row = sa.select(Payout.status).where(Payout.id == payout_id).with_for_update(nowait=True)
            assert database.session.scalar(row) == "pending"
            database.session.rollback()
            # ... but its advisory lock keeps another sender away.
            assert sending.send(payout_id) is None
            database.session.remove()
    finally:
        worker.kill()
        worker.wait(10)
        stripe_api.release.set()
    assert len(stripe_api.transfers) == 1
    with connect_app.app_context():  # the dead worker's connection closes, and its lock with it
        held = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :space AND objid = :id")
        for _ in range(50):
            if not database.session.scalar(held, {"space": sending.SENDING_LOCKS, "id": payout_id}):
                break
            database.session.rollback()
            time.sleep(0.1)
        assert database.session.scalar(held, {"space": sending.SENDING_LOCKS, "id": payout_id}) == 0
        database.session.remove()
    [payout] = payouts_of(reader)
    assert payout.status == "pending" and payout.attempts == 1
    assert payout.next_attempt_at == DAY + sending.CLAIM  # claimed: not sent again before
    assert money_of(reader) == (700, 2100, 0)

    later = DAY + sending.CLAIM + timedelta(seconds=1)
    with connect_app.app_context():
        assert transfers.tick(DAY + timedelta(minutes=4)) == 0
        assert transfers.tick(later) == 1  # the lock went with the process; the claim has ended
    with clock.frozen(later):
        run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    [transfer] = stripe_api.transfers.values()
    assert payout.status == "paid" and payout.attempts == 2 and payout.stripe_transfer_id == transfer["id"]
    sent = stripe_api.requests_to("POST", "/v1/transfers")
    assert len(sent) == 2 and {r.headers["Idempotency-Key"] for r in sent} == {f"payout-{payout_id}"}
    assert money_of(reader) == (700, 0, 2100)


def test_after_24_hours_a_transfer_stripe_made_is_found_and_not_paid_again(connect_app, stripe_api, redis, reader,
                                                                           login, ready):  # fmt: skip
    stripe_api.script("POST", "/v1/transfers", "lose_answer", "drop", "drop")
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "pending" and len(stripe_api.transfers) == 1  # made, but we do not know it
    stripe_api._idempotent.clear()  # a day later Stripe has forgotten the key

    later = DAY + timedelta(hours=25)
    with connect_app.app_context():
        assert transfers.tick(later) >= 1
    with clock.frozen(later):
        run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    [transfer] = stripe_api.transfers.values()
    assert payout.status == "paid" and payout.stripe_transfer_id == transfer["id"]
    [listed] = stripe_api.requests_to("GET", "/v1/transfers")
    assert listed.path == "/v1/transfers"
    assert len(stripe_api.requests_to("POST", "/v1/transfers")) == 3  # none after reconciliation
    assert money_of(reader) == (700, 0, 2100)


def test_after_24_hours_with_no_transfer_at_stripe_it_is_made_then(connect_app, stripe_api, redis, reader, login,
                                                                  ready):  # fmt: skip
    stripe_api.script("POST", "/v1/transfers", "drop", "drop", "drop")
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    later = DAY + timedelta(hours=25)
    with connect_app.app_context():
        transfers.tick(later)
    with clock.frozen(later):
        run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "paid" and len(stripe_api.transfers) == 1
    assert len(stripe_api.requests_to("GET", "/v1/transfers")) == 1


# --- failures ---------------------------------------------------------------------------------------


def test_balance_insufficient_returns_the_money_to_her_earnings_and_alerts_the_admins(
    connect_app, stripe_api, redis, reader, login, make_user, ready, db
):
    admin = make_user(role="admin")
    stripe_api.balance_available = 1000
    browser = login(connect_app.test_client(), reader)
    page_post(browser, "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert (payout.status, payout.failure_code) == ("failed", "balance_insufficient")
    assert money_of(reader) == (2800, 0, 0)  # everything back in her earnings
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Did not go through" in page and "SoulSeer&#39;s Stripe balance could not cover it" in page
    [alert] = db.session.query(Notification).filter_by(user_id=admin.id).all()
    assert "failed at Stripe (balance_insufficient)" in alert.text and alert.link == "/admin/payouts?status=failed"

    stripe_api.balance_available = 10_000_000  # card payments settled: the next daily run pays her
    with connect_app.app_context():
        assert transfers.tick(DAY + timedelta(hours=1)) == 0  # not twice in one day
    tomorrow = DAY + timedelta(days=1)
    with connect_app.app_context():
        transfers.tick(tomorrow)
    with clock.frozen(tomorrow):
        run_jobs(connect_app, redis)
    assert [p.status for p in payouts_of(reader)] == ["failed", "paid"]
    assert money_of(reader) == (700, 0, 2100)  # the $7.00 is still clearing


def test_an_account_stripe_no_longer_lets_receive_transfers_fails_with_words_for_her(
    connect_app, stripe_api, redis, reader, login, ready
):
    stripe_api.accounts[ready]["capabilities"]["transfers"] = "inactive"  # not told to us yet
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "failed" and payout.failure_code == "insufficient_capabilities_for_transfer"
    assert "finish your setup" in payout.failure_reason and money_of(reader) == (2800, 0, 0)


def test_a_server_error_at_stripe_is_not_a_failure(connect_app, stripe_api, redis, reader, login, ready):
    for _ in range(3):
        stripe_api.script("POST", "/v1/transfers", (500, "api_error", None, "Something went wrong on Stripe's end."))
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    assert payout.status == "pending" and "APIError" in payout.last_error and money_of(reader) == (700, 2100, 0)
    with connect_app.app_context():
        transfers.tick(DAY + timedelta(minutes=2))
    with clock.frozen(DAY + timedelta(minutes=2)):
        run_jobs(connect_app, redis)
    assert payouts_of(reader)[0].status == "paid"


def test_a_reversed_transfer_comes_back_to_her_earnings_once(connect_app, stripe_api, redis, reader, login, ready, db):
    page_post(login(connect_app.test_client(), reader), "/reader/payouts/now")
    run_jobs(connect_app, redis)
    [payout] = payouts_of(reader)
    transfer = dict(stripe_api.transfers[payout.stripe_transfer_id])
    transfer.update(amount_reversed=500, reversals={"object": "list", "has_more": False, "data": [
        {"id": "trr_1abc", "object": "transfer_reversal", "amount": 500, "transfer": transfer["id"]}]})  # fmt: skip
    reversed_event = event("transfer.reversed", transfer)
    browser = connect_app.test_client()
    for _ in range(2):  # delivered twice
        body, headers = signed_delivery(reversed_event, connect_app.config["STRIPE_WEBHOOK_SECRET"])
        assert browser.post("/webhooks/stripe", data=body, headers=headers).status_code == 200
    again = event("transfer.reversed", transfer)  # another event, the same reversal
    body, headers = signed_delivery(again, connect_app.config["STRIPE_WEBHOOK_SECRET"])
    browser.post("/webhooks/stripe", data=body, headers=headers)
    run_jobs(connect_app, redis)
    assert money_of(reader) == (1200, 0, 1600)
    assert payouts_of(reader)[0].reversed_cents == 500
    [audited] = db.session.query(AuditEntry).filter_by(action="payouts.transfer_reversed").all()
    assert audited.after["reversal"] == "trr_1abc" and audited.after["amount_cents"] == 500


def test_a_failed_bank_payout_changes_no_ledger_line_and_tells_her_how_to_fix_it(
    connect_app, stripe_api, redis, reader, login, ready, db
):
    browser = login(connect_app.test_client(), reader)
    page_post(browser, "/reader/payouts/now")
    run_jobs(connect_app, redis)
    before = money_of(reader)
    bank_payout = {"id": "po_1xyz", "object": "payout", "amount": 2100, "currency": "usd", "status": "failed",
                   "failure_code": "account_closed", "failure_message": "The bank account is closed."}  # fmt: skip
    failed = connect_event("payout.failed", bank_payout, ready)
    assert deliver_connect(connect_app.test_client(), failed, CONNECT_SECRET).status_code == 200
    run_jobs(connect_app, redis)
    assert money_of(reader) == before
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Stripe could not pay your bank: the bank account is closed." in page
    assert any(
        "Update your bank details" in n.text for n in db.session.query(Notification).filter_by(user_id=reader.id)
    )
    # Stripe also pauses her payouts until her bank details are right: the page still says why.
    snapshot = stripe_api.accounts[ready]
    snapshot.update(payouts_enabled=False)
    snapshot["requirements"].update(currently_due=["external_account"])
    paused = connect_event("account.updated", snapshot, ready, created=clock.now().timestamp() + 60)
    assert deliver_connect(connect_app.test_client(), paused, CONNECT_SECRET).status_code == 200
    run_jobs(connect_app, redis)
    page = browser.get("/reader/payouts").get_data(as_text=True)
    assert "Finish setup" in page and "Stripe could not pay your bank: the bank account is closed." in page

    paid = connect_event("payout.paid", {**bank_payout, "status": "paid", "failure_code": None}, ready)
    deliver_connect(connect_app.test_client(), paid, CONNECT_SECRET)
    run_jobs(connect_app, redis)
    assert "Stripe could not pay your bank" not in browser.get("/reader/payouts").get_data(as_text=True)
    assert money_of(reader) == before


# --- the ledger's own checks ------------------------------------------------------------------------


@pytest.mark.corrupts_ledger  # it leaves a payout stuck on purpose, to see verify say so
def test_verify_reports_a_payout_in_transit_for_more_than_24_hours(connect_app, stripe_api, redis, reader, ready):
    with connect_app.app_context():
        transfers.start(reader, "daily", DAY)
        database.session.commit()
    with clock.frozen(DAY + timedelta(hours=23)), connect_app.app_context():
        assert all(check.ok for check in verify.run())
    with clock.frozen(DAY + timedelta(hours=25)), connect_app.app_context():
        [stuck] = [check for check in verify.run() if not check.ok]
        assert stuck.name == "no payout is in transit longer than 24 hours" and len(stuck.problems) == 1


def test_verify_reports_money_that_left_her_payouts_other_than_to_her(connect_app, stripe_api, redis, reader, ready):
    """The per-reader check: her earnings, in transit and paid out add up to everything credited to
    her. Money taken from her earnings as if paid out, but to anywhere else (here: platform revenue,
    in a balanced posting the ledger itself accepts), breaks it; put back, it holds again."""
    from soulseer.ledger import post
    from soulseer.ledger.models import TransactionKind

    with connect_app.app_context():
        earnings_account = accounts.earnings_spec(reader)
        post(TransactionKind.PAYOUT, "test:leak", [(earnings_account, -500), (accounts.PLATFORM_REVENUE, 500)],
             description="Money leaving her earnings")  # fmt: skip
        database.session.commit()
        broken = [check.name for check in verify.run() if not check.ok]
        assert broken == ["per reader, earnings + in transit + paid out = everything ever credited to her"]
        post(TransactionKind.PAYOUT, "test:leak:back", [(earnings_account, 500), (accounts.PLATFORM_REVENUE, -500)],
             description="Put back")  # fmt: skip
        database.session.commit()
        assert all(check.ok for check in verify.run())
