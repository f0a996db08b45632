"""Admin ledger screens: verify report, accounts and lines, idempotent audited adjustments."""

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.ledger import LedgerTransaction, accounts, operations, verify
from soulseer.models import AuditEntry


def consenting(make_user, role, **fields):
    now = clock.now()
    return make_user(role=role, adult_confirmed_at=now, terms_version=1, terms_accepted_at=now, **fields)


@pytest.fixture
def admin(make_user):
    return consenting(make_user, "admin")


@pytest.fixture
def cleo(make_user, db):
    user = consenting(make_user, "client", display_name="Cleo", email="cleo@example.test")
    operations.credit_topup(user, 1000, "topup:1", ("topup", 1))
    db.session.commit()
    return user


@pytest.fixture
def as_admin(client, login, admin):
    return login(client, admin)


def adjust(post_form, web, account_id, amount, reason, key="k1"):
    return post_form(
        web,
        f"/admin/ledger/accounts/{account_id}/adjustments",
        {"amount": amount, "reason": reason, "request_key": key},
    )


def test_only_admins_see_the_ledger(client, login, make_user, cleo):
    assert login(client, cleo).get("/admin/ledger").status_code == 403


def test_overview_shows_verification_totals_and_accounts(as_admin, cleo):
    html = as_admin.get("/admin/ledger").get_data(as_text=True)
    assert f"All {len(verify.run())} invariants hold." in html
    assert "stripe:clearing" in html and "-$10.00" in html
    assert "wallet:" in html and "cleo@example.test" in html
    found = as_admin.get("/admin/ledger?q=CLEO").get_data(as_text=True)
    assert "cleo@example.test" in found and "stripe:clearing</a>" in found  # derived totals always shown


def test_account_lines(as_admin, cleo, db):
    wallet = accounts.wallet(cleo)
    db.session.commit()
    html = as_admin.get(f"/admin/ledger/accounts/{wallet.id}").get_data(as_text=True)
    assert "Balance $10.00" in html and "Wallet top-up" in html and "key topup:1" in html
    assert as_admin.get("/admin/ledger/accounts/999999").status_code == 404


def test_adjustment_is_recorded_once_and_audited(as_admin, post_form, cleo, admin, db):
    wallet = accounts.wallet(cleo)
    db.session.commit()
    response = adjust(post_form, as_admin, wallet.id, "5.00", "Goodwill after a dropped call")
    assert response.status_code == 302
    again = adjust(post_form, as_admin, wallet.id, "5.00", "Goodwill after a dropped call")  # double submit
    assert again.status_code == 302
    db.session.expire_all()
    assert accounts.balance(wallet) == 1500
    [entry] = db.session.execute(sa.select(AuditEntry).filter_by(action="ledger.adjust_wallet")).scalars()
    assert entry.actor_id == admin.id and entry.target_id == cleo.id
    assert entry.before == {"balance_cents": 1000} and entry.after["balance_cents"] == 1500
    assert entry.reason == "Goodwill after a dropped call"
    follow = as_admin.get(f"/admin/ledger/accounts/{wallet.id}").get_data(as_text=True)
    assert "Adjustment: Goodwill after a dropped call" in follow


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("-10.01", "Correction of a mistake", "cannot take it below zero"),
        ("0", "Correction of a mistake", "other than zero"),
        ("abc", "Correction of a mistake", "Enter an amount in dollars"),
        ("5", "", "Give a reason"),
        ("5", "typo", "Field must be between 5 and 500 characters long."),
    ],
)
def test_bad_adjustments_change_nothing(as_admin, post_form, cleo, db, amount, reason, message):
    wallet = accounts.wallet(cleo)
    db.session.commit()
    response = adjust(post_form, as_admin, wallet.id, amount, reason)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.balance(wallet) == 1000
    assert db.session.execute(sa.select(sa.func.count()).select_from(LedgerTransaction)).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_only_client_wallets_can_be_adjusted(as_admin, post_form, cleo, db):
    clearing = accounts.stripe_clearing()
    db.session.commit()
    page = as_admin.get(f"/admin/ledger/accounts/{clearing.id}").get_data(as_text=True)
    assert "Adjust this wallet" not in page
    response = adjust(post_form, as_admin, clearing.id, "5", "Move some money")
    assert response.status_code == 422 and "Only client wallets" in response.get_data(as_text=True)
