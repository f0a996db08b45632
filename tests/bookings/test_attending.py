"""The booked reading through the real tick (next-areas.md S-6, S-7, S-8): the room opening 5
minutes before, the live room's meter without touching the wallet, settlement by the booking's rule,
no-shows, reminders exactly once, and the calendar files parsed back."""

from contextlib import contextmanager
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import keys, operations
from soulseer.models import Booking, BookingReminder, BookingSettings, Notification, OutboundEmail, Reading
from soulseer.models.reading import EndReason
from soulseer.services.bookings import attending, booking
from soulseer.services.core import ticks
from soulseer.services.marketplace import profiles
from soulseer.services.readings import lifecycle, metering, states
from tests.bookings.conftest import MONDAY_NOON
from tests.support.money import earnings_of, revenue, wallet_of

START = MONDAY_NOON + timedelta(hours=27)  # Tue 8 Dec 15:00 UTC = 10:00 EST


@contextmanager
def at(moment):
    with clock.frozen(moment):
        yield moment


def book(client, reader, start=START, length=15):
    with at(MONDAY_NOON):
        made = booking.book(client, profiles.profile_for(reader), "chat", length, start, "Europe/London")
        database.session.commit()
    return made


def tick(moment):
    with at(moment):
        handled = ticks.run(moment)
    database.session.expire_all()
    return handled


def reading_of(made):
    return database.session.execute(sa.select(Reading).filter_by(booking_id=made.id)).scalar_one_or_none()


def seen(reading_id, *users):
    locked = states.lock(reading_id)
    for user in users:
        metering.seen(locked, user.id, clock.now())
    database.session.commit()


def run_together(reading_id, people, start, seconds):
    """Both in the room, heartbeating every 10 s, the tick running, for `seconds` from `start`."""
    for step in range(0, seconds + 1, 10):
        with at(start + timedelta(seconds=step)):
            seen(reading_id, *people)
            ticks.run(clock.now())
    database.session.expire_all()


def test_the_tick_opens_the_room_five_minutes_before_and_the_reader_shows_busy(short_luna, nova):
    made = book(nova, short_luna)
    assert tick(START - timedelta(minutes=5, seconds=1))["bookings"] == 2  # only the two reminders
    assert reading_of(made) is None
    tick(START - timedelta(minutes=5))
    reading = reading_of(made)
    assert (reading.state, reading.mode, reading.minutes_reserved) == ("accepted", "chat", 15)
    assert database.session.get(Booking, made.id).state == "in_progress"
    assert profiles.profile_for(short_luna).status == "busy"
    told = (
        database.session.execute(
            sa.select(Notification.text).filter_by(user_id=nova.id).order_by(Notification.id.desc())
        )
        .scalars()
        .first()
    )
    assert told == "Your reading with Luna Starweaver is open: join now."
    assert tick(START - timedelta(minutes=4))["bookings"] == 0  # opened once, reminded once


def test_a_reading_delivered_in_full_settles_the_whole_price_and_never_touches_the_wallet(short_luna, nova):
    made = book(nova, short_luna)
    tick(START - timedelta(minutes=5))
    reading = reading_of(made)
    before = wallet_of(nova)
    run_together(reading.id, (nova, short_luna), START, 15 * 60 + 20)
    reading, made = reading_of(made), database.session.get(Booking, made.id)
    assert (reading.state, reading.end_reason, reading.metered_seconds) == ("finalized", EndReason.TIME_UP, 900)
    assert (made.state, made.outcome, made.charged_cents, made.refunded_cents) == ("completed", "delivered", 750, 0)
    assert (reading.cost_cents, reading.reader_earnings_cents, made.reader_earnings_cents) == (750, 525, 525)
    assert before == wallet_of(nova) == 10_000 - 750
    assert (earnings_of(short_luna), revenue()) == (525, 225)


@pytest.mark.parametrize(
    ("who_ends", "after", "charged"),
    [
        ("reader", 300, 250),  # 5 of 15 minutes: ceil(750 × 300 / 900) = 250, 500 back
        ("reader", 301, 251),  # a second more: ceil(250.8)
        ("reader", 845, 750),  # within a minute of the length: in full
        ("client", 300, 750),  # the client ended it: the whole price
    ],
)
def test_ending_early_gives_back_the_undelivered_part_only_when_the_reader_ends_it(
    short_luna, nova, who_ends, after, charged
):
    made = book(nova, short_luna)
    tick(START - timedelta(minutes=5))
    reading = reading_of(made)
    with at(START):
        seen(reading.id, nova, short_luna)
    with at(START + timedelta(seconds=after)):
        locked = states.lock(reading.id)
        metering.seen(locked, nova.id, clock.now())
        metering.seen(locked, short_luna.id, clock.now())
        lifecycle.finish(locked, short_luna if who_ends == "reader" else nova)
        database.session.commit()
    made = database.session.get(Booking, made.id)
    assert (made.state, made.charged_cents, made.refunded_cents) == ("completed", charged, 750 - charged)
    assert wallet_of(nova) == 10_000 - charged
    assert earnings_of(short_luna) == charged * 7000 // 10_000


@pytest.mark.parametrize(
    ("who_came", "state", "outcome", "back", "reader_count"),
    [
        ((), "cancelled", "reader_no_show", 750, 1),  # neither: everything back
        (("client",), "cancelled", "reader_no_show", 750, 1),
        (("reader",), "cancelled", "client_no_show", 375, 0),  # a late cancellation: 375 kept
        (("client", "reader"), "cancelled", "not_started", 750, 0),  # both, never together
    ],
)
def test_no_shows_ten_minutes_after_the_start(short_luna, nova, who_came, state, outcome, back, reader_count):
    made = book(nova, short_luna)
    tick(START - timedelta(minutes=5))
    reading = reading_of(made)
    people = {"client": nova, "reader": short_luna}
    for minute, who in enumerate(who_came):
        with at(START + timedelta(minutes=minute)):
            locked = states.lock(reading.id)
            metering.seen(locked, people[who].id, clock.now())
            metering.left(locked, people[who].id, clock.now())
            database.session.commit()
    assert tick(START + timedelta(minutes=9, seconds=59))["bookings"] == 0
    tick(START + timedelta(minutes=10))
    made, reading = database.session.get(Booking, made.id), reading_of(made)
    assert (made.state, made.outcome, made.refunded_cents) == (state, outcome, back)
    assert (reading.state, reading.end_reason) == ("cancelled", "join_timeout")
    assert wallet_of(nova) == 10_000 - 750 + back
    assert database.session.get(BookingSettings, short_luna.id).cancellations_count == reader_count
    assert profiles.profile_for(short_luna).status != "busy"
    assert tick(START + timedelta(minutes=11))["bookings"] == 0  # settled once


def test_needs_tick_in_python_and_in_sql_agree(short_luna, nova, make_user):
    made = book(nova, short_luna)
    moments = [START - timedelta(minutes=6), START - timedelta(minutes=5), START + timedelta(minutes=10)]
    for moment in moments:
        for state in ("confirmed", "in_progress", "completed", "cancelled"):
            for reading_state in (None, "accepted", "active", "cancelled", "finalized"):
                database.session.execute(sa.delete(Reading))
                database.session.execute(
                    sa.update(Booking).values(
                        state=state,
                        cancelled_at=moment if state == "cancelled" else None,
                        cancelled_by="client" if state == "cancelled" else None,
                    )
                )
                if reading_state:
                    database.session.add(
                        Reading(client_id=nova.id, reader_id=short_luna.id, mode="chat", rate_cents=50, share_bps=7000,
                                state=reading_state, request_expires_at=moment, booking_id=made.id)
                    )  # fmt: skip
                database.session.flush()
                in_sql = (
                    database.session.execute(sa.select(Booking.id).where(attending.needs_tick_clause(moment)))
                    .scalars()
                    .all()
                )
                row = database.session.get(Booking, made.id)
                database.session.refresh(row)
                assert bool(in_sql) == attending.needs_tick(row, reading_state, moment), (moment, state, reading_state)
    database.session.rollback()


# Reminders ----------------------------------------------------------------------------------------


def test_reminders_are_planned_only_when_still_ahead_and_sent_once_under_two_workers(
    app, short_luna, nova, run_in_parallel
):
    made = book(nova, short_luna)  # 27 hours ahead: both reminders
    soon = book(nova, short_luna, start=MONDAY_NOON + timedelta(hours=3))  # 3 hours ahead: only 15 minutes

    def kinds(b):
        return (
            database.session.execute(
                sa.select(BookingReminder.kind).filter_by(booking_id=b.id).order_by(BookingReminder.kind)
            )
            .scalars()
            .all()
        )

    assert (kinds(made), kinds(soon)) == (["15m", "24h"], ["15m"])
    due = START - timedelta(hours=24)

    def work(_):
        with app.test_request_context(), clock.frozen(due):
            return ticks.run(due)

    results = run_in_parallel(work, 2)
    assert not any(isinstance(r, Exception) for r in results), results
    database.session.expire_all()
    texts = database.session.execute(
        sa.select(Notification.user_id, Notification.text).where(Notification.text.like("%tomorrow%"))
    ).all()
    assert sorted(texts) == sorted([
        (nova.id, "Your reading with Luna Starweaver is tomorrow: Tuesday 8 December 2026, 3:00 PM GMT."),
        (short_luna.id, "Your reading with Nova is tomorrow: Tuesday 8 December 2026, 10:00 AM EST."),
    ])  # fmt: skip
    subjects = (
        database.session.execute(sa.select(OutboundEmail.subject).where(OutboundEmail.subject.like("%tomorrow")))
        .scalars()
        .all()
    )
    assert sorted(subjects) == ["Your reading with Luna Starweaver is tomorrow", "Your reading with Nova is tomorrow"]
    tick(due + timedelta(minutes=1))
    assert (
        database.session.execute(sa.select(sa.func.count()).where(Notification.text.like("%tomorrow%"))).scalar() == 2
    )


def test_the_batched_tick_in_two_workers_at_once_handles_each_booking_exactly_once(
    app, short_luna, nova, make_user, run_in_parallel
):
    """Eight no-shows (Tuesday) and eight 24-hour reminders (Wednesday), batches of two, two
    workers on their own connections at the same moment: every booking settled once, every
    reminder sent once, each person told once per booking."""
    orion = make_user(role="client", consented=True, display_name="Orion", time_zone="Europe/London")
    operations.credit_topup(orion, 10_000, keys.topup(f"cs_orion_{orion.id}"), ("topup", orion.id))
    database.session.commit()
    missed = [book(nova, short_luna, start=START + timedelta(minutes=30 * k)) for k in range(8)]
    tomorrow = [book(orion, short_luna, start=START + timedelta(days=1, minutes=30 * k)) for k in range(8)]
    moment = START + timedelta(minutes=30 * 7 + 15)  # the last one's 10 minutes are over

    def work(_):
        with app.test_request_context(), clock.frozen(moment):
            return attending.tick(moment, batch_size=2)

    results = run_in_parallel(work, 2)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sum(results) == 16  # each booking and each reminder in one worker's count only
    database.session.expire_all()
    for made in missed:
        made = database.session.get(Booking, made.id)
        assert (made.state, made.outcome, made.refunded_cents, made.sequence) == ("cancelled", "reader_no_show", 750, 1)
        told = database.session.execute(
            sa.select(Notification.user_id).where(
                Notification.link == f"/bookings/{made.id}", Notification.text.like("%did not join%")
            )
        ).scalars()
        assert sorted(told) == sorted([nova.id, short_luna.id])
    assert wallet_of(nova) == 10_000
    assert wallet_of(orion) == 10_000 - 8 * 750
    assert database.session.get(BookingSettings, short_luna.id).cancellations_count == 8
    for made in tomorrow:
        reminded = database.session.execute(
            sa.select(Notification.user_id).where(
                Notification.link == f"/bookings/{made.id}", Notification.text.like("%tomorrow%")
            )
        ).scalars()
        assert sorted(reminded) == sorted([orion.id, short_luna.id])
    sent = database.session.execute(
        sa.select(BookingReminder.kind, sa.func.count())
        .where(BookingReminder.sent_at.is_not(None))
        .group_by(BookingReminder.kind)
    ).all()
    assert sent == [("24h", 8)]
    subjects = database.session.execute(
        sa.select(OutboundEmail.to_address).where(OutboundEmail.subject.like("%tomorrow"))
    ).scalars()
    assert sorted(subjects) == sorted([orion.email, short_luna.email] * 8)


def test_cancelling_deletes_the_reminders_not_sent(short_luna, nova):
    made = book(nova, short_luna)
    with at(MONDAY_NOON):
        booking.cancel(booking.locked(made.id), nova)
        database.session.commit()
    assert database.session.execute(sa.select(sa.func.count(BookingReminder.id))).scalar() == 0


# Calendar files ------------------------------------------------------------------------------------


def parsed(text):
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_confirmation_and_cancellation_emails_carry_the_calendar_file(short_luna, nova):
    made = book(nova, short_luna)
    emails = database.session.execute(sa.select(OutboundEmail).order_by(OutboundEmail.id)).scalars().all()
    assert [e.to_address for e in emails] == [nova.email, short_luna.email]
    assert emails[0].subject == "Booked: 15-minute reading with Luna Starweaver, Tuesday 8 December 2026, 3:00 PM GMT"
    calendar, event = parsed(emails[0].calendar_ics)
    assert (emails[0].calendar_method, str(calendar["METHOD"]), str(calendar["PRODID"])) == (
        "PUBLISH",
        "PUBLISH",
        "-//SoulSeer//Bookings//EN",
    )
    assert str(event["UID"]).startswith(f"booking-{made.id}@") and int(event["SEQUENCE"]) == 0
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (START, START + timedelta(minutes=15))
    assert "DTSTART:20261208T150000Z" in emails[0].calendar_ics  # UTC: no VTIMEZONE needed
    assert str(event["SUMMARY"]) == "Chat reading with Luna Starweaver"
    assert str(parsed(emails[1].calendar_ics)[1]["SUMMARY"]) == "Chat reading with Nova"
    assert event.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(minutes=15)
    for email in emails:  # nobody's address in the file
        assert "@example.test" not in email.calendar_ics and "ORGANIZER" not in email.calendar_ics
    with at(MONDAY_NOON):
        booking.cancel(booking.locked(made.id), nova)
        database.session.commit()
    cancelled = (
        database.session.execute(
            sa.select(OutboundEmail).where(OutboundEmail.subject.like("Cancelled%")).order_by(OutboundEmail.id)
        )
        .scalars()
        .first()
    )
    calendar, event = parsed(cancelled.calendar_ics)
    assert (cancelled.calendar_method, str(calendar["METHOD"]), str(event["STATUS"])) == (
        "CANCEL",
        "CANCEL",
        "CANCELLED",
    )
    assert str(event["UID"]) == f"booking-{made.id}@{str(parsed(emails[0].calendar_ics)[1]['UID']).split('@')[1]}"
    assert int(event["SEQUENCE"]) == 1


def test_the_calendar_file_is_theirs_to_download(short_luna, nova, make_user, signed_in):
    made = book(nova, short_luna)
    browser, _ = signed_in(nova)
    answer = browser.get(f"/bookings/{made.id}.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8; method=PUBLISH"
    assert str(parsed(answer.get_data(as_text=True))[1]["SUMMARY"]) == "Chat reading with Luna Starweaver"
    stranger, _ = signed_in(make_user(role="client", consented=True))
    assert stranger.get(f"/bookings/{made.id}.ics").status_code == 404


def test_bookings_register_their_tick_and_their_settlement(app):
    with app.app_context():
        assert ticks.handlers()["bookings"] is attending.tick
        assert app.extensions[metering.PREPAID] is attending.settle_reading


def test_the_confirmation_goes_out_over_smtp_with_the_calendar_part_and_its_method(short_luna, nova, redis, app):
    import email

    from aiosmtpd.controller import Controller
    from rq import Queue, SimpleWorker

    from tests.core.test_mail import Inbox
    from tests.support.live_server import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False)
    try:
        book(nova, short_luna)
        SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)
    finally:
        app.config.update(saved)
        controller.stop()
    to_nova = next(m for m in inbox.messages if m.rcpt_tos == [nova.email])
    message = email.message_from_bytes(to_nova.content)
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH" and part.get_filename() == "reading.ics"
    assert str(parsed(part.get_payload(decode=True).decode())[1]["SUMMARY"]) == "Chat reading with Luna Starweaver"
