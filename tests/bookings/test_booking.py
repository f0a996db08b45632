"""Booking and cancelling (next-areas.md S-4, S-5): the slot checked again, the row and the hold in
one transaction, double booking impossible in the database, and the money of each cancellation
to the cent."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, reads
from soulseer.models import AuditEntry, Booking, BookingSettings, Notification
from soulseer.services import commerce
from soulseer.services.bookings import booking, zones
from soulseer.services.bookings.booking import BookingError, SlotTaken
from soulseer.services.marketplace import profiles
from tests.bookings.conftest import MONDAY_NOON, luna_takes_bookings
from tests.support.marketplace import make_profile
from tests.support.money import earnings_of, revenue, wallet_of

TUESDAY_10_NEW_YORK = MONDAY_NOON + timedelta(hours=27)  # Tue 8 Dec 15:00 UTC = 10:00 EST


def held(b):
    return reads.balance(accounts.hold_spec("booking", b.id, b.client_id))


def book(client, reader, start=TUESDAY_10_NEW_YORK, length=30, zone="Europe/London"):
    made = booking.book(client, profiles.profile_for(reader), "chat", length, start, zone)
    database.session.commit()
    return made


def cancel_at(b, actor, at):
    with clock.frozen(at):
        applied = booking.cancel(booking.locked(b.id), actor)
        database.session.commit()
    return applied


def test_both_exclusion_constraints_are_in_the_database(db):
    rows = database.session.execute(
        sa.text("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
    ).all()
    assert [name for name, _ in rows] == ["xc_bookings_client_no_overlap", "xc_bookings_reader_no_overlap"]
    assert "int4range(reader_id, reader_id, '[]'::text) WITH &&" in rows[1][1]
    assert "tstzrange(starts_at, blocked_until, '[)'::text) WITH &&" in rows[1][1]


def test_a_booking_holds_the_price_and_tells_the_reader(frozen_monday, luna, nova):
    made = book(nova, luna)
    assert (made.state, made.price_cents, made.share_bps) == ("confirmed", 1500, 7000)
    assert made.ends_at == TUESDAY_10_NEW_YORK + timedelta(minutes=30)
    assert made.blocked_until == made.ends_at + timedelta(minutes=10)
    assert (made.client_time_zone, made.reader_time_zone) == ("Europe/London", "America/New_York")
    assert (wallet_of(nova), held(made)) == (8500, 1500)
    told = database.session.execute(sa.select(Notification).filter_by(user_id=luna.id, kind="booking")).scalar_one()
    assert told.text == "Nova booked a 30-minute chat reading: Tuesday 8 December 2026, 10:00 AM EST"
    assert told.link == f"/bookings/{made.id}"


def test_a_flat_price_replaces_the_rate_times_the_length(frozen_monday, luna, nova):
    luna_takes_bookings(luna, prices={60: "39.50"})
    assert book(nova, luna, length=60).price_cents == 3950
    assert wallet_of(nova) == 10_000 - 3950


@pytest.mark.parametrize(
    "start",
    [
        MONDAY_NOON + timedelta(hours=2, minutes=30),  # Monday 09:30 in New York: inside 3 hours' notice
        TUESDAY_10_NEW_YORK + timedelta(minutes=5),  # off the :00/:15/:30/:45 grid
        TUESDAY_10_NEW_YORK - timedelta(hours=2),  # 08:00 in New York: before her hours
        MONDAY_NOON + timedelta(days=61),  # past the 60-day horizon
    ],
)
def test_a_time_the_list_would_not_show_is_refused_and_nothing_is_kept(frozen_monday, luna, nova, start):
    luna_takes_bookings(luna, notice_minutes=180)
    with pytest.raises(SlotTaken):
        booking.book(nova, profiles.profile_for(luna), "chat", 30, start, "Europe/London")
    database.session.rollback()
    assert database.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 0
    assert wallet_of(nova) == 10_000


def test_a_length_or_mode_she_does_not_offer_is_refused(frozen_monday, luna, nova):
    profile = profiles.profile_for(luna)
    with pytest.raises(BookingError) as refused:
        booking.book(nova, profile, "chat", 45, TUESDAY_10_NEW_YORK, "Europe/London")
    assert refused.value.field == "length"
    with pytest.raises(BookingError) as refused:
        booking.book(nova, profile, "video", 30, TUESDAY_10_NEW_YORK, "Europe/London")
    assert refused.value.field == "mode"
    with pytest.raises(zones.ZoneError) as refused:
        booking.book(nova, profile, "chat", 30, TUESDAY_10_NEW_YORK, "Mars/Olympus_Mons")
    assert refused.value.field == "time_zone"


def test_the_buffer_keeps_the_next_half_hour_free_and_a_cancelled_booking_frees_the_slot(
    frozen_monday, luna, nova, make_user
):
    first = book(nova, luna)
    other = make_user(role="client", consented=True)
    from soulseer.ledger import keys, operations

    operations.credit_topup(other, 5000, keys.topup("cs_other"), ("topup", 99))
    database.session.commit()
    with pytest.raises(SlotTaken):  # 10:30 starts inside the 10-minute break after 10:00–10:30
        booking.book(other, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK + timedelta(minutes=30), "UTC")
    database.session.rollback()
    assert book(other, luna, TUESDAY_10_NEW_YORK + timedelta(minutes=45), zone="UTC").state == "confirmed"
    cancel_at(first, nova, MONDAY_NOON)
    assert book(other, luna, TUESDAY_10_NEW_YORK - timedelta(minutes=30), zone="UTC").state == "confirmed"


def funded_clients(make_user, n, tag):
    """The ids of `n` new clients with $20.00 each (committed: other connections see them)."""
    from soulseer.ledger import keys, operations

    clients = []
    for index in range(n):
        client = make_user(role="client", consented=True)
        operations.credit_topup(client, 2000, keys.topup(f"cs_{tag}_{index}"), ("topup", client.id))
        clients.append(client.id)
    database.session.commit()
    return clients


def booking_at(reader, clients, start_of):
    """take(i) for run_in_parallel: client i books `reader` for 30 minutes at `start_of(i)` on the
    frozen Monday, on its own connection; returns the booking's id."""
    from soulseer.models import User

    reader_id = reader.id

    def take(i):
        with clock.frozen(MONDAY_NOON):
            client = database.session.get(User, clients[i])
            made = booking.book(client, profiles.profile_for(reader_id), "chat", 30, start_of(i), "UTC")
            database.session.commit()
            return made.id

    return take


def test_eight_clients_taking_one_slot_at_once_give_exactly_one_booking(app, luna, make_user, run_in_parallel):
    clients = funded_clients(make_user, 8, "race")
    results = run_in_parallel(booking_at(luna, clients, lambda i: TUESDAY_10_NEW_YORK), 8)
    booked = [r for r in results if isinstance(r, int)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    assert len(booked) == 1 and len(taken) == 7, results
    database.session.expire_all()
    assert database.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 1
    holds = database.session.execute(
        sa.select(sa.func.count(LedgerTransaction.id)).where(LedgerTransaction.kind == "hold_reserve")
    ).scalar()
    assert holds == 1
    assert sum(wallet_of(user_id) for user_id in clients) == 8 * 2000 - 1500


def test_the_database_refuses_an_overlap_even_when_the_slot_check_is_skipped(frozen_monday, luna, nova, make_user):
    """The constraint, not the check, is what makes it impossible: a row written around the service."""
    first = book(nova, luna)
    other = make_user(role="client", consented=True)
    twin = Booking(
        client_id=other.id, reader_id=luna.id, mode="chat", length_minutes=15, price_cents=750, share_bps=7000,
        starts_at=first.ends_at + timedelta(minutes=5), ends_at=first.ends_at + timedelta(minutes=20),
        blocked_until=first.ends_at + timedelta(minutes=30), client_time_zone="UTC", reader_time_zone="UTC",
        state="confirmed",
    )  # fmt: skip
    database.session.add(twin)
    with pytest.raises(sa.exc.IntegrityError) as refused:
        database.session.flush()
    assert refused.value.orig.sqlstate == "23P01"
    database.session.rollback()


def test_a_client_cannot_hold_two_bookings_at_once(frozen_monday, luna, nova, make_user):
    book(nova, luna)
    orion = make_user(role="reader", consented=True, display_name="Orion")
    make_profile(orion, "Orion", status="offline", chat="1.00")
    luna_takes_bookings(orion, time_zone="America/New_York")
    with pytest.raises(BookingError) as refused:
        booking.book(nova, profiles.profile_for(orion), "chat", 30, TUESDAY_10_NEW_YORK + timedelta(minutes=15), "UTC")
    assert (refused.value.status, refused.value.message) == (409, "You already have a booking at that time.")
    database.session.rollback()
    assert wallet_of(nova) == 10_000 - 1500


def test_too_little_balance_books_nothing(frozen_monday, luna, make_user):
    from soulseer.ledger import keys, operations

    poor = make_user(role="client", consented=True)
    operations.credit_topup(poor, 1499, keys.topup("cs_poor"), ("topup", 5))
    database.session.commit()
    with pytest.raises(commerce.NotEnoughFunds):
        booking.book(poor, profiles.profile_for(luna), "chat", 30, TUESDAY_10_NEW_YORK, "UTC")
    database.session.rollback()
    assert database.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 0
    assert wallet_of(poor) == 1499


# Cancelling: the money of each rule, to the cent ----------------------------------------------------


@pytest.mark.parametrize(
    ("price", "before", "back", "kept", "to_reader"),
    [
        ("25.00", timedelta(hours=24), 2500, 0, 0),  # 24 h exactly: still the full refund
        ("25.00", timedelta(hours=24) - timedelta(seconds=1), 1250, 1250, 875),
        ("19.99", timedelta(hours=24) - timedelta(seconds=1), 1000, 999, 699),  # the odd cent to the client
        ("19.99", timedelta(hours=25), 1999, 0, 0),
    ],
)
def test_the_client_cancelling_gets_back_what_the_rule_says(
    frozen_monday, luna, nova, price, before, back, kept, to_reader
):
    luna_takes_bookings(luna, prices={30: price})
    made = book(nova, luna)
    paid = made.price_cents
    assert booking.terms(made, "client", TUESDAY_10_NEW_YORK - before).refund == back  # what the page says
    applied = cancel_at(made, nova, TUESDAY_10_NEW_YORK - before)
    database.session.refresh(made)
    assert (applied.refund, applied.kept) == (back, kept)
    assert (made.state, made.cancelled_by, made.refunded_cents, made.charged_cents) == (
        "cancelled",
        "client",
        back,
        kept,
    )
    assert made.reader_earnings_cents == to_reader
    assert (wallet_of(nova), held(made), earnings_of(luna), revenue()) == (
        10_000 - paid + back,
        0,
        to_reader,
        kept - to_reader,
    )
    assert database.session.get(BookingSettings, luna.id).cancellations_count == 0


@pytest.mark.parametrize("who", ["reader", "admin"])
def test_the_reader_or_an_admin_cancelling_gives_everything_back_and_counts_for_the_reader(
    frozen_monday, luna, nova, make_user, who
):
    made = book(nova, luna)
    actor = luna if who == "reader" else make_user(role="admin")
    applied = cancel_at(made, actor, TUESDAY_10_NEW_YORK - timedelta(minutes=30))  # late: still everything
    database.session.refresh(made)
    assert (applied.refund, applied.kept, made.cancelled_by) == (1500, 0, who)
    assert (wallet_of(nova), held(made), earnings_of(luna)) == (10_000, 0, 0)
    assert database.session.get(BookingSettings, luna.id).cancellations_count == 1
    told = database.session.execute(
        sa.select(Notification.text).filter_by(user_id=nova.id, kind="booking")
    ).scalar_one()
    assert told.endswith("$15.00 is back in your wallet.")
    logged = database.session.execute(sa.select(AuditEntry.action, AuditEntry.actor_id)).all()
    assert logged == ([("booking.cancelled", actor.id)] if who == "admin" else [])


def test_cancelling_twice_or_someone_elses_booking_is_refused(frozen_monday, luna, nova, make_user):
    made = book(nova, luna)
    stranger = make_user(role="client")
    with pytest.raises(BookingError) as refused:
        booking.cancel(booking.locked(made.id), stranger)
    assert refused.value.status == 404
    database.session.rollback()
    cancel_at(made, nova, MONDAY_NOON)
    with pytest.raises(BookingError) as refused:
        cancel_at(made, nova, MONDAY_NOON)
    assert refused.value.status == 409
    database.session.rollback()
    assert wallet_of(nova) == 10_000


def test_changing_her_time_zone_never_moves_a_booking(frozen_monday, luna, nova):
    made = book(nova, luna)
    luna_takes_bookings(luna, time_zone="Asia/Tokyo")
    database.session.refresh(made)
    assert (made.starts_at, made.reader_time_zone) == (TUESDAY_10_NEW_YORK, "America/New_York")


def test_a_day_at_her_daily_cap_takes_no_more_bookings(frozen_monday, luna, nova, make_user):
    from soulseer.ledger import keys, operations

    database.session.get(BookingSettings, luna.id).daily_cap = 1
    database.session.commit()
    book(nova, luna)  # Tuesday 10:00 in New York
    other = make_user(role="client", consented=True)
    operations.credit_topup(other, 5000, keys.topup("cs_cap_other"), ("topup", other.id))
    database.session.commit()
    with pytest.raises(SlotTaken):
        book(other, luna, TUESDAY_10_NEW_YORK + timedelta(hours=3))  # the same day: full
    database.session.rollback()
    assert book(other, luna, TUESDAY_10_NEW_YORK + timedelta(days=1)).state == "confirmed"  # Wednesday


def test_two_clients_taking_the_last_place_of_a_capped_day_at_once_give_one_booking(
    app, luna, make_user, run_in_parallel
):
    """Different times, so the exclusion constraint does not decide: the settings row's lock does."""
    database.session.get(BookingSettings, luna.id).daily_cap = 1
    clients = funded_clients(make_user, 2, "cap-race")
    results = run_in_parallel(booking_at(luna, clients, lambda i: TUESDAY_10_NEW_YORK + timedelta(hours=2 * i)), 2)
    assert sorted(type(r).__name__ for r in results) == ["SlotTaken", "int"], results
    database.session.expire_all()
    assert database.session.execute(sa.select(sa.func.count(Booking.id))).scalar() == 1
