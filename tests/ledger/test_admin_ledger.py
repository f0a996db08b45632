"""Admin ledger screens: verify report, accounts and lines, idempotent audited adjustments."""

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.ledger import LedgerTransaction, accounts, operations, reads, verify
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
    assert reads.account_balance(wallet) == 1500
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
    assert reads.account_balance(wallet) == 1000
    assert db.session.execute(sa.select(sa.func.count()).select_from(LedgerTransaction)).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_only_client_wallets_can_be_adjusted(as_admin, post_form, cleo, db):
    clearing = accounts.stripe_clearing()
    db.session.commit()
    page = as_admin.get(f"/admin/ledger/accounts/{clearing.id}").get_data(as_text=True)
    assert "Adjust this wallet" not in page
    response = adjust(post_form, as_admin, clearing.id, "5", "Move some money")
    assert response.status_code == 422 and "Only client wallets" in response.get_data(as_text=True)


# --- a disputed wallet's freeze, lifted by an admin's review --------------------------------------


@pytest.fixture
def frozen_cleo(cleo, db):
    operations.debit_dispute(cleo, 400, "dispute:dp_1", ("topup", 1))
    db.session.commit()
    return cleo


def lift(post_form, web, account_id, review):
    return post_form(web, f"/admin/ledger/accounts/{account_id}/lift-freeze", {"review": review})


def test_a_frozen_wallet_shows_its_review_and_an_open_one_does_not(as_admin, cleo, db):
    wallet = accounts.wallet(cleo)
    db.session.commit()
    assert "Spending is frozen" not in as_admin.get(f"/admin/ledger/accounts/{wallet.id}").get_data(as_text=True)
    operations.debit_dispute(cleo, 400, "dispute:dp_1", ("topup", 1))
    db.session.commit()
    page = as_admin.get(f"/admin/ledger/accounts/{wallet.id}").get_data(as_text=True)
    assert "Spending is frozen" in page and "Lift the freeze" in page and 'name="review"' in page


def test_lifting_the_freeze_is_recorded_once_and_the_client_can_spend_and_is_told(
    as_admin, post_form, frozen_cleo, admin, make_user, db
):
    from soulseer.models import Notification

    wallet = accounts.wallet(frozen_cleo)
    db.session.commit()
    response = lift(post_form, as_admin, wallet.id, "Cardholder withdrew the dispute by phone")
    assert response.status_code == 302
    assert "The freeze is lifted" in as_admin.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert accounts.wallet(frozen_cleo).frozen is False
    [entry] = db.session.execute(sa.select(AuditEntry).filter_by(action="wallet.freeze_lifted")).scalars()
    assert entry.actor_id == admin.id and entry.target_id == frozen_cleo.id
    assert entry.before == {"frozen": True} and entry.after == {"frozen": False}
    assert entry.reason == "Cardholder withdrew the dispute by phone"
    [told] = db.session.execute(sa.select(Notification).filter_by(user_id=frozen_cleo.id)).scalars()
    assert told.kind == "system" and "can be used again" in told.text and told.link == "/wallet"

    again = lift(post_form, as_admin, wallet.id, "Cardholder withdrew the dispute by phone")  # double submit
    assert again.status_code == 302
    assert "This wallet was not frozen." in as_admin.get(again.location).get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 1

    reader = make_user(role="reader")
    operations.purchase(frozen_cleo, 100, reader, 7000, "gift:after-review", ("gift", 1), "Gift")
    db.session.commit()
    assert reads.account_balance(accounts.wallet(frozen_cleo)) == 500


@pytest.mark.parametrize(("review", "message"), [("", "Give a reason"), ("ok", "between 5 and 500")])
def test_a_lift_without_a_review_changes_nothing(as_admin, post_form, frozen_cleo, db, review, message):
    wallet = accounts.wallet(frozen_cleo)
    db.session.commit()
    response = lift(post_form, as_admin, wallet.id, review)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.wallet(frozen_cleo).frozen is True
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_only_admins_lift_a_freeze_and_only_of_client_wallets(client, login, post_form, frozen_cleo, admin, db):
    wallet, clearing = accounts.wallet(frozen_cleo), accounts.stripe_clearing()
    db.session.commit()
    assert lift(post_form, login(client, frozen_cleo), wallet.id, "I reviewed myself").status_code == 403
    db.session.expire_all()
    assert accounts.wallet(frozen_cleo).frozen is True
    web = login(client, admin)
    response = lift(post_form, web, clearing.id, "Not a wallet at all")
    assert response.status_code == 422 and "Only client wallets are frozen." in response.get_data(as_text=True)
    assert lift(post_form, web, 999999, "No such account").status_code == 404


def test_two_admins_lifting_at_once_record_one_review(app, frozen_cleo, admin, run_in_parallel, db):
    from soulseer.extensions import db as database
    from soulseer.ledger import LedgerAccount
    from soulseer.models import User
    from soulseer.services.payments import ledger_admin

    wallet_id, admin_id = accounts.wallet(frozen_cleo).id, admin.id
    db.session.commit()

    def review(i):  # each thread its own session and connection (ids, not the test's objects)
        account = database.session.get(LedgerAccount, wallet_id)
        lifted = ledger_admin.lift_freeze(database.session.get(User, admin_id), account, f"Review number {i}")
        database.session.commit()
        return lifted

    assert sorted(run_in_parallel(review, 8)) == [False] * 7 + [True]
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 1
    assert accounts.wallet(frozen_cleo).frozen is False
