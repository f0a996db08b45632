"""A signed-in client's own browse and home pages, kept whole and answered before Flask
(soulseer/signed_in_responses.py), and the header versions that say when they are stale
(services/core/header_versions.py, issue #20): never older than what was committed before the page
was asked for, after each kind of posting and notification."""

import json
import re
from datetime import timedelta
from importlib.metadata import version

import pytest
import sqlalchemy as sa
from flask_login.utils import _create_identifier

from soulseer import clock, signed_in_responses
from soulseer.extensions import db as database
from soulseer.extensions import get_redis
from soulseer.ledger import accounts, operations, post_many
from soulseer.models import ContentPage, Conversation, Message, Notification, ReaderProfile, Reading, Review, User
from soulseer.services import commerce
from soulseer.services.core import header_versions, notifications
from soulseer.services.marketplace import favourites
from soulseer.services.messages import unread
from soulseer.services.payments import ledger_admin
from tests.support.browse import Statements
from tests.test_signed_in import _balance, _header

AGENT = f"Werkzeug/{version('werkzeug')}"  # the test client's User-Agent


def _sign_in(test_client, user):
    """As Flask-Login's login_user leaves the session (its identifier for this client's address
    and User-Agent), then one page: the session gets its CSRF token."""
    with test_client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session.permanent = True  # as sign_in_user leaves it
        session["signed_in_at"] = int(clock.now().timestamp())
        session["_id"] = signed_in_responses.session_identifier({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": AGENT})
    assert test_client.get("/readers").status_code == 200
    return test_client


def _kept(browser, path="/readers", **kwargs):
    """Load `path` until it is answered from what was kept (no SQL at all); return its HTML."""
    browser.get(path, **kwargs)
    with Statements() as statements:
        response = browser.get(path, **kwargs)
    assert response.status_code == 200
    assert statements.seen == [], "a kept page runs no statement"
    return response.get_data(as_text=True)


def _page(browser, path="/readers"):
    response = browser.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _drawn_again(browser, path):
    """Her next load of `path`, which must be Flask's (it runs SQL: what was kept before a change is
    not answered after it); returns its HTML."""
    with Statements() as statements:
        html = _page(browser, path)
    assert statements.seen, f"{path}: what was kept before the change was answered after it"
    return html


def _drawn_by_flask(app, browser, path):
    """What Flask renders for her now: nothing kept, nothing cached."""
    seconds = app.config["BROWSE_CACHE_SECONDS"]
    app.config["BROWSE_CACHE_SECONDS"] = 0
    try:
        return _page(browser, path)
    finally:
        app.config["BROWSE_CACHE_SECONDS"] = seconds


def test_a_kept_page_is_her_own_page_and_runs_no_statement(client, app, buyer):
    browser = _sign_in(client, buyer)
    flask_page = _page(browser)
    html = _kept(browser)
    assert html == flask_page  # exactly what Flask rendered for her: her name, balance, token
    assert _balance(html) == "$20.00" and "Cleo" in _header(html)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    # The kept page's token is her session's: a POST with it passes the CSRF check (a redirect, not a 400).
    assert browser.post("/notifications/read-all", headers={"X-CSRFToken": token}).status_code == 302
    html = _kept(browser, "/")
    assert _balance(html) == "$20.00"


def test_the_identifier_is_flask_logins(app):
    environ = {
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Ünïcode)",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8",
    }
    with app.test_request_context("/", environ_base=environ):
        assert signed_in_responses.session_identifier(environ) == _create_identifier()
    del environ["HTTP_X_FORWARDED_FOR"], environ["HTTP_USER_AGENT"]
    with app.test_request_context("/", environ_base=environ):
        assert signed_in_responses.session_identifier(environ) == _create_identifier()


def _reading_minute(buyer, reader):
    """The billing tick's way: a minute held in a batch (post_many), then settled at the end."""
    [posted] = post_many([commerce.hold_posting(buyer.id, ("reading", 1), 300, f"test:minute:{buyer.id}", "A minute")])
    assert not isinstance(posted, Exception)


def _post(kind, buyer, reader, admin):
    """Each kind of posting that moves a client's wallet, as its area posts it (every area sells
    through commerce: a reading's minutes and a booking are holds then settle or release; a shop
    purchase, a paid reply unlocked and a gift are charges; refunds go through commerce.refund)."""
    if kind == "top-up":
        operations.credit_topup(buyer, 1_000, f"topup:more:{buyer.id}", ("topup", buyer.id))
    elif kind == "charge (shop purchase, paid reply, gift)":
        commerce.charge(buyer, reader, 300, f"test:sale:{buyer.id}", ("test", 1), "A paid reply")
    elif kind == "reading minute (billing tick, in a batch)":
        _reading_minute(buyer, reader)
    elif kind == "booking hold":
        commerce.hold(buyer, ("booking", 7), 500, f"test:hold:{buyer.id}", "A booking held")
    elif kind == "hold released":
        commerce.release(buyer, ("booking", 8), 500, f"test:release:{buyer.id}", "A booking cancelled")
    elif kind == "hold settled, rest released":
        commerce.settle(buyer, ("booking", 8), 200, reader, f"test:settle:{buyer.id}", "A booking kept")
    elif kind == "refund":
        commerce.refund(("test", 2), 300, f"test:refund:{buyer.id}", admin, "Sorry")
    elif kind == "adjustment":
        ledger_admin.adjust_wallet(admin, accounts.wallet(buyer), -250, "Duplicate goodwill credit", "a-1")
    elif kind == "top-up refund":
        operations.debit_topup_refund(buyer, 400, f"topup-refund:{buyer.id}", ("topup", buyer.id))
    elif kind == "dispute":
        operations.debit_dispute(buyer, 600, f"dispute:{buyer.id}", ("topup", buyer.id))


def _before(kind, buyer, reader):
    """What must be there before the posting (a hold to release or settle, a sale to refund)."""
    if kind in ("hold released", "hold settled, rest released"):
        commerce.hold(buyer, ("booking", 8), 500, f"test:hold8:{buyer.id}", "A booking held")
    elif kind == "refund":
        commerce.charge(buyer, reader, 300, f"test:sale2:{buyer.id}", ("test", 2), "A paid reply")


MOVED = {
    "top-up": ("$20.00", "$30.00"),
    "charge (shop purchase, paid reply, gift)": ("$20.00", "$17.00"),
    "reading minute (billing tick, in a batch)": ("$20.00", "$17.00"),
    "booking hold": ("$20.00", "$15.00"),
    "hold released": ("$15.00", "$20.00"),
    "hold settled, rest released": ("$15.00", "$18.00"),
    "refund": ("$17.00", "$20.00"),
    "adjustment": ("$20.00", "$17.50"),
    "top-up refund": ("$20.00", "$16.00"),
    "dispute": ("$20.00", "$14.00"),
}


@pytest.mark.parametrize("kind", list(MOVED))
def test_a_kept_page_shows_every_kind_of_posting_committed_before_it(kind, client, db, buyer, make_user):
    reader, admin = make_user(role="reader", consented=True), make_user(role="admin", consented=True)
    _before(kind, buyer, reader)
    db.session.commit()
    browser = _sign_in(client, buyer)
    before, after = MOVED[kind]
    assert _balance(_kept(browser)) == before
    assert _balance(_kept(browser, "/")) == before
    for path in ("/wallet", "/dashboard"):  # kept whole too, their own balance in the page
        assert _amount(_kept(browser, path)) == before
    _post(kind, buyer, reader, admin)
    db.session.commit()
    assert _balance(_page(browser)) == after
    assert _balance(_page(browser, "/")) == after
    for path in ("/wallet", "/dashboard"):
        assert _amount(_drawn_again(browser, path)) == after
    assert _balance(_kept(browser)) == after


def _amount(html):
    """The balance a client's wallet page and dashboard show in their own card."""
    return re.search(r'<p class="balance-amount">([^<]+)</p>', html).group(1)


def test_a_posting_rolled_back_leaves_the_kept_page(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    operations.credit_topup(buyer, 1_000, f"topup:never:{buyer.id}", ("topup", buyer.id))
    db.session.rollback()
    with Statements() as statements:
        assert _balance(_page(browser)) == "$20.00"
    assert statements.seen == []


def test_another_clients_posting_leaves_her_kept_page(client, db, buyer, make_user):
    other = make_user(role="client", consented=True)
    browser = _sign_in(client, buyer)
    _kept(browser)
    operations.credit_topup(other, 1_000, f"topup:other:{other.id}", ("topup", other.id))
    db.session.commit()
    with Statements() as statements:
        _page(browser)
    assert statements.seen == []


def _bell(html):
    return re.search(r'aria-label="Notifications, ([^"]+)"', _header(html)).group(1)


def test_each_notification_change_is_seen(client, db, buyer, make_user):
    browser = _sign_in(client, buyer)
    assert _bell(_kept(browser)) == "none unread"
    notifications.notify(buyer, "system", "Something happened")  # one row, through the session
    db.session.commit()
    assert _bell(_page(browser)) == "1 unread"
    assert _bell(_kept(browser, "/")) == "1 unread"
    notifications.notify_many([(buyer.id, "system", "Two", None), (buyer.id, "order", "Three", None)])  # one INSERT
    db.session.commit()
    assert _bell(_page(browser)) == "3 unread"
    first = db.session.execute(sa.select(Notification).filter_by(user_id=buyer.id)).scalars().first()
    notifications.mark_read(first)  # an object's read_at
    db.session.commit()
    assert _bell(_page(browser)) == "2 unread"
    _kept(browser)
    notifications.mark_all_read(buyer.id)  # an UPDATE naming her
    db.session.commit()
    assert _bell(_page(browser)) == "none unread"
    notifications.notify(buyer, "system", "Again")
    db.session.commit()
    assert _bell(_kept(browser)) == "1 unread"
    db.session.execute(sa.update(Notification).values(read_at=clock.now()))  # an UPDATE of everyone's
    db.session.commit()
    assert _bell(_page(browser)) == "none unread"


def _unread_messages(html):
    found = re.search(r'class="nav-count" data-count="(\d+)"', _header(html))
    return int(found.group(1)) if found else 0


def test_messages_sent_and_read_are_seen(client, db, buyer, make_user):
    luna = make_user(role="reader", consented=True, display_name="Luna")
    conversation = Conversation(client_id=buyer.id, reader_id=luna.id)
    db.session.add(conversation)
    db.session.commit()
    conversation_id, buyer_id, luna_id = conversation.id, buyer.id, luna.id
    browser = _sign_in(client, buyer)
    assert _unread_messages(_kept(browser)) == 0
    message = Message(conversation_id=conversation.id, sender_id=luna.id, body="Hello from Luna")
    db.session.add(message)
    db.session.flush()
    conversation.last_message_id = message.id
    db.session.commit()
    assert _unread_messages(_page(browser)) == 1
    db.session.remove()  # a message to a conversation this session has not loaded: cannot tell whose
    db.session.add(Message(conversation_id=conversation_id, sender_id=luna_id, body="Are you there?"))
    db.session.commit()
    assert _unread_messages(_page(browser)) == 2
    _kept(browser)
    conversation = db.session.get(Conversation, conversation_id)
    conversation.last_message_id = db.session.execute(sa.select(sa.func.max(Message.id))).scalar_one()
    unread.mark_read(conversation, db.session.get(User, buyer_id), conversation.last_message_id)
    db.session.commit()
    assert _unread_messages(_page(browser)) == 0


def test_her_own_row_and_consent_are_seen(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    db.session.get(User, buyer.id).display_name = "Cleopatra"
    db.session.commit()
    assert "Cleopatra" in _header(_page(browser))
    _kept(browser)
    db.session.get(User, buyer.id).terms_version = 0  # Terms owed again
    db.session.commit()
    answer = browser.get("/readers")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/welcome/consent")


def test_a_new_terms_version_is_seen_by_everyone(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    db.session.add(ContentPage(slug="terms", title="Terms", body_markdown="New terms", version=2))  # an edit
    db.session.commit()
    assert browser.get("/readers").headers["Location"].startswith("/welcome/consent")
    db.session.get(User, buyer.id).terms_version = 2
    db.session.commit()
    _kept(browser)
    db.session.execute(sa.text("UPDATE content_pages SET version = version + 1 WHERE slug = 'terms'"))  # SQL
    db.session.commit()
    assert browser.get("/readers").headers["Location"].startswith("/welcome/consent")


def test_signed_out_everywhere_or_suspended_is_seen(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    db.session.get(User, buyer.id).session_epoch += 1
    db.session.commit()
    assert _balance(_page(browser)) is None and "Sign in" in _header(_page(browser))


def test_what_is_never_kept(client, app, db, buyer, make_user):
    browser = _sign_in(client, buyer)
    _kept(browser)

    def statements_for(*args, **kwargs):
        with Statements() as statements:
            browser.get(*args, **kwargs)
        return statements.seen

    assert statements_for("/readers", headers={"HX-Request": "true"}) != []  # the list alone
    assert statements_for("/readers", headers={"User-Agent": "another browser"}) != []  # Flask-Login's check
    assert statements_for("/orders") != []  # not one of the pages kept (since #15/#18, /shop is; since #20, /wallet)
    with browser.session_transaction() as session:
        session["_flashes"] = [("info", "Saved")]
    assert "Saved" in _page(browser)  # the flash is Flask's to show (and to clear)
    luna = make_user(role="reader", consented=True)
    reader_browser = _sign_in(app.test_client(), luna)
    reader_browser.get("/readers")
    with Statements() as statements:
        reader_browser.get("/readers")
    assert statements.seen != []  # a reader's header (her waiting request) is not covered


def test_a_session_signed_long_ago_goes_to_flask_which_signs_it_again(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    clock.advance(timedelta(seconds=signed_in_responses.REFRESH_SECONDS + 5))
    with Statements() as statements:
        response = browser.get("/readers")
    assert statements.seen != [] and "session=" in response.headers.get("Set-Cookie", "")


def test_bulk_header_bumps_are_one_command(app, redis):
    before = redis.mget(header_versions.user_key(1), header_versions.user_key(2))
    header_versions.bump_users([1, 2])
    after = redis.mget(header_versions.user_key(1), header_versions.user_key(2))
    assert after[0] == after[1] and after[0] not in before


def test_a_session_signed_in_through_the_form_is_kept(client, db, make_user):
    from soulseer.services.accounts import passwords
    from tests.conftest import csrf_token_from

    make_user(
        role="client",
        consented=True,
        email="cleo@example.test",
        password_hash=passwords.hash_password("a-long-pass-2026"),
    )
    form = {"email": "cleo@example.test", "password": "a-long-pass-2026"}
    form["csrf_token"] = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    assert client.post("/sign-in", data=form).status_code == 302
    assert "Sign out" in _kept(client)


def test_a_tampered_session_cookie_is_never_answered_from_what_was_kept(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser)
    cookie = browser.get_cookie("session")
    payload, _, signature = cookie.value.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    browser.set_cookie("session", forged)
    html = _page(browser)
    assert _balance(html) is None and "Sign in" in _header(html)  # Flask: no session at all


def _versions(redis, *user_ids):
    return redis.mget(header_versions.GLOBAL_KEY, *(header_versions.user_key(user_id) for user_id in user_ids))


def test_statements_that_name_their_people_move_only_theirs(db, redis, buyer, make_user):
    """Precision, not freshness (the tests above): a statement that names whose rows it changes
    moves those people's versions and leaves everyone else's kept pages alone."""
    other, luna = make_user(role="client", consented=True), make_user(role="reader", consented=True)
    conversation = Conversation(client_id=buyer.id, reader_id=luna.id)
    db.session.add(conversation)
    db.session.commit()

    def moved(action):
        before = _versions(redis, buyer.id, other.id, luna.id)
        action()
        db.session.commit()
        after = _versions(redis, buyer.id, other.id, luna.id)
        names = ("everyone", "buyer", "other", "luna")
        return [name for name, b, a in zip(names, before, after, strict=True) if a != b]

    assert moved(lambda: notifications.mark_all_read(buyer.id)) == ["buyer"]
    assert moved(lambda: notifications.notify_many([(other.id, "system", "Hi", None)])) == ["other"]
    # A text statement moves everyone's, unless it names its people (notify_many's; mail's names none).
    touch = sa.text("UPDATE notifications SET read_at = read_at WHERE false")
    assert moved(lambda: db.session.execute(touch)) == ["everyone"]
    assert moved(lambda: db.session.execute(touch, execution_options=header_versions.naming([other.id]))) == ["other"]
    assert moved(lambda: db.session.execute(touch, execution_options=header_versions.naming(()))) == []
    message = Message(conversation_id=conversation.id, sender_id=luna.id, body="Hello")
    assert moved(lambda: db.session.add(message)) == ["buyer", "luna"]
    conversation.last_message_id = message.id
    assert moved(lambda: unread.mark_read(conversation, buyer, message.id)) == ["buyer", "luna"]
    assert moved(lambda: operations.credit_topup(buyer, 100, f"topup:p:{buyer.id}", ("topup", buyer.id))) == ["buyer"]
    assert moved(lambda: db.session.execute(sa.update(Notification).values(read_at=clock.now()))) == ["everyone"]
    assert moved(lambda: None) == []
    # Her dashboard's rows: a reading and its review move hers (the reader's pages are not kept
    # whole); a freeze of her wallet too.
    reading = Reading(client_id=buyer.id, reader_id=luna.id, mode="chat", rate_cents=100, share_bps=7000,
                      state="finalized", requested_at=clock.now(), request_expires_at=clock.now())  # fmt: skip
    assert moved(lambda: db.session.add(reading)) == ["buyer"]
    assert moved(lambda: setattr(reading, "cost_cents", 300)) == ["buyer"]
    # When each side was last heard (the tick folds it in every ~25 s): no page shows it, so alone it
    # moves nobody's (else no kept heartbeat row would outlive it); with a shown column, hers.
    assert moved(lambda: setattr(reading, "client_seen_at", clock.now())) == []
    assert moved(lambda: (setattr(reading, "reader_seen_at", clock.now()), setattr(reading, "cost_cents", 301))) == [
        "buyer"
    ]
    assert moved(lambda: db.session.add(Review(reading_id=reading.id, client_id=buyer.id, reader_id=luna.id,
                                               stars=5, body=""))) == ["buyer"]  # fmt: skip
    assert moved(lambda: operations.freeze(other)) == ["other"]
    assert moved(lambda: operations.lift_freeze(other)) == ["other"]
    # A favourite: one INSERT … ON CONFLICT with its own values, one DELETE by client and reader.
    profile = ReaderProfile(user_id=luna.id, slug="luna-versions", display_name="Luna", rate_chat_cents=100)
    db.session.add(profile)
    db.session.commit()
    assert moved(lambda: favourites.set_favourite(buyer, profile, True)) == ["buyer"]
    assert moved(lambda: favourites.set_favourite(buyer, profile, False)) == ["buyer"]


def _shop_purchase(buyer, make_user):
    from soulseer.services.shop import buying
    from tests.support.shop import digital_product

    product = digital_product(make_user(role="admin", consented=True), price="12.00")
    return lambda: buying.buy_from_wallet(database.session.get(User, buyer.id), product.id, 1, "form-1")


def _paid_reply_unlocked(buyer, make_user):
    from soulseer.services.messages import paid, sending
    from tests.readings.conftest import online_at

    luna = make_user(role="reader", consented=True)
    online_at(luna)  # a listed reader a client may write to
    message, _ = sending.start(buyer, luna, "Should I move to Lisbon this spring?")
    database.session.commit()
    reply = sending.send(message.conversation, luna, "Yes, in March.", price_cents=400)
    database.session.commit()
    reply_id = reply.id
    return lambda: paid.unlock(database.session.get(User, buyer.id), reply_id)


@pytest.mark.parametrize(
    ("kind", "action", "after"),
    [("shop purchase", _shop_purchase, "$8.00"), ("paid reply unlocked", _paid_reply_unlocked, "$16.00")],
)
def test_a_kept_page_shows_a_sale_made_through_its_area(kind, action, after, client, db, buyer, make_user):
    sell = action(buyer, make_user)  # the product, or the conversation and its paid reply, first
    browser = _sign_in(client, buyer)
    assert _balance(_kept(browser)) == "$20.00"  # kept after everything but the sale itself
    sell()
    db.session.commit()
    assert _balance(_page(browser)) == after
    assert _balance(_kept(browser, "/")) == after


# --- The layout's parts kept for the pages that go through Flask (soulseer/kept_header.py) -------

FLASK_PAGES = ("/messages", "/orders")  # a client's pages that are rendered every time
KEPT_MARK = "<!-- from what was kept -->"


def _mark_kept_parts(redis, user_id):
    """Put a mark into every part kept for this person: a page that shows it took its header and
    footer from Redis; a page without it rendered them."""
    for key in redis.keys(f"soulseer:signed-in:*:{user_id}:*:layout:*"):
        versions, _, stored = redis.get(key).partition(b"\n")
        parts = {slot: KEPT_MARK + html.removeprefix(KEPT_MARK) for slot, html in json.loads(stored).items()}
        redis.set(key, versions + b"\n" + json.dumps(parts).encode())


def _from_kept_parts(browser, user_id, path):
    """Load `path` until its header and footer come from what was kept for her (the mark is on the
    page, in the header and the footer); return the page without the marks."""
    _page(browser, path)
    _mark_kept_parts(get_redis(), user_id)
    html = _page(browser, path)
    assert html.count(KEPT_MARK) == 2, f"{path}: the header and the footer were rendered, not taken"
    assert _header(html).count(KEPT_MARK) == 1
    return html.replace(KEPT_MARK, "")


def _rendered(browser, path):
    """Load `path`: its header and footer must be rendered now (nothing kept before the change)."""
    html = _page(browser, path)
    assert KEPT_MARK not in html, f"{path}: a part kept before the change was shown after it"
    return html


def test_a_kept_part_is_exactly_what_flask_rendered_for_her_on_that_page(client, db, buyer):
    browser = _sign_in(client, buyer)
    for path in FLASK_PAGES:
        rendered = _page(browser, path)
        kept = _from_kept_parts(browser, buyer.id, path)
        # Her name, balance, token and the page marked current in the navigation, as Flask rendered them.
        assert re.sub(r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", kept) == re.sub(
            r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", rendered
        )
        assert _balance(kept) == "$20.00" and "Cleo" in _header(kept)
    assert 'href="/messages" aria-current="page"' in _header(_from_kept_parts(browser, buyer.id, "/messages"))
    assert 'href="/messages" aria-current="page"' not in _header(_from_kept_parts(browser, buyer.id, "/orders"))
    # The kept sign-out form carries her session's token: it signs her out.
    html = _from_kept_parts(browser, buyer.id, "/orders")
    token = re.search(r'name="csrf_token" value="([^"]+)"', _header(html)).group(1)
    assert browser.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert "Sign in" in _header(_page(browser, "/readers"))


@pytest.mark.parametrize("kind", list(MOVED))
def test_every_kind_of_posting_is_seen_on_her_messages_and_orders_at_once(kind, client, db, buyer, make_user):
    reader, admin = make_user(role="reader", consented=True), make_user(role="admin", consented=True)
    _before(kind, buyer, reader)
    db.session.commit()
    browser = _sign_in(client, buyer)
    before, after = MOVED[kind]
    for path in FLASK_PAGES:
        assert _balance(_from_kept_parts(browser, buyer.id, path)) == before
    _post(kind, buyer, reader, admin)
    db.session.commit()
    for path in FLASK_PAGES:
        assert _balance(_rendered(browser, path)) == after
        assert _balance(_from_kept_parts(browser, buyer.id, path)) == after


def _first_notification(user):
    return database.session.execute(sa.select(Notification).filter_by(user_id=user.id)).scalars().first()


def test_every_notification_change_is_seen_on_her_messages_and_orders(client, db, buyer):
    browser = _sign_in(client, buyer)
    two = [(buyer.id, "system", "Two", None), (buyer.id, "order", "Three", None)]
    changes = [
        (lambda: notifications.notify(buyer, "system", "Something happened"), "1 unread"),
        (lambda: notifications.notify_many(two), "3 unread"),  # one INSERT
        (lambda: notifications.mark_read(_first_notification(buyer)), "2 unread"),
        (lambda: notifications.mark_all_read(buyer.id), "none unread"),
        (lambda: notifications.notify(buyer, "system", "Again"), "1 unread"),
        (lambda: database.session.execute(sa.update(Notification).values(read_at=clock.now())), "none unread"),
    ]
    for change, bell in changes:
        for path in FLASK_PAGES:
            _from_kept_parts(browser, buyer.id, path)
        change()
        db.session.commit()
        for path in FLASK_PAGES:
            assert _bell(_rendered(browser, path)) == bell
            assert _bell(_from_kept_parts(browser, buyer.id, path)) == bell


def test_messages_received_and_read_are_seen_on_her_messages_and_orders(client, db, buyer, make_user):
    luna = make_user(role="reader", consented=True, display_name="Luna")
    conversation = Conversation(client_id=buyer.id, reader_id=luna.id)
    db.session.add(conversation)
    db.session.commit()
    browser = _sign_in(client, buyer)
    for path in FLASK_PAGES:
        assert _unread_messages(_from_kept_parts(browser, buyer.id, path)) == 0
    message = Message(conversation_id=conversation.id, sender_id=luna.id, body="Hello from Luna")
    db.session.add(message)
    db.session.flush()
    conversation.last_message_id = message.id
    db.session.commit()
    for path in FLASK_PAGES:
        assert _unread_messages(_rendered(browser, path)) == 1
        assert _unread_messages(_from_kept_parts(browser, buyer.id, path)) == 1
    # Read in the thread: a GET that marks it read and commits before it renders, so its own header
    # is rendered after its change (a request that wrote never takes nor keeps a part)...
    assert _unread_messages(_rendered(browser, f"/messages/{conversation.id}")) == 0
    assert _unread_messages(_rendered(browser, f"/messages/{conversation.id}")) == 0
    # ...and every other page shows it read.
    for path in FLASK_PAGES:
        assert _unread_messages(_rendered(browser, path)) == 0


def test_her_name_role_and_consent_are_seen_on_her_messages_and_orders(client, db, buyer):
    browser = _sign_in(client, buyer)
    _kept(browser, "/wallet")
    _kept(browser, "/dashboard")
    for path in FLASK_PAGES:
        _from_kept_parts(browser, buyer.id, path)
    db.session.get(User, buyer.id).display_name = "Cleopatra"
    db.session.commit()
    for path in FLASK_PAGES:
        assert "Cleopatra" in _header(_rendered(browser, path))
        assert "Cleopatra" in _header(_from_kept_parts(browser, buyer.id, path))
    _from_kept_parts(browser, buyer.id, "/orders")
    db.session.get(User, buyer.id).role = "admin"
    db.session.commit()
    html = _rendered(browser, "/notifications")  # a page every role has
    assert ">Admin</a>" in _header(html) and _balance(html) is None
    for path in ("/dashboard", "/wallet"):
        assert browser.get(path).status_code == 403  # clients' pages (kept before: not answered)
    db.session.get(User, buyer.id).role = "client"
    db.session.commit()
    for path in FLASK_PAGES:
        assert ">Admin</a>" not in _header(_rendered(browser, path))
        assert ">Admin</a>" not in _header(_from_kept_parts(browser, buyer.id, path))
    db.session.get(User, buyer.id).terms_version = 0  # Terms owed again
    db.session.commit()
    for path in FLASK_PAGES:
        answer = browser.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/welcome/consent")


def test_kept_parts_are_only_hers_in_that_session_and_never_for_a_post_or_a_fragment(app, client, db, buyer, make_user):
    browser = _sign_in(client, buyer)
    _from_kept_parts(browser, buyer.id, "/orders")
    # Her other session (another CSRF token) and another client render their own.
    assert KEPT_MARK not in _page(_sign_in(app.test_client(), buyer), "/orders")
    other = make_user(role="client", consented=True, display_name="Dora")
    html = _page(_sign_in(app.test_client(), other), "/orders")
    assert KEPT_MARK not in html and "Dora" in _header(html) and "Cleo" not in _header(html)
    _mark_kept_parts(get_redis(), buyer.id)
    # A flash goes to Flask as before, and the page takes its parts (the flash is not in them).
    with browser.session_transaction() as session:
        session["_flashes"] = [("info", "Saved")]
    html = _page(browser, "/orders")
    assert "Saved" in html and KEPT_MARK in html
    # An address that is not a page adds no entry.
    kept_before = set(get_redis().keys(f"soulseer:signed-in:*:{buyer.id}:*:layout:*"))
    assert browser.get("/readers/nobody-by-that-name").status_code == 404
    assert set(get_redis().keys(f"soulseer:signed-in:*:{buyer.id}:*:layout:*")) == kept_before
    # A top-up form sent with an error renders its page from the figures it read, never a kept part.
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    answer = browser.post("/wallet/topups", data={"csrf_token": token, "amount": "abc"})
    assert KEPT_MARK not in answer.get_data(as_text=True)


def test_a_readers_header_is_kept_and_her_waiting_request_is_always_rendered(app, db, make_user):
    from soulseer.services.readings import lifecycle
    from tests.readings.conftest import online_at

    buyer, luna = make_user(role="client", consented=True), make_user(role="reader", consented=True)
    operations.credit_topup(buyer, 10_000, f"topup:r:{buyer.id}", ("topup", buyer.id))
    profile = online_at(luna)
    browser = _sign_in(app.test_client(), luna)
    html = _from_kept_parts(browser, luna.id, "/notifications")
    assert "wants a" not in html and "Reader dashboard" in _header(html)
    lifecycle.request(buyer, profile, "chat")  # a request waiting for her answer: no header version follows it
    db.session.commit()
    html = _from_kept_parts(browser, luna.id, "/notifications")
    assert "wants a chat reading" in html.split("</main>", 1)[1]  # the alert's slot, outside the kept parts
    notifications.notify(luna, "system", "A review")
    db.session.commit()
    assert _bell(_rendered(browser, "/notifications")) == "1 unread"


def test_an_admins_header_is_kept_and_sees_her_bell(app, db, make_user):
    admin = make_user(role="admin", consented=True)
    browser = _sign_in(app.test_client(), admin)
    assert _bell(_from_kept_parts(browser, admin.id, "/notifications")) == "none unread"
    notifications.notify(admin, "system", "A report")
    db.session.commit()
    assert _bell(_rendered(browser, "/notifications")) == "1 unread"


def _notification_texts(html):
    return re.findall(r'class="notification-text"[^>]*>([^<]+)<', html)


def test_her_notifications_page_is_kept_and_every_change_to_them_is_seen_at_once(app, client, db, buyer):
    """/notifications is kept whole for a client (its view marks it): given again with no statement,
    and drawn again by Flask after each kind of change to her notifications, as Flask draws it."""
    browser = _sign_in(client, buyer)
    notifications.notify(buyer, "system", "Welcome")
    db.session.commit()
    two = [(buyer.id, "system", "Two", None), (buyer.id, "order", "Three", None)]
    changes = [
        (lambda: notifications.notify(buyer, "system", "Something happened"), "Something happened"),
        (lambda: notifications.notify_many(two), "Three"),  # one INSERT naming her
        (lambda: notifications.mark_read(_first_notification(buyer)), None),
        (lambda: notifications.mark_all_read(buyer.id), None),
        (lambda: database.session.execute(sa.delete(Notification).where(Notification.text == "Two")), None),
    ]
    for change, newest in changes:
        kept = _kept(browser, "/notifications")
        # What Flask draws now (its CSRF token signed anew, so the list and the bell are compared).
        drawn = _drawn_by_flask(app, browser, "/notifications")
        assert (_notification_texts(kept), _bell(kept)) == (_notification_texts(drawn), _bell(drawn))
        assert kept.count("Mark read") == drawn.count("Mark read")
        change()
        db.session.commit()
        html = _drawn_again(browser, "/notifications")
        assert html != kept
        if newest:
            assert _notification_texts(html)[0] == newest
    assert "Two" not in _notification_texts(_kept(browser, "/notifications"))
    assert "Mark read" not in _kept(browser, "/notifications")  # every one read: no form left
    # Her "Older" page is kept too; any other query is Flask's every time.
    _kept(browser, f"/notifications?before={10**6}")
    browser.get("/notifications?page=2")
    with Statements() as statements:
        browser.get("/notifications?page=2")
    assert statements.seen
