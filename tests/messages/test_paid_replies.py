"""Paid replies (next-areas.md §3 M-3..M-5): priced by the reader, locked for the client (the text
in no response, event, notification or export before unlock), unlocked once from the wallet with
the reader's share under real parallel connections, withdrawn before, immutable after (a database
trigger), contested within 72 hours and refunded from the moderation queue. `flask ledger verify`
runs after every test (conftest)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, keys, operations, reads
from soulseer.models import Message, ModerationItem, Notification, User
from soulseer.services import commerce
from soulseer.services.core import data_export
from soulseer.services.messages import paid, sending
from tests.messages.conftest import send
from tests.support.money import earnings_of, revenue, wallet_of

SECRET = "The Tower reversed: the move to Lisbon is right, and the letter arrives in March."


def fund(client, cents, name="cs_fund"):
    operations.credit_topup(client, cents, keys.topup(name), ("topup", abs(hash(name)) % 100_000))
    database.session.commit()


def transactions():
    return database.session.scalar(sa.select(sa.func.count()).select_from(LedgerTransaction))


@pytest.fixture
def conversation(luna, nova):
    message, _ = sending.start(nova, luna, "Should I move to Lisbon this spring?")
    database.session.commit()
    return message.conversation


@pytest.fixture
def reply(conversation, luna):
    """Luna's paid reply of $4.00 to Nova."""
    message = sending.send(conversation, luna, SECRET, price_cents=paid.check_price("4"))
    database.session.commit()
    return message


def test_the_reader_prices_a_reply_and_bad_prices_are_refused(signed_in, conversation, luna, nova):
    browser, token = signed_in(luna)
    for price, words in (("0.49", "from $0.50 to $100.00"), ("100.01", "from $0.50 to $100.00"),
                         ("abc", "Enter a price in dollars"), ("", "Enter a price in dollars")):  # fmt: skip
        answer = send(browser, token, conversation.id, SECRET, reply="paid", price=price)
        assert answer.status_code == 422 and words in answer.get_data(as_text=True)
        in_place = send(browser, token, conversation.id, SECRET, htmx=True, reply="paid", price=price)
        assert in_place.status_code == 200 and words in in_place.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1
    for price, cents in (("0.50", 50), ("$100", 10_000), ("4.5", 450)):
        assert send(browser, token, conversation.id, SECRET, reply="paid", price=price).status_code == 303
        newest = database.session.execute(sa.select(Message).order_by(Message.id.desc())).scalars().first()
        assert newest.price_cents == cents and newest.locked
    # A price typed with "Free" chosen is refused, not guessed.
    answer = send(browser, token, conversation.id, SECRET, reply="free", price="4")
    assert answer.status_code == 422 and "You typed a price but chose Free" in answer.get_data(as_text=True)
    assert send(browser, token, conversation.id, "A free word", reply="free", price=" ").status_code == 303
    # The client cannot price a message.
    client_browser, client_token = signed_in(nova)
    answer = send(client_browser, client_token, conversation.id, "Pay me", reply="paid", price="4")
    assert answer.status_code == 403


def test_the_hash_is_taken_at_send_and_the_database_keeps_an_unlocked_reply_unchanged(reply, nova):
    import hashlib

    assert reply.body_sha256 == hashlib.sha256(SECRET.encode()).hexdigest()
    # Before unlock the text may not drift from its hash either.
    with pytest.raises(sa.exc.IntegrityError, match="must match the hash"):
        database.session.execute(sa.update(Message).where(Message.id == reply.id).values(body="Changed"))
    database.session.rollback()
    fund(nova, 400)
    paid.unlock(nova, reply.id)
    database.session.commit()
    for change in ({"body": "Changed", "body_sha256": hashlib.sha256(b"Changed").hexdigest()},
                   {"price_cents": 100}, {"unlocked_at": None}):  # fmt: skip
        with pytest.raises(sa.exc.IntegrityError, match="never changes"):
            database.session.execute(sa.update(Message).where(Message.id == reply.id).values(**change))
        database.session.rollback()
    with pytest.raises(sa.exc.IntegrityError, match="never deleted"):
        database.session.execute(sa.delete(Message).where(Message.id == reply.id))
    database.session.rollback()
    with pytest.raises(Exception, match="no longer change"):
        paid.withdraw(database.session.get(User, reply.sender_id), reply.id)
    database.session.rollback()
    assert database.session.get(Message, reply.id).body == SECRET


def test_the_locked_text_is_in_nothing_the_client_receives_before_unlock(signed_in, conversation, luna, nova, tabs):
    reader_browser, reader_token = signed_in(luna)
    send(reader_browser, reader_token, conversation.id, SECRET, reply="paid", price="4")
    reply = database.session.execute(sa.select(Message).order_by(Message.id.desc())).scalars().first()
    browser, token = signed_in(nova)
    bodies = [
        browser.get(f"/messages/{conversation.id}"),
        browser.get("/messages"),
        browser.get("/notifications"),
        browser.get("/dashboard"),
        browser.get(f"/messages/{conversation.id}?before={reply.id + 1}", headers={"HX-Request": "true"}),
        browser.get(f"/report/message/{reply.id}"),
        browser.get("/account/export"),
    ]
    for response in bodies:
        assert response.status_code == 200, response.request.path
        assert SECRET.encode() not in response.data and b"Lisbon is right" not in response.data
    thread = bodies[0].get_data(as_text=True)
    assert "Unlock for $4.00" in thread and "15 words" in thread
    assert "Paid reply — 15 words, $4.00" in bodies[1].get_data(as_text=True)
    events = tabs()
    assert any(user_id == nova.id and event == f"conversation-{conversation.id}" for user_id, event, _ in events)
    assert all(SECRET not in html and "Lisbon is right" not in html for _, _, html in events if _ == nova.id)
    notifications = database.session.execute(sa.select(Notification.text)).scalars().all()
    assert not any("Lisbon" in text for text in notifications)
    [exported] = data_export.export_data(nova)["conversations"]
    assert exported["messages"][-1]["text"] == "locked, not purchased"
    # The reader sees what they wrote.
    assert SECRET in reader_browser.get(f"/messages/{conversation.id}").get_data(as_text=True)


def test_unlock_with_exactly_the_price_splits_it_with_the_reader(signed_in, reply, luna, nova):
    fund(nova, 400)
    browser, token = signed_in(nova)
    answer = browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": token},
                          headers={"HX-Request": "true"})  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and SECRET in html and "You unlocked this reply for $4.00" in html
    database.session.expire_all()
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (0, 280, 120)
    assert reads.posted(keys.unlock(reply.id)) is not None
    assert reads.sale(("message", reply.id)).paid == 400
    [note] = database.session.execute(sa.select(Notification).filter_by(kind="paid_reply")).scalars()
    assert (note.user_id, note.text) == (luna.id, "Nova unlocked your paid reply ($4.00)")
    again = browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": token})
    assert again.status_code == 303  # unlocking again: the text, no second debit
    database.session.expire_all()
    assert wallet_of(nova) == 0 and transactions() == 2  # the top-up and the one unlock
    [exported] = data_export.export_data(nova)["conversations"]
    assert exported["messages"][-1]["text"] == SECRET


def test_one_cent_short_is_refused_with_nothing_written_and_offers_a_top_up(signed_in, reply, luna, nova):
    fund(nova, 399)
    browser, token = signed_in(nova)
    before = transactions()
    answer = browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": token},
                          headers={"HX-Request": "true"})  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Top up your wallet first" in html
    assert 'class="topup-in-place"' in html and 'hx-trigger="sse:balance"' in html
    assert SECRET not in html
    plain = browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": token})
    assert plain.status_code == 402 and SECRET.encode() not in plain.data
    database.session.expire_all()
    assert transactions() == before and wallet_of(nova) == 399 and earnings_of(luna) == 0
    assert database.session.get(Message, reply.id).unlocked_at is None


def test_ten_parallel_unlocks_of_one_reply_debit_once(app, reply, luna, nova, run_in_parallel):
    fund(nova, 1000)
    nova_id, reply_id = nova.id, reply.id

    def unlock(i):
        message = paid.unlock(database.session.get(User, nova_id), reply_id)
        database.session.commit()
        return message.unlocked_at is not None

    assert run_in_parallel(unlock, 10) == [True] * 10
    database.session.expire_all()
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (600, 280, 120)
    unlocks = database.session.scalar(
        sa.select(sa.func.count()).select_from(LedgerTransaction).filter_by(reference_type="message")
    )
    assert unlocks == 1


def test_who_may_unlock_what(signed_in, make_user, conversation, reply, luna, nova):
    fund(nova, 1000)
    reader_browser, reader_token = signed_in(luna)
    assert (
        reader_browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": reader_token}).status_code
        == 403
    )
    orla = make_user(role="client", consented=True)
    fund(orla, 1000, "cs_orla")
    orla_browser, orla_token = signed_in(orla)
    assert orla_browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": orla_token}).status_code == 404
    assert (
        orla_browser.post(f"/messages/replies/{reply.id}/withdraw", data={"csrf_token": orla_token}).status_code == 404
    )
    assert orla_browser.post("/messages/replies/99999/unlock", data={"csrf_token": orla_token}).status_code == 404
    browser, token = signed_in(nova)
    question = database.session.execute(sa.select(Message).order_by(Message.id)).scalars().first()
    assert browser.post(f"/messages/replies/{question.id}/unlock", data={"csrf_token": token}).status_code == 403
    free = sending.send(conversation, luna, "A free word of comfort.")
    database.session.commit()
    assert browser.post(f"/messages/replies/{free.id}/unlock", data={"csrf_token": token}).status_code == 409
    assert browser.post(f"/messages/replies/{reply.id}/withdraw", data={"csrf_token": token}).status_code == 403
    database.session.expire_all()
    assert wallet_of(nova) == 1000 and wallet_of(orla) == 1000


def test_a_withdrawn_reply_cannot_be_unlocked(signed_in, reply, luna, nova):
    fund(nova, 1000)
    reader_browser, reader_token = signed_in(luna)
    answer = reader_browser.post(f"/messages/replies/{reply.id}/withdraw", data={"csrf_token": reader_token},
                                 headers={"HX-Request": "true"})  # fmt: skip
    assert "You withdrew this reply" in answer.get_data(as_text=True)
    browser, token = signed_in(nova)
    answer = browser.post(f"/messages/replies/{reply.id}/unlock", data={"csrf_token": token})
    assert answer.status_code == 409 and b"withdrew this reply" in answer.data and SECRET.encode() not in answer.data
    database.session.expire_all()
    assert wallet_of(nova) == 1000
    assert "withdrawn" in browser.get("/messages").get_data(as_text=True)


def test_a_contested_reply_is_refunded_from_the_queue_in_proportion(app, login, signed_in, make_user, reply, luna,
                                                                    nova):  # fmt: skip
    fund(nova, 400)
    browser, token = signed_in(nova)
    # Not before unlocking: there is nothing to contest yet.
    assert browser.get(f"/report/paid_reply/{reply.id}").status_code == 404
    paid.unlock(nova, reply.id)
    database.session.commit()
    thread = browser.get(f"/messages/{reply.conversation_id}").get_data(as_text=True)
    assert f"/report/paid_reply/{reply.id}" in thread
    contest = {"csrf_token": token, "reason": "not_answered", "note": "I asked about Lisbon and got a horoscope."}
    answer = browser.post(f"/report/paid_reply/{reply.id}", data=contest)
    assert answer.status_code == 303
    item = database.session.execute(sa.select(ModerationItem).filter_by(kind="paid_reply")).scalar_one()
    admin = make_user(role="admin", consented=True)
    admin_browser = login(app.test_client(), admin)
    page = admin_browser.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert "It did not answer my question" in page and "Refund $4.00 to the client" in page
    from tests.conftest import csrf_token_from

    admin_token = csrf_token_from(page)
    decision = {"csrf_token": admin_token, "refund-reason": "Did not answer the question."}
    answer = admin_browser.post(f"/admin/moderation/{item.id}/refund", data=decision)
    assert answer.status_code == 303
    database.session.expire_all()
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (400, 0, 0)
    assert database.session.get(ModerationItem, item.id).decision == "refunded"
    again = admin_browser.post(f"/admin/moderation/{item.id}/refund", data=decision)
    assert again.status_code == 409
    database.session.expire_all()
    assert wallet_of(nova) == 400
    # The window closes 72 hours after the unlock.
    with clock.frozen(database.session.get(Message, reply.id).unlocked_at + timedelta(hours=72, seconds=1)):
        assert browser.get(f"/report/paid_reply/{reply.id}").status_code == 404


def test_a_locked_reply_offers_no_refund(app, login, make_user, reply, luna, nova):
    from soulseer.services.moderation import flags, queue

    flags.flag(nova, "message", reply.id, "spam", "Bait: a paid reply to every question.")
    database.session.commit()
    item = database.session.execute(sa.select(ModerationItem).filter_by(kind="message")).scalar_one()
    assert queue.refundable(queue.entry(item.id)) == 0
    admin = make_user(role="admin", consented=True)
    with pytest.raises(Exception, match="Nothing was paid"):
        queue.refund(admin, item.id, "Refund it please")
    database.session.rollback()
    assert "Refund $" not in login(app.test_client(), admin).get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert commerce.refundable(paid.reference(reply)) == 0


def test_a_readers_paid_reply_figures_on_their_dashboard_and_the_admins_reader_page(
    app, login, signed_in, make_user, conversation, reply, luna, nova
):
    from soulseer.models import ReaderProfile
    from soulseer.services.moderation import flags, queue

    second = sending.send(conversation, luna, "Another paid answer", price_cents=1000)
    sending.send(conversation, luna, "A withdrawn one", price_cents=300)
    database.session.commit()
    fund(nova, 1400)
    paid.unlock(nova, reply.id)
    paid.unlock(nova, second.id)
    database.session.commit()
    flags.flag(nova, "paid_reply", second.id, "not_answered", "Nothing about my question.")
    database.session.commit()
    admin = make_user(role="admin", consented=True)
    item = database.session.execute(sa.select(ModerationItem).filter_by(kind="paid_reply")).scalar_one()
    queue.refund(admin, item.id, "Did not answer it.")
    database.session.commit()
    figures = paid.figures(luna)
    assert (figures.sent, figures.unlocked, figures.revenue_cents) == (3, 2, 1400)
    assert (figures.contested, figures.refunded_cents, figures.earned_cents) == (1, 1000, 280)
    assert earnings_of(luna) == 280
    dashboard = signed_in(luna)[0].get("/reader").get_data(as_text=True)
    assert "Your paid replies" in dashboard and "$14.00" in dashboard and "$2.80" in dashboard
    profile = database.session.execute(sa.select(ReaderProfile).filter_by(user_id=luna.id)).scalar_one()
    page = login(app.test_client(), admin).get(f"/admin/readers/{profile.id}").get_data(as_text=True)
    assert "Luna&#39;s paid replies" in page and "$10.00 refunded" in page


def test_the_other_persons_open_thread_follows_an_unlock_and_a_withdrawal(conversation, luna, nova, tabs):
    fund(nova, 400)
    reply = sending.send(conversation, luna, SECRET, price_cents=400)
    other = sending.send(conversation, luna, "Another locked answer", price_cents=300)
    database.session.commit()
    tabs()  # what sending published is not what this test looks at
    paid.unlock(nova, reply.id)
    database.session.commit()
    paid.withdraw(luna, other.id)
    database.session.commit()
    changes = {(user_id, event): html for user_id, event, html in tabs() if event.startswith("message-")}
    to_luna = changes[(luna.id, f"message-{reply.id}")]
    assert "Unlocked" in to_luna and "sse-swap" not in to_luna  # it will not change again
    to_nova = changes[(nova.id, f"message-{other.id}")]
    assert "Luna withdrew this reply. Nothing was charged." in to_nova and "Another locked answer" not in to_nova
    assert (luna.id, f"message-{other.id}") not in changes and (nova.id, f"message-{reply.id}") not in changes
