"""Commerce: the share rule, sales from the wallet, holds, refunds of split sales (docs/commerce.md)."""

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, keys, operations, reads
from soulseer.models import ReaderProfile, User
from soulseer.services import commerce
from tests.support.money import earnings_of, revenue, wallet_of


@pytest.fixture
def cass(db, make_user):
    client = make_user(role="client")
    operations.credit_topup(client, 10_000, keys.topup("cs_cass"), ("topup", 1))
    db.session.commit()
    return client


@pytest.fixture
def luna(db, make_user):
    return make_user(role="reader")


def test_the_share_is_the_setting_an_override_or_nothing_for_the_platform(app, db, luna):
    assert commerce.share_for(luna) == 7000  # no profile yet: the platform's setting
    profile = ReaderProfile(user_id=luna.id, display_name="Luna", slug="luna", share_override_bp=7250)
    db.session.add(profile)
    db.session.flush()
    assert commerce.share_for(luna) == commerce.share_for(profile) == 7250
    assert commerce.share_percent(7250) == "72.5%" and commerce.share_percent(7000) == "70%"
    assert commerce.share_for(commerce.PLATFORM) == 0
    app.config["READER_SHARE_PERCENT"] = 75
    try:
        profile.share_override_bp = None
        assert commerce.share_for(luna) == 7500
    finally:
        app.config["READER_SHARE_PERCENT"] = 70


def test_a_sale_splits_floor_to_the_reader_and_the_rest_to_the_platform_once_per_key(db, cass, luna):
    sale = commerce.charge(cass, luna, 999, "gift:a", ("gift", 1), "Gift: Rose")
    db.session.commit()
    assert (sale.created, sale.amount, sale.to_reader, sale.to_platform) == (True, 999, 699, 300)
    again = commerce.charge(cass, luna, 999, "gift:a", ("gift", 1), "Gift: Rose")
    assert (again.created, again.transaction_id) == (False, sale.transaction_id)
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (10_000 - 999, 699, 300)


def test_the_platform_keeps_all_of_its_own_sales(db, cass):
    sale = commerce.charge(cass, commerce.PLATFORM, 1500, "order:1:pay", ("order", 1), "Order 1")
    db.session.commit()
    assert (sale.to_reader, sale.to_platform) == (0, 1500)
    assert (wallet_of(cass), revenue()) == (8500, 1500)


def test_a_sale_the_wallet_cannot_pay_is_refused_with_nothing_written(db, make_user, luna):
    poor = make_user(role="client")
    with pytest.raises(commerce.NotEnoughFunds) as refused:
        commerce.charge(poor, luna, 100, "gift:b", ("gift", 2), "Gift")
    assert refused.value.status == 402
    assert database.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction)) == 0


def test_twenty_parallel_sales_on_a_wallet_with_funds_for_seven(db, make_user, luna, run_in_parallel):
    client = make_user(role="client")
    operations.credit_topup(client, 7 * 300 + 299, keys.topup("cs_seven"), ("topup", 7))
    db.session.commit()
    client_id, reader_id = client.id, luna.id

    def buy(i):
        payer, seller = database.session.get(User, client_id), database.session.get(User, reader_id)
        commerce.charge(payer, seller, 300, f"gift:par:{i}", ("gift", 100 + i), "Gift")
        database.session.commit()
        return "paid"

    results = run_in_parallel(buy, 20)
    assert results.count("paid") == 7
    assert all(isinstance(r, commerce.NotEnoughFunds) for r in results if r != "paid")
    database.session.expire_all()
    assert (wallet_of(client), earnings_of(luna), revenue()) == (299, 7 * 210, 7 * 90)


def test_money_held_then_settled_with_the_rest_released(db, cass, luna):
    reference = ("booking", 5)
    commerce.hold(cass, reference, 3000, "booking:5:hold", "Booking held")
    db.session.commit()
    assert (wallet_of(cass), reads.balance(accounts.hold_spec(*reference, cass))) == (7000, 3000)
    settlement = commerce.settle(cass, reference, 2001, luna, "booking:5:settle", "Booking with Luna")
    db.session.commit()
    assert (settlement.charged, settlement.to_reader, settlement.to_platform) == (2001, 1400, 601)
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (7999, 1400, 601)
    assert reads.balance(accounts.hold_spec(*reference, cass)) == 0


def test_a_settlement_keeps_the_share_fixed_when_the_price_was_agreed(db, cass, luna):
    commerce.hold(cass, ("reading", 9), 1000, keys.reading_minute(9, 1), "Minute 1")
    settlement = commerce.settle(
        cass, ("reading", 9), 1000, luna, keys.reading_settlement(9), "Reading", share_bps=8000
    )
    db.session.commit()
    assert (settlement.to_reader, earnings_of(luna)) == (800, 800)


def test_held_money_released_goes_back_to_the_wallet(db, cass):
    commerce.hold(cass, ("ticket", 3), 500, "ticket:3:hold", "Premium entry held")
    commerce.release(cass, ("ticket", 3), 500, "ticket:3:release", "Stream cancelled: entry returned")
    db.session.commit()
    assert wallet_of(cass) == 10_000


def test_refunds_of_a_split_sale_partial_then_full_each_once_per_key(db, cass, luna, make_user):
    admin = make_user(role="admin")
    reference = ("gift", 42)
    commerce.charge(cass, luna, 1000, "gift:42", reference, "Gift: Crown")  # 700 to Luna, 300 platform
    db.session.commit()
    first = commerce.refund(reference, 333, "gift:42:refund:a", admin, "Sent by mistake")
    again = commerce.refund(reference, 333, "gift:42:refund:a", admin, "Sent by mistake")
    db.session.commit()
    assert first.created and (again.created, again.transaction_id) == (False, first.transaction_id)
    # floor(333 × 700 / 1000) = 233 from Luna, 100 from the platform.
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (9000 + 333, 700 - 233, 300 - 100)
    assert commerce.refundable(reference) == 667
    rest = commerce.refund(reference, 667, "gift:42:refund:b", admin, "The rest")
    commerce.refund(reference, 667, "gift:42:refund:b", admin, "The rest")
    db.session.commit()
    assert rest.created
    # The whole sale back: Luna and the platform give back exactly what each got, to the cent.
    assert (wallet_of(cass), earnings_of(luna), revenue()) == (10_000, 0, 0)
    with pytest.raises(commerce.RefundRefused) as refused:
        commerce.refund(reference, 1, "gift:42:refund:c", admin, "One more cent")
    assert refused.value.field == "amount" and refused.value.status == 422


def test_a_refund_of_what_was_never_paid_is_refused(db, make_user):
    admin = make_user(role="admin")
    with pytest.raises(commerce.RefundRefused):
        commerce.refund(("gift", 404), 100, "gift:404:refund:a", admin, "Nothing")


def test_parallel_refunds_never_give_back_more_than_was_paid(db, cass, make_user, run_in_parallel):
    admin = make_user(role="admin")
    reference = ("order", 77)
    # A platform sale: no reader's earnings whose own floor would stop the fourth refund by chance.
    commerce.charge(cass, commerce.PLATFORM, 1000, "order:77:pay", reference, "Order 77")
    db.session.commit()
    admin_id = admin.id

    def refund(i):
        commerce.refund(reference, 300, f"order:77:refund:{i}", database.session.get(User, admin_id), "Duplicate")
        database.session.commit()
        return "refunded"

    results = run_in_parallel(refund, 10)
    assert results.count("refunded") == 3  # 3 × 300 ≤ 1000 < 4 × 300
    assert all(isinstance(r, commerce.RefundRefused) for r in results if r != "refunded")
    database.session.expire_all()
    assert reads.refunded(reference) == 900 and wallet_of(cass) == 9000 + 900
