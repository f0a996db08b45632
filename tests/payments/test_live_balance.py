"""The header's balance follows the wallet in every open tab: after the commit that moved the
money, the client's event streams get the re-rendered badge (docs/wallet.md)."""

import re

import pytest

from soulseer.ledger import accounts
from soulseer.services.payments import ledger_admin
from tests.support.sse import StreamReader, stop_event_hub_at_end
from tests.support.stripe_fake import checkout_session, event
from tests.support.topups import deliver, pending_topup, run_worker

_stop_hub = pytest.fixture(scope="module", autouse=True)(stop_event_hub_at_end)


def _tab(app, login, user):
    tab = StreamReader(login(app.test_client(), user).get("/events", buffered=False))
    tab.wait_for(": connected")
    return tab


def test_the_header_balance_follows_the_wallet_in_every_open_tab(app, client, redis, db, make_user, login):
    buyer, other = make_user(role="client", consented=True), make_user(role="client", consented=True)
    admin = make_user(role="admin", consented=True)
    topup = pending_topup(buyer, 2500)
    tabs = [_tab(app, login, buyer), _tab(app, login, buyer)]
    other_tab = _tab(app, login, other)
    try:
        paid = event(
            "checkout.session.completed",
            checkout_session(topup.checkout_session_id, 2500, buyer.id, topup.id, "paid", "pi_live_1"),
        )
        deliver(client, paid, app.config["STRIPE_WEBHOOK_SECRET"])
        assert "event: balance" not in tabs[0].settle(0.3)  # stored, not yet credited: nothing to show
        run_worker(redis)
        for tab in tabs:
            received = tab.wait_for("$25.00")
            assert "event: balance" in received and 'id="balance-badge"' in received
            assert 'aria-label="Wallet balance $25.00"' in received

        deliver(client, paid, app.config["STRIPE_WEBHOOK_SECRET"])  # a replay moves nothing, shows nothing
        run_worker(redis)
        assert tabs[0].settle(0.3).count("event: balance") == 1

        ledger_admin.adjust_wallet(admin, accounts.wallet(buyer), -500, "Duplicate goodwill credit", "live-1")
        db.session.commit()
        assert "$20.00" in tabs[1].wait_for("$20.00")
        assert "balance" not in other_tab.settle(0.3)
    finally:
        for tab in [*tabs, other_tab]:
            tab.close()


def test_every_signed_in_clients_page_has_the_live_balance_slot(client, db, make_user, login):
    buyer = make_user(role="client", consented=True)
    html = login(client, buyer).get("/readers").get_data(as_text=True)
    assert re.search(r'<span class="balance-slot" sse-swap="balance">\s*<a id="balance-badge"', html)
    reader = make_user(role="reader", consented=True)
    assert 'sse-swap="balance"' not in login(client, reader).get("/readers").get_data(as_text=True)


def test_a_balance_is_pushed_only_to_clients_with_a_page_open(db, make_user, tabs):
    """A client with no tab open gets nothing rendered or published: the page she opens next reads
    her balance afresh. Once her event stream has been seen, the same kind of posting reaches her."""
    from soulseer.extensions import get_redis
    from soulseer.services.core import events

    away, here = make_user(role="client", consented=True), make_user(role="client", consented=True)
    admin = make_user(role="admin", consented=True)
    events.record_presence(get_redis(), here.id)
    for person, key in ((away, "away"), (here, "here")):
        ledger_admin.adjust_wallet(admin, accounts.wallet(person), 700, "Goodwill credit", f"presence-{key}")
        db.session.commit()
    balances = [(to, html) for to, event, html in tabs() if event == "balance"]
    assert [to for to, _ in balances] == [here.id]
    assert "$7.00" in balances[0][1]
