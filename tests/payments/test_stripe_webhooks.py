"""POST /webhooks/stripe and the job that applies events: signed like Stripe signs them, delivered
over the app's real endpoint, processed by the real RQ worker against PostgreSQL.

Each test ends with `flask ledger verify` (tests/ledger/conftest.py)."""

import json
import time
from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.jobs.payments import process_stripe_event, requeue_stuck_stripe_events
from soulseer.ledger import TransactionKind, WalletFrozen, accounts, operations
from soulseer.models import AuditEntry, Notification, StripeEvent, Topup, TopupStatus
from soulseer.services.payments import stripe_events
from tests.support.stripe_fake import charge, checkout_session, dispute, event, signature_header
from tests.support.topups import (
    balance,
    deliver,
    new_session_id,
    pending_topup,
    queued,
    run_worker,
    stored_event,
    transactions,
)


@pytest.fixture
def secret(app):
    return app.config["STRIPE_WEBHOOK_SECRET"]


@pytest.fixture
def buyer(make_user):
    return make_user(role="client", consented=True)


@pytest.fixture
def topup(buyer):
    return pending_topup(buyer, 2500)


def completed(topup, payment_status="paid", payment_intent="pi_test_1", **changes):
    session = checkout_session(
        topup.checkout_session_id, topup.amount_cents, topup.user_id, topup.id, payment_status, payment_intent
    )
    return event("checkout.session.completed", {**session, **changes})


def async_succeeded(topup, payment_intent="pi_test_1"):
    session = checkout_session(topup.checkout_session_id, topup.amount_cents, topup.user_id, topup.id, "paid",
                               payment_intent)  # fmt: skip
    return event("checkout.session.async_payment_succeeded", session)


def async_failed(topup):
    session = checkout_session(topup.checkout_session_id, topup.amount_cents, topup.user_id, topup.id, "unpaid")
    return event("checkout.session.async_payment_failed", session)


def refunded(amount_refunded, amount=2500, payment_intent="pi_test_1", charge_id="ch_test_1"):
    return event("charge.refunded", charge(charge_id, payment_intent, amount, amount_refunded))


def topup_row(topup):
    from soulseer.extensions import db

    db.session.expire_all()
    return db.session.get(Topup, topup.id)


# --- the happy path and exactly-once -----------------------------------------------------------


def test_a_paid_checkout_is_stored_answered_and_then_credited_by_the_worker(client, redis, secret, buyer, topup):
    paid = completed(topup)
    response = deliver(client, paid, secret)
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "duplicate": False, "status": "received"}

    # Answered before anything was applied: stored, queued, no money yet.
    assert stored_event(paid["id"]).status == "received"
    assert stored_event(paid["id"]).payload == paid
    assert queued(redis) == 1 and balance(buyer) == 0

    run_worker(redis)
    stored = stored_event(paid["id"])
    assert (stored.status, stored.error, stored.attempts) == ("applied", None, 1)
    assert stored.processed_at is not None
    row = topup_row(topup)
    assert (row.status, row.payment_intent_id) == ("credited", "pi_test_1") and row.credited_at
    assert balance(buyer) == 2500
    [credit] = transactions()
    assert (credit.kind, credit.idempotency_key) == ("topup", f"topup:{topup.checkout_session_id}")
    assert (credit.reference_type, credit.reference_id) == ("topup", topup.id)


def test_the_same_event_delivered_twenty_times_at_once_credits_once(app, redis, secret, buyer, topup, run_in_parallel):
    paid = completed(topup)
    body = json.dumps(paid).encode()
    headers = {"Stripe-Signature": signature_header(body, secret), "Content-Type": "application/json"}

    def post(_):
        return app.test_client().post("/webhooks/stripe", data=body, headers=headers).status_code

    assert run_in_parallel(post, 20) == [200] * 20
    from soulseer.extensions import db

    assert db.session.query(StripeEvent).count() == 1
    assert queued(redis) == 1  # one job, however many deliveries
    run_worker(redis)
    assert balance(buyer) == 2500
    assert len(transactions()) == 1
    assert stored_event(paid["id"]).attempts == 1

    # A later redelivery of the applied event changes nothing and starts nothing.
    response = deliver(app.test_client(), paid, secret)
    assert response.status_code == 200 and response.get_json()["duplicate"] is True
    assert queued(redis) == 0
    assert balance(buyer) == 2500


def test_the_job_itself_is_idempotent(client, redis, secret, buyer, topup):
    paid = completed(topup)
    deliver(client, paid, secret)
    run_worker(redis)
    assert process_stripe_event(paid["id"]) == "applied"  # a duplicated or retried job
    assert stored_event(paid["id"]).attempts == 1
    assert balance(buyer) == 2500 and len(transactions()) == 1


@pytest.mark.parametrize(
    "order",
    [
        ["completed paid", "async succeeded"],
        ["async succeeded", "completed paid"],
        ["completed unpaid", "async succeeded"],
        ["async succeeded", "completed unpaid"],
    ],
)
def test_completed_and_async_succeeded_for_one_session_credit_once(client, redis, secret, buyer, topup, order):
    events = {
        "completed paid": completed(topup),
        "completed unpaid": completed(topup, payment_status="unpaid"),
        "async succeeded": async_succeeded(topup),
    }
    for name in order:
        assert deliver(client, events[name], secret).status_code == 200
        run_worker(redis)
        assert stored_event(events[name]["id"]).status == "applied"
    assert balance(buyer) == 2500
    assert len(transactions(TransactionKind.TOPUP)) == 1
    assert topup_row(topup).status == "credited"


def test_an_unpaid_completion_waits_and_an_async_failure_marks_the_top_up_failed(client, redis, secret, buyer, topup):
    deliver(client, completed(topup, payment_status="unpaid"), secret)
    run_worker(redis)
    row = topup_row(topup)
    assert (row.status, row.payment_intent_id) == ("pending", "pi_test_1")  # a delayed payment method

    failure = async_failed(topup)
    deliver(client, failure, secret)
    run_worker(redis)
    row = topup_row(topup)
    assert (row.status, row.failure_reason) == ("failed", "The payment failed.")
    assert stored_event(failure["id"]).status == "applied"
    assert balance(buyer) == 0 and transactions() == []


# --- refunds and disputes ----------------------------------------------------------------------


def test_a_refund_debits_the_wallet_even_below_zero_and_only_once(client, redis, secret, buyer, topup, make_user):
    deliver(client, completed(topup), secret)
    run_worker(redis)
    reader = make_user(role="reader")
    operations.purchase(buyer, 2000, reader, 7000, "gift:1", ("gift", 1), "Gift")  # spent most of it
    from soulseer.extensions import db

    db.session.commit()
    assert balance(buyer) == 500

    refund = refunded(2500)
    deliver(client, refund, secret)
    run_worker(redis)
    assert stored_event(refund["id"]).status == "applied"
    assert balance(buyer) == -2000  # Stripe took the money back; the wallet owes it
    assert topup_row(topup).status == "refunded"

    deliver(client, refund, secret)  # the same event again
    deliver(client, refunded(2500), secret)  # another event about the same refund
    run_worker(redis)
    assert balance(buyer) == -2000
    [debit] = transactions(TransactionKind.TOPUP_REFUND)
    assert debit.idempotency_key == "topup-refund:ch_test_1:2500"


def test_partial_refunds_in_any_order_debit_what_was_refunded(client, redis, secret, buyer, topup):
    deliver(client, completed(topup), secret)
    run_worker(redis)
    first, second = refunded(1000), refunded(2500)  # amount_refunded is cumulative
    deliver(client, second, secret)  # the later refund's event comes first
    run_worker(redis)
    assert balance(buyer) == 0
    deliver(client, first, secret)  # the earlier, smaller total arrives late: nothing more to take
    run_worker(redis)
    assert stored_event(first["id"]).status == "applied"
    assert balance(buyer) == 0
    wallet_id = accounts.find_wallet(buyer).id
    debits = [
        e.amount for t in transactions(TransactionKind.TOPUP_REFUND) for e in t.entries if e.account_id == wallet_id
    ]
    assert debits == [-2500]

    # In the usual order: 10.00, then 25.00 in total.
    other = pending_topup(buyer, 2500)
    deliver(client, completed(other, payment_intent="pi_test_2"), secret)
    run_worker(redis)
    assert balance(buyer) == 2500
    deliver(client, refunded(1000, payment_intent="pi_test_2", charge_id="ch_test_2"), secret)
    run_worker(redis)
    assert balance(buyer) == 1500
    deliver(client, refunded(2500, payment_intent="pi_test_2", charge_id="ch_test_2"), secret)
    run_worker(redis)
    assert balance(buyer) == 0


def test_a_dispute_debits_and_freezes_spending(client, redis, secret, buyer, topup, make_user):
    other = pending_topup(buyer, 5000)
    deliver(client, completed(topup), secret)
    deliver(client, completed(other, payment_intent="pi_test_2"), secret)
    run_worker(redis)
    assert balance(buyer) == 7500

    opened = event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500))
    deliver(client, opened, secret)
    run_worker(redis)
    assert stored_event(opened["id"]).status == "applied"
    assert balance(buyer) == 5000
    from soulseer.extensions import db

    assert accounts.find_wallet(buyer).frozen is True
    assert topup_row(topup).status == "disputed"
    [debit] = transactions(TransactionKind.DISPUTE)
    assert debit.idempotency_key == "dispute:dp_test_1"
    audit = db.session.query(AuditEntry).filter_by(action="wallet.frozen_by_dispute").one()
    assert audit.target_id == buyer.id and "dp_test_1" in audit.reason
    [told] = db.session.query(Notification).filter_by(user_id=buyer.id).all()
    assert told.kind == "system" and told.link == "/wallet"
    assert told.text.startswith("Your card issuer disputed a $25.00 top-up, so $25.00 was taken from your wallet")

    # Spending is refused while frozen, although there is money.
    reader = make_user(role="reader")
    with pytest.raises(WalletFrozen):
        operations.purchase(buyer, 100, reader, 7000, "gift:frozen", ("gift", 1), "Gift")
    db.session.rollback()

    deliver(client, event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500)), secret)
    run_worker(redis)
    assert balance(buyer) == 5000  # the same dispute in another event takes nothing more
    assert db.session.query(Notification).filter_by(user_id=buyer.id).count() == 1  # and tells nothing twice


def test_a_dispute_of_a_top_up_refunded_in_full_takes_nothing_but_freezes(client, redis, secret, buyer, topup):
    """PRODUCT.md §2: a dispute freezes spending until an admin reviews, whatever it can take back.
    The audit row says what happened: the wallet frozen, nothing taken."""
    from soulseer.extensions import db

    other = pending_topup(buyer, 5000)
    deliver(client, completed(topup), secret)
    deliver(client, completed(other, payment_intent="pi_test_2"), secret)
    deliver(client, refunded(2500), secret)
    run_worker(redis)
    assert balance(buyer) == 5000 and accounts.find_wallet(buyer).frozen is False

    opened = event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500))
    deliver(client, opened, secret)
    run_worker(redis)
    assert stored_event(opened["id"]).status == "applied"
    assert balance(buyer) == 5000  # the refund gave the money back already: nothing more to take
    assert transactions(TransactionKind.DISPUTE) == []
    assert accounts.find_wallet(buyer).frozen is True
    assert topup_row(topup).status == "disputed"
    audit = db.session.query(AuditEntry).filter_by(action="wallet.frozen_by_dispute").one()
    assert audit.target_id == buyer.id and audit.after["amount_cents"] == 0 and audit.after["frozen"] is True
    [told] = db.session.query(Notification).filter_by(user_id=buyer.id).all()
    assert told.text == (
        "Your card issuer disputed a $25.00 top-up that was already refunded, so nothing was taken from your "
        "wallet, but spending is paused until our team has reviewed it."
    )
    with pytest.raises(WalletFrozen):
        operations.purchase(buyer, 100, None, 0, "shop:frozen", ("shop", 1), "Shop")
    db.session.rollback()

    deliver(client, event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500)), secret)
    run_worker(redis)  # the same dispute again: no second freeze record, no second message
    assert db.session.query(AuditEntry).filter_by(action="wallet.frozen_by_dispute").count() == 1
    assert db.session.query(Notification).filter_by(user_id=buyer.id).count() == 1


def dispute_closed(status, dispute_id="dp_test_1", amount=2500):
    return event("charge.dispute.closed", {**dispute(dispute_id, "ch_test_1", "pi_test_1", amount), "status": status})


def test_a_won_dispute_gives_the_money_back_once_and_the_wallet_stays_frozen(client, redis, secret, buyer, topup):
    from soulseer.extensions import db

    deliver(client, completed(topup), secret)
    deliver(client, event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500)), secret)
    run_worker(redis)
    assert balance(buyer) == 0

    won = dispute_closed("won")
    for _ in range(2):  # delivered, then replayed
        deliver(client, won, secret)
        run_worker(redis)
    deliver(client, dispute_closed("won"), secret)  # the same news in another event
    run_worker(redis)
    assert stored_event(won["id"]).status == "applied"
    assert balance(buyer) == 2500
    [reversal] = transactions(TransactionKind.DISPUTE_REVERSAL)
    assert reversal.idempotency_key == "dispute-won:dp_test_1" and reversal.description == "Disputed top-up returned"
    assert topup_row(topup).status == "credited"
    assert accounts.find_wallet(buyer).frozen is True  # lifting the freeze is an admin's review
    [audit] = db.session.query(AuditEntry).filter_by(action="wallet.dispute_won").all()
    assert audit.target_id == buyer.id and audit.after["amount_cents"] == 2500
    told = db.session.query(Notification).filter_by(user_id=buyer.id).order_by(Notification.id).all()
    assert len(told) == 2 and told[0].text.startswith("Your card issuer disputed")
    assert told[1].text == (
        "The disputed top-up was settled in your favour: $25.00 is back in your wallet. "
        "Spending stays paused until our team finishes its review."
    )


def test_a_lost_dispute_or_a_closed_inquiry_moves_nothing(client, redis, secret, buyer, topup):
    deliver(client, completed(topup), secret)
    deliver(client, event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500)), secret)
    run_worker(redis)
    lost, inquiry = dispute_closed("lost"), dispute_closed("warning_closed", "dp_test_2")
    deliver(client, lost, secret)
    deliver(client, inquiry, secret)
    run_worker(redis)
    assert stored_event(lost["id"]).status == "applied" and stored_event(inquiry["id"]).status == "applied"
    assert balance(buyer) == 0
    assert [t.kind for t in transactions()] == ["topup", "dispute"]
    assert topup_row(topup).status == "disputed"


def test_a_won_dispute_that_overtakes_its_opening_waits_for_it(client, redis, secret, buyer, topup):
    deliver(client, completed(topup), secret)
    run_worker(redis)
    won = dispute_closed("won")
    deliver(client, won, secret)
    run_worker(redis)
    waiting = stored_event(won["id"])
    assert waiting.status == "failed" and waiting.error == "dispute not applied yet (dispute dp_test_1)"
    assert balance(buyer) == 2500

    deliver(client, event("charge.dispute.created", dispute("dp_test_1", "ch_test_1", "pi_test_1", 2500)), secret)
    run_worker(redis)  # the opening re-enqueues the closing; the burst worker runs it too
    assert stored_event(won["id"]).status == "applied"
    assert balance(buyer) == 2500
    assert [t.kind for t in transactions()] == ["topup", "dispute", "dispute_reversal"]
    assert topup_row(topup).status == "credited"
    assert accounts.find_wallet(buyer).frozen is True


def test_a_refund_before_the_credit_waits_and_is_applied_once_credited(client, redis, secret, buyer, topup):
    refund = refunded(2500)
    deliver(client, refund, secret)
    run_worker(redis)
    stored = stored_event(refund["id"])
    assert stored.status == "failed" and stored.error.startswith("top-up not credited yet")
    assert balance(buyer) == 0  # nothing to take back yet: never below zero for money never given

    deliver(client, completed(topup), secret)
    run_worker(redis)  # the credit re-enqueues the waiting refund; the burst worker runs it too
    assert stored_event(refund["id"]).status == "applied"
    assert stored_event(refund["id"]).attempts == 2
    assert balance(buyer) == 0
    assert topup_row(topup).status == "refunded"
    assert [t.kind for t in transactions()] == ["topup", "topup_refund"]


# --- refused and failed deliveries -------------------------------------------------------------


def _nothing_stored(redis, buyer):
    from soulseer.extensions import db

    assert db.session.query(StripeEvent).count() == 0
    assert queued(redis) == 0
    assert balance(buyer) == 0


def test_a_bad_signature_is_refused_and_nothing_is_stored(client, redis, buyer, topup):
    response = deliver(client, completed(topup), "whsec_not_the_endpoint_secret")
    assert response.status_code == 400
    assert response.get_json()["received"] is False
    _nothing_stored(redis, buyer)


def test_a_stale_signature_is_refused(client, redis, secret, buyer, topup):
    response = deliver(client, completed(topup), secret, timestamp=time.time() - 301)
    assert response.status_code == 400 and "tolerance" in response.get_json()["error"]
    _nothing_stored(redis, buyer)
    assert deliver(client, completed(topup), secret, timestamp=time.time() - 240).status_code == 200


def test_a_missing_or_garbled_signature_header_is_refused(client, redis, secret, buyer, topup):
    body = json.dumps(completed(topup))
    assert client.post("/webhooks/stripe", data=body, content_type="application/json").status_code == 400
    garbled = {"Stripe-Signature": "v1=abc,t=notanumber"}
    assert client.post("/webhooks/stripe", data=body, headers=garbled).status_code == 400
    tampered = json.loads(body)
    tampered["data"]["object"]["amount_total"] = 1
    header = {"Stripe-Signature": signature_header(body, secret)}  # signed the original, sends another
    assert client.post("/webhooks/stripe", data=json.dumps(tampered), headers=header).status_code == 400
    _nothing_stored(redis, buyer)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'{"hello": "world"}', b"[1, 2]", b'{"id": 5}'])
def test_malformed_json_or_a_non_event_is_refused_even_when_signed(client, redis, secret, buyer, body):
    response = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": signature_header(body, secret)})
    assert response.status_code == 400
    _nothing_stored(redis, buyer)


def test_the_webhook_needs_no_csrf_token_or_session_but_only_accepts_post(client, secret, topup):
    assert client.get("/webhooks/stripe").status_code == 405
    assert deliver(client, completed(topup), secret).status_code == 200  # no cookie, no CSRF token


def test_an_unknown_event_type_is_kept_and_ignored(client, redis, secret, buyer):
    other = event("customer.created", {"id": "cus_test_1", "object": "customer"})
    assert deliver(client, other, secret).status_code == 200
    run_worker(redis)
    stored = stored_event(other["id"])
    assert (stored.status, stored.error, stored.type) == ("ignored", None, "customer.created")
    assert balance(buyer) == 0


def test_an_unknown_user_is_kept_as_failed_and_the_wallet_untouched(client, redis, secret, buyer, topup, make_user):
    nobody = completed(topup, client_reference_id="999999")
    someone_else = completed(topup, client_reference_id=str(make_user(role="client").id))
    for wrong in (nobody, someone_else):
        assert deliver(client, wrong, secret).status_code == 200
    run_worker(redis)
    for wrong in (nobody, someone_else):
        stored = stored_event(wrong["id"])
        assert stored.status == "failed" and stored.error.startswith("unknown user")
    assert balance(buyer) == 0 and transactions() == []
    assert topup_row(topup).status == "pending"


def test_an_amount_mismatch_is_kept_as_failed(client, redis, secret, buyer, topup):
    wrong = completed(topup, amount_total=2600)
    deliver(client, wrong, secret)
    euros = completed(topup, currency="eur")
    deliver(client, euros, secret)
    run_worker(redis)
    for bad in (wrong, euros):
        stored = stored_event(bad["id"])
        assert stored.status == "failed" and stored.error.startswith("amount mismatch")
    assert balance(buyer) == 0 and topup_row(topup).status == "pending"


def test_an_unknown_checkout_session_is_kept_and_a_replay_applies_it_later(client, redis, secret, buyer):
    session_id = new_session_id()
    orphan = event("checkout.session.completed", checkout_session(session_id, 2500, buyer.id, None, "paid", "pi_x"))
    deliver(client, orphan, secret)
    run_worker(redis)
    stored = stored_event(orphan["id"])
    assert (stored.status, stored.error) == ("failed", f"unknown checkout session {session_id}")

    # The top-up turns up (say its row was restored); Stripe's "resend" delivers the same event.
    from soulseer.extensions import db

    db.session.add(Topup(user_id=buyer.id, amount_cents=2500, checkout_session_id=session_id))
    db.session.commit()
    response = deliver(client, orphan, secret)
    assert response.get_json() == {"received": True, "duplicate": True, "status": "failed"}
    run_worker(redis)
    assert stored_event(orphan["id"]).status == "applied"
    assert balance(buyer) == 2500


def test_the_session_is_found_by_its_metadata_before_its_id_was_saved(client, redis, secret, buyer):
    from soulseer.extensions import db

    topup = Topup(user_id=buyer.id, amount_cents=1000)  # Stripe answered, our commit not yet done
    db.session.add(topup)
    db.session.commit()
    session_id = new_session_id()
    deliver(client, event("checkout.session.completed", checkout_session(session_id, 1000, buyer.id, topup.id)), secret)
    run_worker(redis)
    row = topup_row(topup)
    assert (row.status, row.checkout_session_id) == ("credited", session_id)
    assert balance(buyer) == 1000


def test_an_admin_retry_and_the_cron_sweep_run_events_again(client, redis, secret, buyer, topup):
    from soulseer.extensions import db

    refund = refunded(2500)
    deliver(client, refund, secret)
    run_worker(redis)
    assert stored_event(refund["id"]).status == "failed"
    assert stripe_events.retry(refund["id"]) is True
    db.session.commit()
    assert queued(redis) == 1
    run_worker(redis)
    assert stored_event(refund["id"]).attempts == 2  # still waiting for its top-up

    # An event whose job was lost (stored, never processed) is picked up by the cron's sweep.
    paid = completed(topup)
    deliver(client, paid, secret)
    redis.delete("rq:queue:default")  # the job is lost
    assert requeue_stuck_stripe_events() == 0  # too recent to call it stuck
    with clock.frozen(clock.now() + timedelta(minutes=3)):
        assert requeue_stuck_stripe_events() == 1
    run_worker(redis)
    assert stored_event(paid["id"]).status == "applied"
    assert stored_event(refund["id"]).status == "applied"  # the credit released the waiting refund
    assert balance(buyer) == 0
    assert stripe_events.retry(paid["id"]) is False  # applied events are never run again


def test_a_failure_after_the_credit_is_kept_as_failed_and_changes_nothing(client, redis, secret, buyer, topup):
    deliver(client, completed(topup), secret)
    run_worker(redis)
    late = async_failed(topup)
    deliver(client, late, secret)
    run_worker(redis)
    stored = stored_event(late["id"])
    assert stored.status == "failed" and "is credited" in stored.error
    assert topup_row(topup).status == TopupStatus.CREDITED and balance(buyer) == 2500
