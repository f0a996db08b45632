"""In-app notifications: the service, the bell (live), the list page, mark read, export."""

import pytest
import sqlalchemy as sa

from soulseer.models import Notification
from soulseer.services import accounts
from soulseer.services.core import data_export, notifications
from tests.conftest import csrf_token_from
from tests.support.sse import StreamReader, stop_event_hub_at_end

_stop_hub = pytest.fixture(scope="module", autouse=True)(stop_event_hub_at_end)


def _notify(db, user, text="Ana wants a chat reading", kind="request", link="/wallet"):
    notification = notifications.notify(user, kind, text, link=link)
    db.session.commit()
    return notification


def test_notify_stores_and_updates_the_bell_after_commit(app, db, make_user, login):
    user, other = make_user(consented=True), make_user(consented=True)
    response = login(app.test_client(), user).get("/events", buffered=False)
    tab = StreamReader(response)
    other_tab = StreamReader(login(app.test_client(), other).get("/events", buffered=False))
    try:
        tab.wait_for(": connected")
        other_tab.wait_for(": connected")
        notifications.notify(user, "request", "First")
        assert "event: notifications" not in tab.settle(0.3)  # nothing before the commit
        db.session.commit()
        received = tab.wait_for('data-count="1"')
        assert "event: notifications" in received
        assert 'aria-label="Notifications, 1 unread"' in received
        _notify(db, user, "Second")
        assert 'data-count="2"' in tab.wait_for('data-count="2"')
        assert "notifications" not in other_tab.settle(0.3)
    finally:
        tab.close()
        other_tab.close()

    rows = db.session.execute(sa.select(Notification).order_by(Notification.id)).scalars().all()
    assert [(n.user_id, n.kind, n.text, n.read_at) for n in rows] == [
        (user.id, "request", "First", None),
        (user.id, "request", "Second", None),
    ]


def test_notify_many_stores_them_in_one_go_and_pushes_each_bell_once(app, db, make_user, login):
    user, other = make_user(consented=True), make_user(consented=True)
    tab = StreamReader(login(app.test_client(), user).get("/events", buffered=False))
    other_tab = StreamReader(login(app.test_client(), other).get("/events", buffered=False))
    try:
        tab.wait_for(": connected")
        other_tab.wait_for(": connected")
        notifications.notify_many([(user.id, "payout", "One", "/reader/payouts"), (other.id, "payout", "Two", None),
                                   (user.id, "system", "Three", None)])  # fmt: skip
        assert "event: notifications" not in tab.settle(0.3)  # nothing before the commit
        db.session.commit()
        tab.wait_for('data-count="2"')
        received = tab.settle(0.3)
        assert received.count("event: notifications") == 1  # her bell once, with both of hers counted
        other_tab.wait_for('data-count="1"')
        other_received = other_tab.settle(0.3)
        assert other_received.count("event: notifications") == 1
    finally:
        tab.close()
        other_tab.close()
    rows = db.session.execute(sa.select(Notification).order_by(Notification.id)).scalars().all()
    assert [(n.user_id, n.kind, n.text, n.link) for n in rows] == [
        (user.id, "payout", "One", "/reader/payouts"),
        (other.id, "payout", "Two", None),
        (user.id, "system", "Three", None),
    ]
    with pytest.raises(ValueError):
        notifications.notify_many([(user.id, "nonsense", "x", None)])


def test_a_rolled_back_notification_is_neither_stored_nor_announced(app, db, make_user, login):
    user = make_user(consented=True)
    tab = StreamReader(login(app.test_client(), user).get("/events", buffered=False))
    try:
        tab.wait_for(": connected")
        notifications.notify(user, "request", "Never")
        db.session.rollback()
        db.session.commit()  # a later commit must not publish the dropped one
        assert "notifications" not in tab.settle(0.5)
    finally:
        tab.close()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_inside_a_savepoint_the_bell_waits_for_the_real_commit(app, db, make_user, login):
    user = make_user(consented=True)
    tab = StreamReader(login(app.test_client(), user).get("/events", buffered=False))
    try:
        tab.wait_for(": connected")
        with db.session.begin_nested():  # as a Stripe event's handler runs (services/payments/stripe_events.py)
            notifications.notify(user, "system", "Inside the savepoint")
        assert "event: notifications" not in tab.settle(0.3)  # released, but nothing is committed yet
        with pytest.raises(ZeroDivisionError), db.session.begin_nested():
            notifications.notify(user, "system", "Rolled back with its savepoint")
            raise ZeroDivisionError
        db.session.commit()
        received = tab.wait_for('data-count="1"')  # what the database holds when the news goes out
        assert received.count("event: notifications") == 1
    finally:
        tab.close()
    assert [n.text for n in db.session.execute(sa.select(Notification)).scalars()] == ["Inside the savepoint"]


def test_unknown_kinds_are_refused(db, make_user):
    with pytest.raises(ValueError):
        notifications.notify(make_user(), "nonsense", "text")


def test_the_header_bell_shows_the_unread_count(client, db, login, make_user):
    user = make_user(consented=True)
    login(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifications, none unread"' in html
    assert "bell-count" not in html
    for n in range(3):
        _notify(db, user, f"Note {n}")
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifications, 3 unread"' in html
    assert 'sse-swap="notifications"' in html


def test_list_page_shows_only_own_newest_first(client, db, login, make_user):
    user, other = make_user(consented=True), make_user(consented=True)
    _notify(db, user, "Older one")
    _notify(db, user, "Newer one", link=None)
    _notify(db, other, "Not yours")
    login(client, user)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.index("Newer one") < html.index("Older one")
    assert "Not yours" not in html
    assert 'href="/wallet"' in html


def test_the_list_pages_with_older(client, db, login, make_user, monkeypatch):
    monkeypatch.setattr(notifications, "PAGE_SIZE", 2)
    user = make_user(consented=True)
    ids = [_notify(db, user, f"Note {n}").id for n in range(5)]
    login(client, user)
    html = client.get("/notifications").get_data(as_text=True)
    assert "Note 4" in html and "Note 3" in html and "Note 2" not in html
    assert f"before={ids[3]}" in html
    fragment = client.get(f"/notifications?before={ids[3]}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Note 2" in fragment and "Note 1" in fragment and "Note 4" not in fragment


def test_mark_one_read_in_place(client, db, login, make_user):
    user = make_user(consented=True)
    first, second = _notify(db, user, "First"), _notify(db, user, "Second")
    login(client, user)
    token = csrf_token_from(client.get("/notifications").get_data(as_text=True))
    response = client.post(f"/notifications/{first.id}/read", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="notification-{first.id}"' in html and "Mark read" not in html
    # The header bell comes along out of band, with one left unread.
    assert 'hx-swap-oob="true"' in html and "Notifications, 1 unread" in html
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert db.session.get(Notification, second.id).read_at is None


def test_mark_read_without_javascript_redirects_back(client, db, login, make_user, post_form):
    user = make_user(consented=True)
    note = _notify(db, user)
    login(client, user)
    response = post_form(client, f"/notifications/{note.id}/read")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")


def test_someone_elses_notification_is_404_and_unchanged(client, db, login, make_user, post_form):
    owner, intruder = make_user(consented=True), make_user(consented=True)
    note = _notify(db, owner)
    login(client, intruder)
    assert post_form(client, f"/notifications/{note.id}/read").status_code == 404
    assert post_form(client, "/notifications/999999/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_mark_read_needs_csrf_and_sign_in(client, db, login, make_user):
    user = make_user(consented=True)
    note = _notify(db, user)
    assert client.post(f"/notifications/{note.id}/read").status_code in (302, 400)
    login(client, user)
    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_mark_all_read(client, db, login, make_user):
    user, other = make_user(consented=True), make_user(consented=True)
    for n in range(3):
        _notify(db, user, f"Note {n}")
    _notify(db, other, "Theirs")
    login(client, user)
    token = csrf_token_from(client.get("/notifications").get_data(as_text=True))
    response = client.post("/notifications/read-all", headers={"HX-Request": "true", "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mark read" not in html and "Mark all read" not in html
    assert "Notifications, none unread" in html
    assert notifications.unread_count(user.id) == 0
    assert notifications.unread_count(other.id) == 1


def test_export_includes_notifications(db, make_user):
    user = make_user(consented=True)
    _notify(db, user, "Exported", link="/x")
    data = data_export.export_data(user)
    assert [(n["kind"], n["text"], n["link"], n["read_at"]) for n in data["notifications"]] == [
        ("request", "Exported", "/x", None)
    ]


def test_deleting_an_account_deletes_its_notifications(db, make_user):
    from soulseer.services.accounts.passwords import hash_password

    user, other = make_user(consented=True, password_hash=hash_password("a long passphrase 42")), make_user()
    _notify(db, user, "Mine")
    _notify(db, other, "Theirs")
    accounts.delete_account(user, password="a long passphrase 42")
    db.session.commit()
    assert notifications.unread_count(user.id) == 0
    assert notifications.unread_count(other.id) == 1
