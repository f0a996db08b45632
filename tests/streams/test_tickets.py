"""Premium entry (L-5) on a frozen clock: one ticket per viewer per stream paid into a hold (real
parallel connections), settled to the reader and the platform once the stream has run 5 minutes,
released in full when it is cancelled, 30 minutes late or over within 5 minutes; without a ticket
no token; and "Remind me" (L-9). `flask ledger verify` runs after every test."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import accounts, reads
from soulseer.models import AuditEntry, Notification, Stream, StreamTicket, User
from soulseer.services import commerce
from soulseer.services import streams as streams_service
from soulseer.services.streams import access, lifecycle, reminders, tickets, viewers
from tests.streams.conftest import START, fund
from tests.support.money import earnings_of, revenue, wallet_of

pytestmark = pytest.mark.usefixtures("db", "agora_configured")


def premium(reader, price=500, at=None, title="Tarot for the new moon"):
    stream = lifecycle.create(reader, title, at, "premium", price)
    database.session.commit()
    return stream


def go_live(reader, stream):
    lifecycle.go_live(reader, stream.id)
    database.session.commit()


def tick(now):
    result = streams_service.tick(now)
    database.session.expire_all()
    return result


def held(ticket):
    return reads.balance(accounts.hold_spec("ticket", ticket.id, ticket.user_id))


def states():
    database.session.expire_all()
    return sorted(t.state for t in database.session.execute(sa.select(StreamTicket)).scalars())


def test_a_premium_stream_admits_ticket_holders_only(luna, nova, orla, signed_in):
    with clock.frozen(START):
        stream = premium(luna)
        go_live(luna, stream)
        assert not access.admitted(stream, nova)
        with pytest.raises(access.TokenRefused, match="Buy an entry ticket"):
            access.token(stream, nova)
        browser, token = signed_in(nova)
        page = browser.get(f"/live/{stream.id}").get_data(as_text=True)
        assert "Buy entry for $5.00" in page and "stream-chat-form" not in page and "gift-tray" not in page
        assert browser.get(f"/live/{stream.id}/token").status_code == 403
        poor = browser.post(f"/live/{stream.id}/ticket", data={"csrf_token": token})
        assert poor.status_code == 402 and "topup-in-place" in poor.get_data(as_text=True)
        assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamTicket)) == 0
        fund(nova, 2000)
        assert browser.post(f"/live/{stream.id}/ticket", data={"csrf_token": token}).status_code == 302
        assert wallet_of(nova) == 1500
        ticket = tickets.ticket_of(stream, nova)
        assert (ticket.state, held(ticket)) == ("held", 500)
        inside = browser.get(f"/live/{stream.id}").get_data(as_text=True)
        assert "stream-chat-form" in inside and "Buy entry" not in inside
        assert browser.get(f"/live/{stream.id}/token").get_json()["role"] == "audience"
        # Re-entry is free: buying again pays nothing.
        assert browser.post(f"/live/{stream.id}/ticket", data={"csrf_token": token}).status_code == 302
        assert wallet_of(nova) == 1500
        # Orla never bought one: still outside; the reader is inside.
        assert not access.admitted(stream, orla) and access.admitted(stream, luna)


def test_ten_parallel_buys_hold_once(app, luna, nova, run_in_parallel):
    stream = premium(luna)
    fund(nova, 2000)
    stream_id, nova_id = stream.id, nova.id

    def buy(i):
        ticket = tickets.buy(lifecycle.get(stream_id), database.session.get(User, nova_id))
        database.session.commit()
        return ticket.id

    results = run_in_parallel(buy, 10)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    database.session.expire_all()
    assert wallet_of(nova) == 1500 and states() == ["held"]


def test_settled_once_the_stream_has_run_five_minutes(luna, nova, orla):
    with clock.frozen(START):
        stream = premium(luna, price=1000)
        for person in (nova, orla):
            fund(person, 3000)
        tickets.buy(stream, nova)
        database.session.commit()
        go_live(luna, stream)
    with clock.frozen(START + timedelta(minutes=4, seconds=59)):
        tick(clock.now())
        assert states() == ["held"]
        tickets.buy(lifecycle.get(stream.id), orla)  # bought while live
        database.session.commit()
    with clock.frozen(START + timedelta(minutes=5)):
        tick(clock.now())
    assert states() == ["settled", "settled"]
    assert (wallet_of(nova), wallet_of(orla)) == (2000, 2000)
    assert (earnings_of(luna), revenue()) == (1400, 600)
    assert all(held(t) == 0 for t in database.session.execute(sa.select(StreamTicket)).scalars())
    with clock.frozen(START + timedelta(minutes=6)):
        assert tick(clock.now()) >= 0 and (earnings_of(luna), revenue()) == (1400, 600)  # never twice


@pytest.mark.parametrize(
    "story",
    ["cancelled before going live", "thirty minutes late", "ended within five minutes", "ended after five minutes"],
)
def test_each_release_rule(luna, nova, story):
    at = START + timedelta(hours=1)
    with clock.frozen(START):
        stream = premium(luna, price=800, at=at)
        fund(nova, 1000)
        tickets.buy(stream, nova)
        database.session.commit()
    if story == "cancelled before going live":
        with clock.frozen(START + timedelta(minutes=10)):
            lifecycle.end(luna, stream.id)
            database.session.commit()
            tick(clock.now())
    elif story == "thirty minutes late":
        with clock.frozen(at + timedelta(minutes=29, seconds=59)):
            tick(clock.now())
            assert states() == ["held"] and database.session.get(Stream, stream.id).state == "scheduled"
        with clock.frozen(at + timedelta(minutes=30)):
            tick(clock.now())
            assert database.session.get(Stream, stream.id).state == "cancelled"
            tick(clock.now())
    else:
        minutes = 4 if story == "ended within five minutes" else 5
        with clock.frozen(at):
            go_live(luna, stream)
        with clock.frozen(at + timedelta(minutes=minutes, seconds=30 if minutes == 4 else 0)):
            lifecycle.end(luna, stream.id)  # before any tick saw the five minutes
            database.session.commit()
            tick(clock.now())
    if story == "ended after five minutes":
        assert states() == ["settled"] and wallet_of(nova) == 200 and earnings_of(luna) == 560
    else:
        assert states() == ["released"] and wallet_of(nova) == 1000 and earnings_of(luna) == revenue() == 0


def test_the_sql_and_the_python_agree_on_what_is_due(luna, make_user):
    """due_clause (SQL) selects exactly the held tickets _decide (Python) has a decision for."""
    with clock.frozen(START):
        made = []
        for n, (state, started, ended) in enumerate([
            ("scheduled", None, None), ("live", 0, None), ("live", 5, None), ("live", 6, None),
            ("ended", 6, 4), ("ended", 6, 0), ("cancelled", None, 0),
        ]):  # fmt: skip
            reader = make_user(role="reader", consented=True)
            stream = Stream(id=n + 1, reader_id=reader.id, title=f"Stream {n}", kind="premium", state=state,
                            entry_price_cents=100, channel=f"ss-stream-{n + 1}-00000000",
                            started_at=START - timedelta(minutes=started) if started is not None else None,
                            ended_at=START - timedelta(minutes=ended) if ended is not None else None)  # fmt: skip
            viewer = make_user(role="client", consented=True)
            database.session.add(stream)
            database.session.flush()
            ticket = StreamTicket(stream_id=stream.id, user_id=viewer.id, price_cents=100, state="held")
            database.session.add(ticket)
            made.append((ticket, stream))
        database.session.flush()
        in_sql = set(
            database.session.execute(
                sa.select(StreamTicket.id).join(Stream, Stream.id == StreamTicket.stream_id)
                .where(tickets.due_clause(START))
            ).scalars()
        )  # fmt: skip
        in_python = {ticket.id for ticket, stream in made if tickets._decide(ticket, stream, START) is not None}
        assert in_sql == in_python == {made[i][0].id for i in (2, 3, 4, 5, 6)}
        database.session.rollback()


def test_refusals(luna, nova, signed_in):
    public = lifecycle.create(luna, "Open to all")
    database.session.commit()
    with pytest.raises(lifecycle.StreamError) as refusal:
        tickets.buy(public, nova)
    assert refusal.value.status == 404
    stream = premium(luna)
    with pytest.raises(lifecycle.StreamError) as refusal:
        tickets.buy(stream, luna)
    assert refusal.value.status == 403
    browser, token = signed_in(luna)
    for price, message in (("", "dollars"), ("0.50", "from $1.00 to $50.00"), ("51", "from $1.00 to $50.00")):
        answer = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "Premium night",
                                                           "kind": "premium", "entry_price": price})  # fmt: skip
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    made = browser.post("/reader/streams/new", data={"csrf_token": token, "title": "Premium night",
                                                     "kind": "premium", "entry_price": "$7.50"})  # fmt: skip
    assert made.status_code == 302
    database.session.expire_all()
    newest = database.session.execute(sa.select(Stream).order_by(Stream.id.desc())).scalars().first()
    assert (newest.kind, newest.entry_price_cents) == ("premium", 750)
    with pytest.raises(commerce.NotEnoughFunds):
        tickets.buy(stream, nova)


def test_remind_me(luna, nova, orla, signed_in):
    at = START + timedelta(hours=2)
    with clock.frozen(START):
        stream = lifecycle.create(luna, "Full moon circle", at)
        database.session.commit()
        browser, token = signed_in(nova)
        listing = browser.get("/live").get_data(as_text=True)
        assert "Remind me" in listing
        answer = browser.post(f"/live/{stream.id}/remind", data={"csrf_token": token, "action": "ask"},
                              headers={"HX-Request": "true"})  # fmt: skip
        assert answer.status_code == 200 and "Cancel the reminder" in answer.get_data(as_text=True)
        browser.post(f"/live/{stream.id}/remind", data={"csrf_token": token, "action": "ask"})  # twice: one row
        reminders.ask(stream, orla)
        reminders.cancel(stream, orla)
        database.session.commit()
        with pytest.raises(lifecycle.StreamError):
            reminders.ask(stream, luna)
        database.session.rollback()

    def told(user):
        database.session.expire_all()
        return [n.text for n in database.session.execute(sa.select(Notification).filter_by(user_id=user.id)).scalars()]

    with clock.frozen(at - timedelta(minutes=16)):
        tick(clock.now())
        assert told(nova) == []
    with clock.frozen(at - timedelta(minutes=15)):
        tick(clock.now())
        tick(clock.now())
        assert told(nova) == ["Luna goes live at 22:00 UTC: Full moon circle"]
    with clock.frozen(at):
        go_live(luna, lifecycle.get(stream.id))
    assert told(nova)[-1] == "Luna is live now: Full moon circle" and len(told(nova)) == 2
    assert told(orla) == []


def test_a_reminder_asked_within_the_last_15_minutes_is_told_only_the_start(luna, nova, orla):
    at = START + timedelta(hours=2)
    with clock.frozen(START):
        stream = lifecycle.create(luna, "Full moon circle", at)
        reminders.ask(stream, orla)  # long before
        database.session.commit()
    with clock.frozen(at - timedelta(minutes=5)):
        reminders.ask(lifecycle.get(stream.id), nova)
        database.session.commit()
        tick(clock.now())
    with clock.frozen(at):
        go_live(luna, lifecycle.get(stream.id))
    database.session.expire_all()

    def told(user):
        found = sa.select(Notification).filter_by(user_id=user.id).order_by(Notification.id)
        return [n.text for n in database.session.execute(found).scalars()]

    assert told(nova) == ["Luna is live now: Full moon circle"]
    assert told(orla) == ["Luna goes live at 22:00 UTC: Full moon circle", "Luna is live now: Full moon circle"]


def test_the_admin_ends_any_stream(luna, nova, make_user, login, app):
    stream = premium(luna)
    go_live(luna, stream)
    admin = make_user(role="admin", consented=True)
    browser = login(app.test_client(), admin)
    page = browser.get("/admin/streams")
    assert page.status_code == 200 and "Tarot for the new moon" in page.get_data(as_text=True)
    assert "Peak 0 watching" in page.get_data(as_text=True)
    # Its figures: the peak of viewers (heartbeats, kept by the tick), the gifts and the reader's
    # part of them, the entries sold.
    from tests.streams.test_gifts import send

    fund(nova, 5000)
    tickets.buy(stream, nova)
    database.session.commit()
    viewers.seen(stream, nova)
    tick(clock.now())
    send(lifecycle.get(stream.id), nova, "Crown")
    figures = browser.get("/admin/streams").get_data(as_text=True)
    assert "Peak 1 watching · 1 gift $10.00 (reader $7.00) · 1 entry $5.00" in figures
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page.get_data(as_text=True))
    short = browser.post(f"/admin/streams/{stream.id}/end", data={"csrf_token": token, "reason": "no"})
    assert short.status_code == 303 and database.session.get(Stream, stream.id).state == "live"
    done = browser.post(f"/admin/streams/{stream.id}/end", data={"csrf_token": token, "reason": "Against the rules"})
    assert done.status_code == 303
    database.session.expire_all()
    assert database.session.get(Stream, stream.id).state == "ended"
    entry = database.session.execute(sa.select(AuditEntry).filter_by(action="stream.ended")).scalar_one()
    assert (entry.actor_id, entry.reason) == (admin.id, "Against the rules")
    with pytest.raises(access.TokenRefused):
        access.token(database.session.get(Stream, stream.id), luna)
    client_browser = login(app.test_client(), nova)
    assert client_browser.get("/admin/streams").status_code == 403
