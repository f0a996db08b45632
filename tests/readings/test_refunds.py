"""Admin refunds of readings: proportional, never above the cost, once per form; ledger verified."""

import re

import pytest

from soulseer.extensions import db
from soulseer.ledger import LedgerTransaction, accounts, reads
from soulseer.models import AuditEntry
from soulseer.services.readings import records
from tests.readings.helpers import finished_reading


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", consented=True)


@pytest.fixture
def reading(people):
    client_user, reader = people
    return finished_reading(client_user, reader, seconds=127, rate=130)  # ceil(127 × 130 / 60) = 276


def balances(client_user, reader):
    """(client wallet, reader earnings, platform revenue) from the ledger."""
    db.session.expire_all()
    return (
        reads.account_balance(accounts.wallet(client_user)),
        reads.account_balance(accounts.reader_earnings(reader)),
        reads.account_balance(accounts.platform_revenue()),
    )


def form_key(page):
    return re.search(r'name="request_key" type="hidden" value="([^"]+)"', page).group(1)


def refund(client, post_form, reading_id, amount, reason="Connection was poor", key=None):
    if key is None:
        key = form_key(client.get(f"/admin/readings/{reading_id}").get_data(as_text=True))
    return post_form(
        client, f"/admin/readings/{reading_id}/refunds", {"amount": amount, "reason": reason, "request_key": key}
    )


def test_refund_moves_money_proportionally_and_is_audited(client, login, post_form, people, admin, reading):
    client_user, reader = people
    assert (reading.cost_cents, reading.reader_earnings_cents) == (276, 193)
    wallet, earnings, revenue = balances(client_user, reader)
    login(client, admin)
    assert refund(client, post_form, reading.id, "1.00").status_code == 302
    # floor(100 × 193 / 276) = 69 from the reader, 31 from the platform.
    assert balances(client_user, reader) == (wallet + 100, earnings - 69, revenue - 31)
    entry = db.session.query(AuditEntry).filter_by(action="reading.refund").one()
    assert (entry.actor_id, entry.target_id, entry.reason) == (admin.id, reading.id, "Connection was poor")
    assert entry.before["refunded_cents"] == 0 and entry.after["refunded_cents"] == 100
    page = client.get(f"/admin/readings/{reading.id}").get_data(as_text=True)
    assert "$1.00 of $2.76" in page and "$1.76" in page


def test_refund_above_what_was_paid_is_refused(client, login, post_form, people, admin, reading):
    client_user, reader = people
    before = balances(client_user, reader)
    login(client, admin)
    response = refund(client, post_form, reading.id, "2.77")
    assert response.status_code == 422 and "At most 2.76" in response.get_data(as_text=True)
    assert balances(client_user, reader) == before
    assert db.session.query(AuditEntry).count() == 0


def test_partial_refunds_add_up_to_the_cost_and_one_cent_more_is_refused(
    client, login, post_form, people, admin, reading
):
    client_user, reader = people
    wallet, earnings, revenue = balances(client_user, reader)
    login(client, admin)
    for amount in ("1.00", "1.50", "0.26"):
        assert refund(client, post_form, reading.id, amount).status_code == 302
    assert records.refunded_cents(reading.id) == 276
    assert balances(client_user, reader)[0] == wallet + 276
    response = refund(client, post_form, reading.id, "0.01", key="one-cent-more")
    assert response.status_code == 422
    assert records.refunded_cents(reading.id) == 276
    new_wallet, new_earnings, new_revenue = balances(client_user, reader)
    # The reader gives back at most what they earned, and the two parts add up to the refunds.
    assert earnings - new_earnings <= 193 and (earnings - new_earnings) + (revenue - new_revenue) == 276


def test_a_double_submitted_refund_form_refunds_once(client, login, post_form, people, admin, reading):
    client_user, reader = people
    wallet = balances(client_user, reader)[0]
    login(client, admin)
    key = form_key(client.get(f"/admin/readings/{reading.id}").get_data(as_text=True))
    assert refund(client, post_form, reading.id, "2.76", key=key).status_code == 302
    again = refund(client, post_form, reading.id, "2.76", key=key)
    assert again.status_code == 302
    assert balances(client_user, reader)[0] == wallet + 276
    assert db.session.query(LedgerTransaction).filter_by(kind="refund").count() == 1
    assert db.session.query(AuditEntry).filter_by(action="reading.refund").count() == 1


def test_refund_needs_a_reason(client, login, post_form, people, admin, reading):
    login(client, admin)
    assert refund(client, post_form, reading.id, "1.00", reason="").status_code == 422
    assert records.refunded_cents(reading.id) == 0


def test_clients_and_readers_get_403_on_admin_reading_pages(client, login, post_form, people, reading):
    for user in people:
        login(client, user)
        assert client.get("/admin/readings").status_code == 403
        assert client.get(f"/admin/readings/{reading.id}").status_code == 403
        data = {"amount": "1", "reason": "x" * 10, "request_key": "k"}
        assert post_form(client, f"/admin/readings/{reading.id}/refunds", data).status_code == 403
    assert records.refunded_cents(reading.id) == 0


def test_admin_list_filters_and_record(client, login, people, admin, reading, make_user):
    client_user, reader = people
    login(client, admin)
    page = client.get("/admin/readings", query_string={"q": client_user.email, "state": "finalized"})
    assert f"Reading #{reading.id}" in page.get_data(as_text=True)
    assert f"Reading #{reading.id}" not in client.get("/admin/readings", query_string={"q": "nobody"}).get_data(
        as_text=True
    )
    assert f"Reading #{reading.id}" not in client.get("/admin/readings", query_string={"from": "2026-11-26"}).get_data(
        as_text=True
    )
    record = client.get(f"/admin/readings/{reading.id}").get_data(as_text=True)
    for text in ("requested", "accepted", "active", "finalized", "completed by client", "2:07", "hold settle"):
        assert text in record
