"""The signed-in floor (soulseer/signed_in.py, issue #20): the person, their consent and their
header read in one statement, never staler than what was committed before the page was asked for."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import accounts, operations
from soulseer.models import Conversation, Message, Notification, Reading
from soulseer.services import commerce
from soulseer.services.core import notifications
from soulseer.services.payments import ledger_admin
from tests.readings.conftest import online_at
from tests.support.browse import Statements


def _header(html):
    """The page's header (balance, bell, navigation), before <main>."""
    return html.split("<main", 1)[0]


def _balance(html):
    found = re.search(r'aria-label="Wallet balance (\$[\d,.]+)"', _header(html))
    return found.group(1) if found else None


def _load(browser, path="/readers"):
    response = browser.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _unread_message_for(client, reader):
    conversation = Conversation(client_id=client.id, reader_id=reader.id)
    database.session.add(conversation)
    database.session.flush()
    message = Message(conversation_id=conversation.id, sender_id=reader.id, body="Hello from Luna")
    database.session.add(message)
    database.session.flush()
    conversation.last_message_id = message.id
    database.session.commit()


def test_a_client_page_reads_the_person_and_the_whole_header_in_one_statement(client, db, make_user, login):
    buyer = make_user(role="client", consented=True)
    luna = make_user(role="reader", consented=True, display_name="Luna")
    operations.credit_topup(buyer, 4_250, f"topup:one:{buyer.id}", ("topup", buyer.id))
    notifications.notify(buyer, "system", "Welcome")
    notifications.notify(buyer, "system", "Again")
    db.session.commit()
    _unread_message_for(buyer, luna)
    browser = login(client, buyer)
    _load(browser)  # the shared list is cached now: what is left is what every signed-in page costs
    with Statements() as statements:
        html = _load(browser)
    assert len(statements.seen) == 1, statements.seen  # user, consent, balance, bell, messages
    assert _balance(html) == "$42.50"
    assert 'aria-label="Notifications, 2 unread"' in _header(html)
    assert re.search(r'class="nav-count" data-count="1"', _header(html))


def test_a_reader_with_a_waiting_request_sees_it_on_every_page(client, db, make_user, login):
    buyer, luna = make_user(role="client", consented=True), make_user(role="reader", consented=True)
    browser = login(client, luna)
    _load(browser)
    with Statements() as statements:
        html = _load(browser)
    assert len(statements.seen) == 1
    assert 'id="reading-alert-slot"' in html and "wants a" not in html
    assert 'sse-swap="balance"' not in html  # readers have no wallet in the header

    operations.credit_topup(buyer, 10_000, f"topup:r:{buyer.id}", ("topup", buyer.id))
    db.session.commit()
    from soulseer.services.readings import lifecycle

    reading = lifecycle.request(buyer, online_at(luna), "chat")
    db.session.commit()
    _load(browser)  # her profile changed: the shared list is made again once
    with Statements() as statements:
        html = _load(browser)
    assert len(statements.seen) == 2, statements.seen  # and the waiting reading itself, to show it
    assert f"/readings/{reading.id}/accept" in html and "wants a chat reading" in html

    reading = db.session.get(Reading, reading.id)
    reading.request_expires_at = clock.now() - timedelta(seconds=1)  # expired: no longer waiting
    db.session.commit()
    assert f"/readings/{reading.id}/accept" not in _load(browser)


def _post(kind, buyer, reader, admin):
    """Each kind of posting that moves a client's wallet, as its area posts it."""
    if kind == "top-up":
        operations.credit_topup(buyer, 1_000, f"topup:more:{buyer.id}", ("topup", buyer.id))
    elif kind == "purchase":
        commerce.charge(buyer, reader, 300, f"test:sale:{buyer.id}", ("test", 1), "A paid reply")
    elif kind == "hold":
        commerce.hold(buyer, ("booking", 7), 500, f"test:hold:{buyer.id}", "A booking held")
    elif kind == "adjustment":
        ledger_admin.adjust_wallet(admin, accounts.wallet(buyer), -250, "Duplicate goodwill credit", "a-1")
    elif kind == "top-up refund":
        operations.debit_topup_refund(buyer, 400, f"topup-refund:{buyer.id}", ("topup", buyer.id))
    elif kind == "dispute":
        operations.debit_dispute(buyer, 600, f"dispute:{buyer.id}", ("topup", buyer.id))


MOVED = {
    "top-up": "$30.00",
    "purchase": "$17.00",
    "hold": "$15.00",
    "adjustment": "$17.50",
    "top-up refund": "$16.00",
    "dispute": "$14.00",
}


@pytest.mark.parametrize("kind", list(MOVED))
def test_the_header_balance_shows_every_kind_of_posting_committed_before_the_page(kind, client, db, make_user, login):
    buyer = make_user(role="client", consented=True)
    reader = make_user(role="reader", consented=True)
    admin = make_user(role="admin", consented=True)
    operations.credit_topup(buyer, 2_000, f"topup:first:{buyer.id}", ("topup", buyer.id))
    db.session.commit()
    browser = login(client, buyer)
    assert _balance(_load(browser)) == "$20.00"
    _post(kind, buyer, reader, admin)
    db.session.commit()
    assert _balance(_load(browser)) == MOVED[kind]
    assert _balance(_load(browser, "/dashboard")) == MOVED[kind]


def test_the_bell_and_the_messages_badge_show_what_was_committed_before_the_page(client, db, make_user, login):
    buyer, luna = make_user(role="client", consented=True), make_user(role="reader", consented=True)
    browser = login(client, buyer)
    assert 'aria-label="Notifications, none unread"' in _header(_load(browser))
    notifications.notify(buyer, "system", "Something happened")
    db.session.commit()
    assert 'aria-label="Notifications, 1 unread"' in _header(_load(browser))
    db.session.execute(sa.update(Notification).values(read_at=clock.now()))
    db.session.commit()
    assert 'aria-label="Notifications, none unread"' in _header(_load(browser))
    assert 'class="nav-count"' not in _header(_load(browser))
    _unread_message_for(buyer, luna)
    assert re.search(r'class="nav-count" data-count="1"', _header(_load(browser)))


def test_a_page_rendered_after_its_own_change_reads_the_header_again(app, db, make_user):
    """Within a request, the figures read with the user stand only until the request writes: a
    commit (or flush, or rollback) of its session drops them, and the header reads them again."""
    from soulseer import signed_in

    buyer = make_user(role="client", consented=True)
    operations.credit_topup(buyer, 2_000, f"topup:first:{buyer.id}", ("topup", buyer.id))
    db.session.commit()
    with app.test_request_context("/readers"):
        user = signed_in.load_user(buyer.get_id())
        login_user(user)
        assert signed_in.header().balance == 2_000
        commerce.charge(user, make_user(role="reader"), 700, f"test:in-request:{user.id}", ("test", 2), "A sale")
        database.session.commit()
        with Statements() as statements:
            assert signed_in.header().balance == 1_300
        # Read again once (the user too: the commit expired it, as every commit does).
        assert [statement for statement in statements.seen if "ledger_accounts" in statement] != []
        assert len(statements.seen) == 2
        assert _balance(render_template_string("{% include 'partials/_balance_badge.html' %}")) == "$13.00"


def test_a_post_never_shows_the_figures_read_before_its_change(app, db, make_user):
    """A POST may post through the ledger's own connection without a flush (posting.post_many):
    the figures read with the user are never kept for it, only for GET and HEAD."""
    from soulseer import signed_in

    buyer = make_user(role="client", consented=True)
    with app.test_request_context("/readings", method="POST"):
        user = signed_in.load_user(buyer.get_id())
        login_user(user)
        operations.credit_topup(user, 900, f"topup:post:{user.id}", ("topup", user.id))  # not committed yet
        assert signed_in.header().balance == 900


def test_a_session_of_an_older_epoch_or_a_suspended_user_is_not_signed_in(client, db, make_user, login):
    buyer = make_user(role="client", consented=True)
    browser = login(client, buyer)
    assert _balance(_load(browser)) == "$0.00"
    buyer.session_epoch += 1  # "sign out everywhere"
    db.session.commit()
    assert "Sign in" in _header(_load(browser)) and _balance(_load(browser)) is None


def test_consent_is_still_asked_for_from_the_same_statement(client, db, make_user, login):
    buyer = make_user(role="client", consented=True, terms_version=0)
    answer = login(client, buyer).get("/readers")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/welcome/consent")
    luna = make_user(role="reader", consented=True)
    assert login(app_client := client, luna).get("/readers").status_code == 200
    db.session.execute(sa.text("DELETE FROM agreement_acceptances WHERE user_id = :id"), {"id": luna.id})
    db.session.commit()
    assert app_client.get("/readers").headers["Location"].startswith("/welcome/consent")


def test_templates_addresses_are_remembered_per_script_root_and_only_for_plain_values(app):
    from soulseer.templating import remembered_url_for

    with app.test_request_context("/readers"):
        assert remembered_url_for("readers.browse") == "/readers"
        assert remembered_url_for("main.page", slug="help") == "/pages/help"
        assert remembered_url_for("main.page", slug="terms") == "/pages/terms"
        assert remembered_url_for("readers.browse", _anchor="list") == "/readers#list"
    with app.test_request_context("/readers", base_url="http://localhost/soulseer"):
        assert remembered_url_for("readers.browse") == "/soulseer/readers"  # not the root's, remembered above
        assert remembered_url_for("main.page", slug="help") == "/soulseer/pages/help"
