"""Conversations and free messages (PRODUCT.md §7; next-areas.md §3 M-1, M-2, M-6..M-9)."""

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import Conversation, Flag, Message, ModerationItem, Notification, UserStatus
from soulseer.services.core import data_export
from soulseer.services.messages import conversations, unread
from tests.messages.conftest import send, start
from tests.moderation.conftest import make_reading


def count(model):
    return database.session.scalar(sa.select(sa.func.count()).select_from(model))


def the_conversation():
    return database.session.execute(sa.select(Conversation)).scalar_one()


def test_a_client_starts_one_conversation_per_reader_from_the_readers_page(signed_in, luna, nova):
    browser, token = signed_in(nova)
    page = browser.get("/readers/luna").get_data(as_text=True)
    assert 'href="/messages/new?reader=luna"' in page  # "Message" on the reader's page
    assert browser.get("/messages/new?reader=luna").status_code == 200
    answer = start(browser, token, "luna", "Hello Luna,\nwill I find a new job?")
    conversation = the_conversation()
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(f"/messages/{conversation.id}#message-")
    # A second "Message" goes to the same conversation, and a second start writes in it.
    assert browser.get("/messages/new?reader=luna").headers["Location"] == f"/messages/{conversation.id}"
    start(browser, token, "luna", "One more thing.")
    assert count(Conversation) == 1 and count(Message) == 2
    assert (conversation.client_id, conversation.reader_id) == (nova.id, luna.id)


def test_line_breaks_are_kept_and_the_text_is_escaped(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Line one\r\n<script>alert(1)</script>\nLine three")
    conversation = the_conversation()
    assert database.session.execute(sa.select(Message.body)).scalar_one() == (
        "Line one\n<script>alert(1)</script>\nLine three"
    )
    page = browser.get(f"/messages/{conversation.id}").get_data(as_text=True)
    assert "Line one\n&lt;script&gt;alert(1)&lt;/script&gt;\nLine three" in page
    assert "<script>alert(1)" not in page


def test_bad_bodies_are_refused_with_nothing_written(signed_in, luna, nova):
    browser, token = signed_in(nova)
    for body, words in (("", "Write a message first."), ("   \n ", "Write a message first."),
                        ("x" * 5001, "up to 5,000 characters")):  # fmt: skip
        answer = start(browser, token, "luna", body)
        assert answer.status_code == 422 and words in answer.get_data(as_text=True)
    assert count(Conversation) == 0 and count(Message) == 0
    start(browser, token, "luna", "x" * 5000)  # exactly the most
    conversation = the_conversation()
    for body in ("", "y" * 5001):
        answer = send(browser, token, conversation.id, body, htmx=True)
        assert answer.status_code == 200 and 'role="alert"' in answer.get_data(as_text=True)  # in place
        assert send(browser, token, conversation.id, body).status_code == 422
    assert count(Message) == 1


def test_who_may_write_to_whom(signed_in, make_user, luna, nova):
    stranger = make_user(role="client", consented=True, display_name="Orla")
    reader_browser, reader_token = signed_in(luna)
    # A reader cannot start a conversation with a client they never read for.
    assert reader_browser.get(f"/messages/new?to={stranger.id}").status_code == 403
    answer = reader_browser.post("/messages/new", data={"csrf_token": reader_token, "to": stranger.id, "body": "Hi"})
    assert answer.status_code == 403 and count(Conversation) == 0
    # ...but can with one they have read for.
    make_reading(nova, luna)
    answer = reader_browser.post("/messages/new", data={"csrf_token": reader_token, "to": nova.id, "body": "Hello"})
    assert answer.status_code == 303 and the_conversation().client_id == nova.id
    # Client to client, reader to reader, an admin: refused.
    client_browser, client_token = signed_in(stranger)
    assert client_browser.get(f"/messages/new?to={nova.id}").status_code == 403
    other_reader = make_user(role="reader", consented=True)
    other_browser, _ = signed_in(other_reader)
    assert other_browser.get(f"/messages/new?to={luna.id}").status_code == 403
    assert client_browser.get("/messages/new?reader=nobody").status_code == 404


def test_admins_have_no_inbox_and_nobody_opens_anothers_conversation(app, login, signed_in, make_user, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Private question")
    conversation = the_conversation()
    message_id = database.session.execute(sa.select(Message.id)).scalar_one()
    orla_browser, orla_token = signed_in(make_user(role="client", consented=True))
    assert orla_browser.get(f"/messages/{conversation.id}").status_code == 404
    assert send(orla_browser, orla_token, conversation.id, "Let me in").status_code == 404
    assert orla_browser.get(f"/messages/{conversation.id + 100}").status_code == 404
    assert orla_browser.get(f"/report/message/{message_id}").status_code == 404
    admin = login(app.test_client(), make_user(role="admin", consented=True))
    assert admin.get("/messages").status_code == 403
    assert admin.get(f"/messages/{conversation.id}").status_code == 403
    assert count(Message) == 1


def test_unread_counts_by_id_the_badge_and_opening_marks_read(signed_in, luna, nova):
    with clock.frozen(datetime(2026, 12, 5, 12, 0, tzinfo=UTC)):  # the inbox shows today's time
        _unread_counts_by_id_the_badge_and_opening_marks_read(signed_in, luna, nova)


def _unread_counts_by_id_the_badge_and_opening_marks_read(signed_in, luna, nova):
    client_browser, client_token = signed_in(nova)
    start(client_browser, client_token, "luna", "First")
    conversation = the_conversation()
    send(client_browser, client_token, conversation.id, "Second")
    send(client_browser, client_token, conversation.id, "Third")
    # Same second or not, ids decide: three unread for Luna, none for Nova (her own).
    assert unread.total(luna) == 3 and unread.total(nova) == 0
    reader_browser, _ = signed_in(luna)
    dashboard = reader_browser.get("/reader").get_data(as_text=True)
    assert re.search(r'class="nav-count" data-count="3"', dashboard)  # the header's badge
    assert "Messages waiting for your answer" in dashboard and "Nova" in dashboard
    inbox = reader_browser.get("/messages").get_data(as_text=True)
    assert "Nova" in inbox and "Third" in inbox and 'class="inbox-row inbox-unread"' in inbox
    last = database.session.get(Message, the_conversation().last_message_id)
    assert f">{last.created_at.strftime('%H:%M')}</time>" in inbox  # written today: the time
    reader_browser.get(f"/messages/{conversation.id}")  # opening the thread marks it read
    database.session.expire_all()
    assert unread.total(luna) == 0
    assert the_conversation().reader_last_read_id == the_conversation().last_message_id
    assert 'class="nav-count"' not in reader_browser.get("/reader").get_data(as_text=True).split("<main")[0]


def test_marking_read_never_moves_back_or_past_the_newest(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "One")
    send(browser, token, the_conversation().id, "Two")
    conversation = the_conversation()
    first, second = database.session.execute(sa.select(Message.id).order_by(Message.id)).scalars()
    reader_browser, reader_token = signed_in(luna)
    answer = reader_browser.post(
        f"/messages/{conversation.id}/read", data={"csrf_token": reader_token, "upto": first},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert answer.status_code == 200 and 'data-count="1"' in answer.get_data(as_text=True)
    reader_browser.post(f"/messages/{conversation.id}/read", data={"csrf_token": reader_token, "upto": second + 50})
    database.session.expire_all()
    assert the_conversation().reader_last_read_id == second
    reader_browser.post(f"/messages/{conversation.id}/read", data={"csrf_token": reader_token, "upto": first})
    database.session.expire_all()
    assert the_conversation().reader_last_read_id == second


def test_the_recipient_is_notified_once_per_unread_run_without_the_text(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "My secret question about Sam")
    send(browser, token, the_conversation().id, "And another secret")
    [notification] = database.session.execute(sa.select(Notification)).scalars()
    assert (notification.user_id, notification.kind, notification.text) == (luna.id, "message", "New message from Nova")
    assert notification.link == f"/messages/{the_conversation().id}"
    reader_browser, _ = signed_in(luna)
    reader_browser.get(f"/messages/{the_conversation().id}")
    send(browser, token, the_conversation().id, "Third, after she read")
    assert count(Notification) == 2


def test_the_recipients_tabs_get_the_message_and_the_badge_live(signed_in, luna, nova, tabs):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello <b>Luna</b>")
    conversation = the_conversation()
    message_id = database.session.execute(sa.select(Message.id)).scalar_one()
    received = tabs()
    to_luna = {event: html for user_id, event, html in received if user_id == luna.id}
    assert f"conversation-{conversation.id}" in to_luna and "messages-unread" in to_luna
    thread_html = to_luna[f"conversation-{conversation.id}"]
    assert "Hello &lt;b&gt;Luna&lt;/b&gt;" in thread_html
    assert f'hx-post="/messages/{conversation.id}/read"' in thread_html and f'"upto": "{message_id}"' in thread_html
    assert 'name="csrf_token"' not in thread_html  # an event carries no token
    assert 'data-count="1"' in to_luna["messages-unread"]
    assert not [event for user_id, event, _ in received if user_id == nova.id and event.startswith("conversation-")]


def test_a_message_is_screened_delivered_flagged_and_its_writer_told(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hi")
    conversation = the_conversation()
    answer = send(browser, token, conversation.id, "Text me on WhatsApp at 415 555 2671", htmx=True)
    html = answer.get_data(as_text=True)
    assert "Sharing contact details or paying outside SoulSeer is against the rules." in html
    assert 'id="message-' in html and "WhatsApp" in html  # delivered, appended to the thread
    flag = database.session.execute(sa.select(Flag)).scalar_one()
    assert flag.flagger_id is None and flag.reason == "off_platform" and flag.item.kind == "message"
    assert {hit.detector for hit in flag.hits} >= {"phone", "messaging_app"}
    # Self-harm language from a client: the crisis banner, to the writer only.
    answer = send(browser, token, conversation.id, "Some days I want to end my life")
    assert answer.status_code == 303
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "988" in page and "findahelpline.com" in page
    reader_page = signed_in(luna)[0].get(f"/messages/{conversation.id}").get_data(as_text=True)
    assert "findahelpline.com" not in reader_page
    urgent = database.session.execute(sa.select(ModerationItem).order_by(ModerationItem.id.desc())).scalars().first()
    assert urgent.urgent


def test_report_a_message_and_a_hidden_one_is_removed_for_both(signed_in, app, login, make_user, luna, nova):
    from soulseer.services.moderation import queue

    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello")
    reader_browser, reader_token = signed_in(luna)
    send(reader_browser, reader_token, the_conversation().id, "You are cursed, pay me to lift it")
    reply = database.session.execute(sa.select(Message).order_by(Message.id.desc())).scalars().first()
    thread = browser.get(f"/messages/{the_conversation().id}").get_data(as_text=True)
    assert f"/report/message/{reply.id}" in thread  # Report on the other person's message
    assert thread.count('href="/report/message/') == 1  # ...not on your own
    answer = browser.post(
        f"/report/message/{reply.id}",
        data={"csrf_token": token, "reason": "false_claims", "note": "Offers to lift a curse for money."},
    )
    assert answer.status_code == 303
    item = database.session.execute(
        sa.select(ModerationItem).filter_by(kind="message", target_id=reply.id)
    ).scalar_one()
    admin = make_user(role="admin", consented=True)
    admin_browser = login(app.test_client(), admin)
    queue_page = admin_browser.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert "Conversation between Nova (client) and Luna (reader)" in queue_page
    assert "Hello" in queue_page and "pay me to lift it" in queue_page  # in context
    queue.hide(admin, item.id, "Curse-removal offer for money.")
    database.session.commit()
    for someone in (browser, reader_browser):
        page = someone.get(f"/messages/{the_conversation().id}").get_data(as_text=True)
        assert "This message was removed by moderation." in page and "pay me to lift it" not in page


def test_rate_limits_answer_429_with_retry_after(signed_in, make_user, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Message 1")
    conversation_id = the_conversation().id
    for n in range(2, 31):
        assert send(browser, token, conversation_id, f"Message {n}").status_code == 303
    over = send(browser, token, conversation_id, "Message 31")
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    assert "sending messages very quickly" in over.get_data(as_text=True)
    in_place = send(browser, token, conversation_id, "Message 31", htmx=True)
    assert in_place.status_code == 429 and "Message 31" in in_place.get_data(as_text=True)  # the text kept
    assert count(Message) == 30
    # Readers may send 60 in 10 minutes.
    reader_browser, reader_token = signed_in(luna)
    for n in range(60):
        assert send(reader_browser, reader_token, conversation_id, f"Answer {n}").status_code == 303
    assert send(reader_browser, reader_token, conversation_id, "Answer 61").status_code == 429


def test_ten_new_conversations_a_day_for_a_client(signed_in, make_user, nova):
    from soulseer.models import ReaderProfile

    browser, token = signed_in(nova)
    for n in range(11):
        reader = make_user(role="reader", consented=True, display_name=f"Reader {n}")
        database.session.add(ReaderProfile(user_id=reader.id, slug=f"reader-{n}", display_name=f"Reader {n}",
                                           bio="I read. " * 10))  # fmt: skip
        database.session.commit()
        answer = start(browser, token, f"reader-{n}", "Hello")
        if n < 10:
            assert answer.status_code == 303
    assert answer.status_code == 429 and answer.headers["Retry-After"]
    assert "10 new conversations today" in answer.get_data(as_text=True)
    assert count(Conversation) == 10
    # Writing in a conversation one has is still fine.
    first = database.session.execute(sa.select(Conversation).order_by(Conversation.id)).scalars().first()
    assert send(browser, token, first.id, "Still here").status_code == 303


def test_nobody_writes_to_a_suspended_or_deleted_account(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello")
    luna.status = UserStatus.SUSPENDED
    database.session.commit()
    answer = send(browser, token, the_conversation().id, "Are you there?")
    assert answer.status_code == 409 and count(Message) == 1
    assert "cannot receive messages" in browser.get(f"/messages/{the_conversation().id}").get_data(as_text=True)


def test_export_and_account_deletion_keep_the_other_partys_copy(signed_in, luna, nova):
    from soulseer.services import accounts

    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello, it is me")
    reader_browser, reader_token = signed_in(luna)
    send(reader_browser, reader_token, the_conversation().id, "Hello back")
    [exported] = data_export.export_data(nova)["conversations"]
    assert exported["with"] == "Luna"
    assert [(m["from"], m["text"]) for m in exported["messages"]] == [("me", "Hello, it is me"), ("Luna", "Hello back")]
    nova.password_hash = None
    accounts.delete_account(nova, signed_in_recently=True)
    database.session.commit()
    page = reader_browser.get(f"/messages/{the_conversation().id}").get_data(as_text=True)
    assert "Hello, it is me" in page and "Deleted user" in page and "Nova" not in page.split("<main")[1]
    assert count(Message) == 2


def test_two_first_messages_at_once_make_one_conversation(app, luna, nova, run_in_parallel):
    from soulseer.models import User
    from soulseer.services.messages import sending

    nova_id, luna_id = nova.id, luna.id

    def first(i):
        sender = database.session.get(User, nova_id)
        sending.start(sender, database.session.get(User, luna_id), f"Hello {i}")
        database.session.commit()
        return "sent"

    assert run_in_parallel(first, 4) == ["sent"] * 4
    database.session.expire_all()
    assert count(Conversation) == 1 and count(Message) == 4
    assert the_conversation().last_message_id == max(database.session.execute(sa.select(Message.id)).scalars())
    assert conversations.waiting_for(luna)[0][0].id == the_conversation().id


def test_a_long_thread_shows_the_newest_fifty_and_earlier_ones_on_demand(signed_in, luna, nova):
    from soulseer.services.messages import sending

    sending.start(nova, luna, "Message 0")
    conversation = the_conversation()
    for n in range(1, 52):
        sending.send(conversation, nova if n % 2 == 0 else luna, f"Message {n}")
    database.session.commit()
    browser, _ = signed_in(nova)
    page = browser.get(f"/messages/{conversation.id}").get_data(as_text=True)
    assert "Message 51<" in page and "Message 2<" in page and "Message 1<" not in page
    first_shown = database.session.execute(sa.select(Message.id).order_by(Message.id).offset(2)).scalars().first()
    assert f"/messages/{conversation.id}?before={first_shown}" in page
    earlier = browser.get(f"/messages/{conversation.id}?before={first_shown}", headers={"HX-Request": "true"})
    html = earlier.get_data(as_text=True)
    assert "Message 0<" in html and "Message 1<" in html and "Message 2<" not in html and "Earlier" not in html
    assert "Message 0<" in browser.get(f"/messages/{conversation.id}?before={first_shown}").get_data(as_text=True)


def test_a_suspended_user_cannot_write(signed_in, luna, nova):
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello")
    nova.status = UserStatus.SUSPENDED
    database.session.commit()
    answer = send(browser, token, the_conversation().id, "Still here?")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]  # the session ended
    assert count(Message) == 1


HUGE = "99999999999999999999"  # past PostgreSQL's integer (and bigint)


def test_numbers_no_id_can_have_and_nul_characters_are_refused_without_a_500(signed_in, luna, nova):
    """Bad input answers 4xx with nothing written: an id past the database's integer range names
    no conversation or message (404), a page or `before` past it is an empty page, and a NUL
    character (which PostgreSQL's text refuses) is a 400."""
    browser, token = signed_in(nova)
    start(browser, token, "luna", "Hello")
    conversation_id = the_conversation().id
    for path in (f"/messages/{HUGE}", "/messages/2147483648", f"/messages/new?to={HUGE}"):
        assert browser.get(path).status_code == 404, path
    assert browser.get("/messages/new?reader=luna%00").status_code == 400
    for path in (f"/messages/{HUGE}", f"/messages/replies/{HUGE}/unlock", f"/messages/replies/{HUGE}/withdraw"):
        assert browser.post(path, data={"csrf_token": token, "body": "x"}).status_code == 404, path
    assert browser.get(f"/messages?page={HUGE}").status_code == 200
    assert browser.get(f"/messages/{conversation_id}?before={HUGE}").status_code == 200
    answer = browser.post(f"/messages/{conversation_id}/read", data={"csrf_token": token, "upto": HUGE})
    assert answer.status_code == 400
    assert browser.post("/messages/new", data={"csrf_token": token, "to": HUGE, "body": "x"}).status_code == 404
    assert send(browser, token, conversation_id, "a\x00b").status_code == 400
    assert send(browser, token, conversation_id, "a\x00b", htmx=True).status_code == 400
    answer = browser.post("/messages/new", data={"csrf_token": token, "reader": "luna", "body": "Hi\x00"})
    assert answer.status_code == 400 and "Something was wrong with that request" in answer.get_data(as_text=True)
    assert count(Message) == 1


def test_the_inbox_lists_the_newest_conversation_first_twenty_a_page_with_each_readers_photo(
    app, signed_in, make_user, nova
):
    from soulseer.models import ReaderProfile
    from soulseer.services.marketplace import photos
    from soulseer.services.messages import sending

    readers = []
    for n in range(21):
        reader = make_user(role="reader", consented=True, display_name=f"Reader {n:02}")
        photo = "readers/0/portrait" if n == 0 else None
        database.session.add(ReaderProfile(user_id=reader.id, slug=f"reader-{n}", display_name=f"Reader {n:02}",
                                           bio="I read. " * 10, photo_key=photo))  # fmt: skip
        pair = conversations.Pair(client=nova, reader=reader)
        conversation, _ = conversations.open_with(pair)
        sending.send(conversation, nova, f"Question {n:02}")
        database.session.commit()
        readers.append(reader)
    browser, _ = signed_in(nova)

    def names(page):
        return re.findall(r'class="inbox-name">(Reader \d\d)<', page)

    first = browser.get("/messages").get_data(as_text=True)
    assert names(first) == [f"Reader {n:02}" for n in range(20, 0, -1)]  # newest first, twenty
    assert 'href="/messages?page=2"' in first
    second = browser.get("/messages?page=2").get_data(as_text=True)
    assert names(second) == ["Reader 00"]
    with app.test_request_context():
        photo = photos.url("readers/0/portrait", 96)
    assert f'src="{photo}"' in second  # a reader's photo...
    initial = '<span class="reader-photo reader-photo-empty message-avatar" aria-hidden="true">R</span>'
    assert first.count(initial) == 20  # ...or their initial
    # A new message brings its conversation to the top.
    reader = readers[0]
    sending.send(conversations.between(nova.id, reader.id), reader, "An answer")
    database.session.commit()
    assert names(browser.get("/messages").get_data(as_text=True))[:2] == ["Reader 00", "Reader 20"]


def test_the_queue_shows_a_reported_message_with_the_five_before_and_after_it(app, login, make_user, luna, nova):
    from soulseer.services.messages import sending
    from soulseer.services.moderation import flags

    first, _ = sending.start(nova, luna, "Message 0")
    conversation = first.conversation
    lines = [first] + [sending.send(conversation, luna if n % 2 else nova, f"Message {n}") for n in range(1, 14)]
    database.session.commit()
    flags.flag(nova, "message", lines[7].id, "spam", "Asks me to pay on another site.")
    database.session.commit()
    item = database.session.execute(sa.select(ModerationItem).filter_by(kind="message")).scalar_one()
    page = login(app.test_client(), make_user(role="admin", consented=True)).get(f"/admin/moderation/{item.id}")
    html = page.get_data(as_text=True)
    shown = re.findall(r'class="chat-body message-body">Message (\d+)<', html)
    assert shown == [str(n) for n in range(2, 13)]  # 2..6, the reported 7, 8..12
    assert re.search(r'aria-current="true">\s*<span class="chat-who">Luna</span>', html)


def test_after_a_plain_form_the_writer_lands_where_screenings_news_is_in_view(signed_in, luna, nova):
    """The rules notice and the crisis banner are flashed above the thread: a redirect to the new
    message's anchor would scroll them out of view, so a screened message's redirect has none."""
    browser, token = signed_in(nova)
    answer = start(browser, token, "luna", "Text me on WhatsApp at 415 555 2671")
    conversation_id = the_conversation().id
    assert answer.status_code == 303 and answer.headers["Location"] == f"/messages/{conversation_id}"
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Sharing contact details or paying outside SoulSeer is against the rules." in page
    answer = send(browser, token, conversation_id, "Some days I want to end my life")
    assert answer.headers["Location"] == f"/messages/{conversation_id}"
    assert "findahelpline.com" in browser.get(answer.headers["Location"]).get_data(as_text=True)
    answer = send(browser, token, conversation_id, "Thank you for listening.")  # nothing to tell: at the message
    newest = database.session.execute(sa.select(Message.id).order_by(Message.id.desc())).scalars().first()
    assert answer.headers["Location"] == f"/messages/{conversation_id}#message-{newest}"


def test_the_readers_dashboard_says_how_long_each_client_has_waited_longest_first(signed_in, make_user, luna, nova):
    from datetime import timedelta

    from soulseer.services.messages import sending

    orla = make_user(role="client", consented=True, display_name="Orla")
    start_at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    with clock.frozen(start_at):
        sending.start(orla, luna, "A question about my sister")
    with clock.frozen(start_at + timedelta(hours=1)):
        message, _ = sending.start(nova, luna, "Will the house sell?")
        database.session.commit()
    with clock.frozen(start_at + timedelta(hours=3, minutes=5)):
        sending.send(message.conversation, nova, "And when?")  # the wait counts from her first one
        database.session.commit()
        card = signed_in(luna)[0].get("/reader").get_data(as_text=True)
        waiting = card.split('id="waiting-title"')[1].split("</section>")[0]
        assert re.findall(r">(\w+)</a> <span class=\"meta\">waiting ([^<]+)</span>", waiting) == [
            ("Orla", "3 hours"),
            ("Nova", "2 hours"),
        ]
        sending.send(message.conversation, luna, "It will, in spring.")  # answered: no longer waiting
        database.session.commit()
        card = signed_in(luna)[0].get("/reader").get_data(as_text=True)
        assert re.findall(r">(\w+)</a> <span class=\"meta\">waiting", card) == ["Orla"]
