"""A reader's earnings from the ledger on a frozen clock: what clears after 3 days, what a client's
open report holds, and the page that shows each figure with the lines behind it."""

from datetime import UTC, datetime, timedelta

import pytest

from soulseer import clock
from soulseer.models import ItemState, ModerationItem
from soulseer.services import commerce
from soulseer.services.payouts import earnings
from tests.support.payouts import earn

MONDAY = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def buyer(make_user):
    return make_user(role="client", consented=True)


def test_earnings_clear_after_three_days(db, reader, buyer):
    with clock.frozen(MONDAY):
        first = earn(buyer, reader, 2000)  # 70%: $14.00
    with clock.frozen(MONDAY + timedelta(days=2)):
        second = earn(buyer, reader, 1000)  # $7.00
        now = earnings.of(reader)
        assert (first, second) == (1400, 700)
        assert now.balance == 2100 and now.clearing.cents == 2100 and now.available == 0
        assert now.clearing.count == 2 and now.earned.cents == 2100

    with clock.frozen(MONDAY + timedelta(days=3)):  # the first is exactly 3 days old: cleared
        now = earnings.of(reader)
        assert now.clearing.cents == 700 and now.available == 1400
        assert [line.amount for line in now.clearing.lines] == [700]

    with clock.frozen(MONDAY + timedelta(days=5, seconds=1)):
        now = earnings.of(reader)
        assert now.clearing.cents == 0 and now.clearing.count == 0 and now.available == 2100


def test_the_clearing_period_is_a_setting(app, db, reader, buyer, monkeypatch):
    monkeypatch.setitem(app.config, "PAYOUT_CLEARING_DAYS", 1)
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000)
    with clock.frozen(MONDAY + timedelta(days=1)):
        assert earnings.of(reader).available == 1400


def test_a_refund_comes_out_of_what_is_clearing_first_and_never_below_zero(db, reader, buyer, make_user):
    admin = make_user(role="admin")
    with clock.frozen(MONDAY):
        earn(buyer, reader, 1000, reference=("sale", 900))
    with clock.frozen(MONDAY + timedelta(days=10)):
        earn(buyer, reader, 2000, reference=("sale", 901))  # $14.00, clearing
        commerce.refund(("sale", 901), 2000, "refund:901", admin, "The reading did not happen")
        db.session.commit()
        now = earnings.of(reader)
        assert now.balance == 700 and now.earned.cents == 700
        # Its credit is still within the window, but the refund took it back: clearing is
        # capped at what her earnings hold, and the cleared $7.00 stays available.
        assert now.clearing.cents == 700 and now.available == 0
    with clock.frozen(MONDAY + timedelta(days=14)):
        assert earnings.of(reader).available == 700


def test_a_reading_a_client_reported_is_held_until_the_report_is_closed(db, reader, buyer):
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000, reference=("reading", 41))  # $14.00
        earn(buyer, reader, 1000, reference=("reading", 42))  # $7.00
        report = ModerationItem(kind="reading", target_id=41, author_id=reader.id)
        db.session.add(report)
        db.session.commit()
    with clock.frozen(MONDAY + timedelta(days=4)):
        now = earnings.of(reader)
        assert now.held.cents == 1400 and now.held.count == 1 and now.available == 700

        report.state, report.decided_at = ItemState.DISMISSED, clock.now()
        db.session.commit()
        assert earnings.of(reader).available == 2100


def test_a_report_about_another_readers_reading_holds_nothing_of_hers(db, reader, buyer, make_user):
    other = make_user(role="reader")
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000, reference=("reading", 41))
        db.session.add(ModerationItem(kind="reading", target_id=41, author_id=other.id))
        db.session.commit()
    with clock.frozen(MONDAY + timedelta(days=4)):
        assert earnings.of(reader).held.cents == 0


def test_a_contested_paid_reply_and_a_reported_order_are_held_until_decided(db, reader, buyer):
    """A paid reply may be contested for 72 hours after it is unlocked and the queue decides later:
    what a report questions stays out of payouts whatever its age, so a refund still finds it."""
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000, reference=("message", 51))  # $14.00, contested
        earn(buyer, reader, 1000, reference=("order", 52))  # $7.00, "Report a problem with this order"
        earn(buyer, reader, 500, reference=("message", 53))  # $3.50, nobody's report
        contest = ModerationItem(kind="paid_reply", target_id=51, author_id=reader.id)
        report = ModerationItem(kind="order", target_id=52, author_id=reader.id)
        db.session.add_all([contest, report])
        db.session.commit()
    with clock.frozen(MONDAY + timedelta(days=4)):
        now = earnings.of(reader)
        assert (now.held.cents, now.held.count, now.available) == (2100, 2, 350)
        assert earnings.payable([reader.id])[reader.id].available == 350  # the daily run's figure

        contest.state, contest.decided_at = ItemState.ACTIONED, clock.now()
        db.session.commit()
        assert earnings.of(reader).available == 1750
        report.state, report.decided_at = ItemState.DISMISSED, clock.now()
        db.session.commit()
        assert earnings.of(reader).available == 2450


def test_a_report_of_a_booked_reading_holds_its_bookings_settlement(db, reader, buyer):
    """A booked reading is paid through its booking's hold: the settlement references the booking."""
    from soulseer.models import Booking, Reading

    with clock.frozen(MONDAY):
        booked = Booking(
            client_id=buyer.id, reader_id=reader.id, mode="chat", length_minutes=30, price_cents=3000,
            share_bps=7000, starts_at=MONDAY, ends_at=MONDAY + timedelta(minutes=30),
            blocked_until=MONDAY + timedelta(minutes=40), client_time_zone="UTC", reader_time_zone="UTC",
            state="completed",
        )  # fmt: skip
        db.session.add(booked)
        db.session.flush()
        reading = Reading(
            client_id=buyer.id, reader_id=reader.id, mode="chat", rate_cents=100, share_bps=7000,
            state="finalized", request_expires_at=MONDAY, booking_id=booked.id,
        )  # fmt: skip
        db.session.add(reading)
        db.session.flush()
        earn(buyer, reader, 3000, reference=("booking", booked.id))  # $21.00
        earn(buyer, reader, 1000, reference=("reading", reading.id + 1))  # $7.00, another reading
        db.session.add(ModerationItem(kind="reading", target_id=reading.id, author_id=reader.id))
        db.session.commit()
    with clock.frozen(MONDAY + timedelta(days=4)):
        now = earnings.of(reader)
        assert (now.held.cents, now.available) == (2100, 700)


def test_the_page_shows_each_figure_with_the_lines_behind_it(app, db, reader, buyer, login):
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000)
    with clock.frozen(MONDAY + timedelta(days=4)):
        earn(buyer, reader, 1000)
        page = login(app.test_client(), reader).get("/reader/payouts")
        html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'data-figure="available">$14.00<' in html
    assert 'data-figure="clearing">$7.00<' in html
    assert 'data-figure="balance">$21.00<' in html
    assert 'data-figure="earned">$21.00<' in html
    assert "1 ledger line behind clearing" in html and "2 ledger lines behind earned in all" in html
    assert "2 ledger lines behind not paid out yet" in html
    assert "6 Nov 2026, 12:00 UTC" in html and "+$7.00" in html


def test_the_reader_dashboard_shows_what_is_available(app, db, reader, buyer, login):
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000)
    with clock.frozen(MONDAY + timedelta(days=4)):
        html = login(app.test_client(), reader).get("/reader").get_data(as_text=True)
    assert "Payouts" in html and "$14.00" in html and "Set up payouts" in html


def test_the_help_page_tells_readers_how_they_are_paid(app, db, client):
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)
    db.session.commit()
    html = client.get("/pages/help").get_data(as_text=True)
    assert "Getting paid (readers)" in html and "Pay me now" in html and "clear after 3 days" in html


def test_many_readers_figures_at_once_are_each_ones_own(db, reader, buyer, make_user):
    """earnings.payable (the daily run's batches) gives each reader the figures `of` gives her:
    a report holds only the reported reader's own reading."""
    other, newcomer = make_user(role="reader"), make_user(role="reader")
    with clock.frozen(MONDAY):
        earn(buyer, reader, 2000, reference=("reading", 41))  # $14.00
        earn(buyer, reader, 1000, reference=("reading", 42))  # $7.00
        earn(buyer, other, 2000, reference=("reading", 43))  # $14.00
        db.session.add_all([
            ModerationItem(kind="reading", target_id=41, author_id=other.id),  # not hers: holds nothing
            ModerationItem(kind="reading", target_id=42, author_id=reader.id),  # hers: $7.00 held
            ModerationItem(kind="reading", target_id=43, author_id=reader.id),  # not other's: nothing
        ])  # fmt: skip
        db.session.commit()
    with clock.frozen(MONDAY + timedelta(days=3)):
        earn(buyer, other, 1000)  # $7.00, clearing
    with clock.frozen(MONDAY + timedelta(days=4)):
        found = earnings.payable([reader.id, other.id, newcomer.id])
        assert found == {
            reader.id: earnings.Payable(balance=2100, clearing=0, held=700),
            other.id: earnings.Payable(balance=2100, clearing=700, held=0),
            newcomer.id: earnings.Payable(balance=0, clearing=0, held=0),
        }
        for user in (reader, other, newcomer):
            one = earnings.of(user, with_lines=False)
            assert (one.balance, one.clearing.cents, one.held.cents, one.available) == (
                found[user.id].balance, found[user.id].clearing, found[user.id].held, found[user.id].available
            )  # fmt: skip
        assert [found[u.id].available for u in (reader, other, newcomer)] == [1400, 1400, 0]
