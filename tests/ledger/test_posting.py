"""Posting: balanced, idempotent, limited, append-only."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soulseer.ledger import (
    IdempotencyConflict,
    InsufficientFunds,
    LedgerEntry,
    LedgerError,
    LedgerTransaction,
    Posting,
    TransactionKind,
    Unbalanced,
    WalletFrozen,
    accounts,
    operations,
    post,
    post_many,
    reads,
)
from soulseer.ledger.posting import array_literal


@pytest.fixture
def client_user(make_user):
    return make_user(role="client")


@pytest.fixture
def reader_user(make_user):
    return make_user(role="reader")


def topup(db, user, cents, key="t1"):
    operations.credit_topup(user, cents, f"topup:{key}", ("topup", 1))
    db.session.commit()


def balance_of(db, account):
    db.session.expire_all()
    return reads.account_balance(account)


def count(db, model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_topup_moves_money_from_stripe_clearing_into_the_wallet(db, client_user):
    topup(db, client_user, 2500)
    wallet = accounts.wallet(client_user)
    assert balance_of(db, wallet) == 2500
    assert balance_of(db, accounts.stripe_clearing()) == -2500
    [entry] = db.session.execute(sa.select(LedgerEntry).filter_by(account_id=wallet.id)).scalars()
    assert entry.amount == 2500 and entry.balance_after == 2500
    assert accounts.stripe_clearing().balance == 0  # derived account: no cached balance


@pytest.mark.parametrize(
    ("legs", "error"),
    [
        ([(0, 100), (1, -99)], Unbalanced),
        ([(0, 100.0), (1, -100.0)], LedgerError),
        ([(0, 0), (1, 0)], LedgerError),
        ([(0, 100), (0, -100)], LedgerError),
    ],
)
def test_bad_postings_are_refused_and_write_nothing(db, client_user, legs, error):
    specs = [accounts.wallet_spec(client_user), accounts.STRIPE_CLEARING]
    with pytest.raises(error):
        post(TransactionKind.ADJUSTMENT, "bad", [(specs[i], amount) for i, amount in legs], description="bad")
    db.session.commit()
    assert count(db, LedgerTransaction) == 0 and count(db, LedgerEntry) == 0


def test_a_retry_with_the_same_key_moves_money_once(db, client_user):
    first = operations.credit_topup(client_user, 1000, "topup:cs_1", ("topup", 1))
    again = operations.credit_topup(client_user, 1000, "topup:cs_1", ("topup", 1))
    db.session.commit()
    assert first.created and not again.created
    assert again.transaction.id == first.transaction.id
    assert balance_of(db, accounts.wallet(client_user)) == 1000


def test_the_same_key_with_other_contents_is_an_error(db, client_user):
    operations.credit_topup(client_user, 1000, "topup:cs_1", ("topup", 1))
    with pytest.raises(IdempotencyConflict):
        operations.credit_topup(client_user, 5000, "topup:cs_1", ("topup", 1))
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == 1000
    assert count(db, LedgerTransaction) == 1


def test_spending_never_overdraws_and_a_refusal_changes_nothing(db, client_user, reader_user):
    topup(db, client_user, 500)
    with pytest.raises(InsufficientFunds):
        operations.purchase(client_user, 501, reader_user, 7000, "gift:1", ("gift", 1), "Gift")
    # The caller's transaction is still usable: the posting ran in a savepoint.
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == 500
    assert count(db, LedgerTransaction) == 1


def test_purchase_splits_with_the_reader_and_the_parts_add_up(db, client_user, reader_user):
    topup(db, client_user, 1000)
    operations.purchase(client_user, 333, reader_user, 7000, "gift:1", ("gift", 1), "Rose")
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == 667
    assert balance_of(db, accounts.reader_earnings(reader_user)) == 233  # floor(333 × 0.7)
    assert balance_of(db, accounts.platform_revenue()) == 100


@pytest.mark.parametrize(("amount", "share", "reader"), [(0, 7000, 0), (1, 7000, 0), (10, 7000, 7), (999, 7250, 724)])
def test_split_rounds_down_for_the_reader(amount, share, reader):
    assert operations.split(amount, share) == (reader, amount - reader)


def test_refund_and_dispute_may_take_a_wallet_below_zero(db, client_user, reader_user):
    topup(db, client_user, 1000)
    operations.purchase(client_user, 800, reader_user, 7000, "gift:1", ("gift", 1), "Crown")
    operations.debit_topup_refund(client_user, 1000, "refund:re_1", ("topup", 1))
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == -800


def test_a_dispute_freezes_spending_but_not_top_ups(db, client_user, reader_user):
    topup(db, client_user, 2000)
    operations.debit_dispute(client_user, 1000, "dispute:dp_1", ("topup", 1))
    db.session.commit()
    with pytest.raises(WalletFrozen):
        operations.purchase(client_user, 100, reader_user, 7000, "gift:1", ("gift", 1), "Rose")
    topup(db, client_user, 500, key="t2")
    assert balance_of(db, accounts.wallet(client_user)) == 1500


def test_hold_reserve_settle_and_release(db, client_user, reader_user):
    topup(db, client_user, 1000)
    reading = ("reading", 77)
    operations.reserve(client_user, reading, 300, "reading:77:minute:1", "Minute 1 reserved")
    operations.reserve(client_user, reading, 300, "reading:77:minute:2", "Minute 2 reserved")
    db.session.commit()
    hold = accounts.hold(*reading, client_user)
    assert balance_of(db, hold) == 600 and balance_of(db, accounts.wallet(client_user)) == 400
    operations.settle(client_user, reading, 451, reader_user, 7000, "reading:77:settle", "Reading")
    db.session.commit()
    assert balance_of(db, hold) == 0
    assert balance_of(db, accounts.wallet(client_user)) == 549
    assert balance_of(db, accounts.reader_earnings(reader_user)) == 315
    assert balance_of(db, accounts.platform_revenue()) == 136


def test_a_hold_cannot_pay_out_more_than_it_holds(db, client_user, reader_user):
    topup(db, client_user, 1000)
    operations.reserve(client_user, ("reading", 1), 100, "r1", "Minute 1")
    with pytest.raises(ValueError, match="cannot charge"):
        operations.settle(client_user, ("reading", 1), 101, reader_user, 7000, "r1:settle", "Reading")
    with pytest.raises(InsufficientFunds):
        operations.release(client_user, ("reading", 1), 101, "r1:release", "Back")
    db.session.commit()


def test_admin_adjustment_never_overdraws(db, client_user, make_user):
    admin = make_user(role="admin")
    operations.adjust_wallet(client_user, 500, "adj:1", admin, "Goodwill credit")
    with pytest.raises(InsufficientFunds):
        operations.adjust_wallet(client_user, -600, "adj:2", admin, "Correction")
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == 500


def test_entries_and_transactions_are_append_only_and_accounts_never_deleted(db, client_user):
    topup(db, client_user, 1000)
    for statement in (
        "DELETE FROM ledger_accounts",
        "UPDATE ledger_entries SET amount = amount + 1",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_transactions SET description = 'x'",
        "DELETE FROM ledger_transactions",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert balance_of(db, accounts.wallet(client_user)) == 1000


@pytest.mark.corrupts_ledger
def test_verify_finds_an_entry_whose_account_does_not_exist(app, db, client_user):
    topup(db, client_user, 1000)
    db.session.execute(
        sa.text(
            "INSERT INTO ledger_entries (transaction_id, account_id, amount) "
            "SELECT id, 987654, 1 FROM ledger_transactions LIMIT 1"
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "FAIL  every entry belongs to an existing account and transaction" in result.output


@pytest.mark.corrupts_ledger
def test_verify_finds_a_tampered_balance(app, db, client_user):
    topup(db, client_user, 1000)
    db.session.execute(sa.text("UPDATE ledger_accounts SET balance = 999999 WHERE kind = 'client_wallet'"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "FAIL  every cached balance equals the sum of its entries" in result.output


def test_refund_reverses_proportionally_from_reader_and_platform(db, client_user, reader_user, make_user):
    admin = make_user(role="admin")
    topup(db, client_user, 1000)
    operations.purchase(client_user, 333, reader_user, 7000, "gift:1", ("gift", 1), "Crown")  # 233 + 100
    operations.refund(client_user, reader_user, 100, 333, 233, "refund:1", ("gift", 1), admin, "Did not arrive")
    db.session.commit()
    assert balance_of(db, accounts.wallet(client_user)) == 767
    assert balance_of(db, accounts.reader_earnings(reader_user)) == 233 - 69  # floor(100 × 233 / 333)
    assert balance_of(db, accounts.platform_revenue()) == 100 - 31
    with pytest.raises(ValueError):
        operations.refund(client_user, reader_user, 334, 333, 233, "refund:2", ("gift", 1), admin, "Too much")


def test_a_batch_posts_in_order_and_a_refused_posting_writes_nothing(db, client_user, reader_user):
    topup(db, client_user, 500)
    wallet, hold = accounts.wallet_spec(client_user), accounts.hold_spec("reading", 9, client_user)
    outcomes = post_many(
        [
            operations.reservation(client_user, ("reading", 9), 300, "reading:9:minute:1", "Minute 1"),
            operations.reservation(client_user, ("reading", 9), 300, "reading:9:minute:2", "Minute 2"),
            operations.reservation(client_user, ("reading", 9), 200, "reading:9:minute:3", "Minute 3"),
            operations.reservation(client_user, ("reading", 9), 300, "reading:9:minute:1", "Minute 1"),
        ]
    )
    db.session.commit()
    first, refused, last, again = outcomes
    assert first.created and last.created
    assert isinstance(refused, InsufficientFunds) and (refused.balance, refused.needed) == (200, 300)
    assert not again.created and again.transaction_id == first.transaction_id
    assert reads.balance(wallet) == 0 and reads.balance(hold) == 500
    keys = db.session.execute(sa.select(LedgerTransaction.idempotency_key).order_by(LedgerTransaction.id)).scalars()
    assert list(keys) == ["topup:t1", "reading:9:minute:1", "reading:9:minute:3"]


def test_a_malformed_posting_in_a_batch_sends_nothing(db, client_user):
    topup(db, client_user, 500)
    good = operations.reservation(client_user, ("reading", 1), 100, "reading:1:minute:1", "Minute 1")
    bad = Posting(TransactionKind.ADJUSTMENT, "bad", [(accounts.wallet_spec(client_user), 5)], "bad")
    with pytest.raises(Unbalanced):
        post_many([good, bad])
    db.session.commit()
    assert count(db, LedgerTransaction) == 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
    ),
    numbers=st.lists(st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))),
    flags=st.lists(st.one_of(st.none(), st.booleans())),
)
def test_array_literals_reach_the_database_unchanged(db, texts, numbers, flags):
    row = db.session.execute(
        sa.text("SELECT CAST(:t AS text[]), CAST(:n AS bigint[]), CAST(:f AS boolean[])"),
        {"t": array_literal(texts), "n": array_literal(numbers), "f": array_literal(flags)},
    ).one()
    assert list(row) == [texts, numbers, flags]
