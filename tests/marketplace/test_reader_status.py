"""Reader status: the dashboard switch, busy, going offline when idle (an RQ job), live updates,
missed requests, and "notify me when online" once per online period."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import Queue, SimpleWorker

from soulseer import clock
from soulseer.jobs.reader_status import offline_idle_readers
from soulseer.models import Notification, OnlineNotificationRequest, ReaderProfile
from soulseer.services.core import events
from soulseer.services.marketplace import reader_status
from tests.conftest import csrf_token_from
from tests.support.sse import StreamReader, stop_event_hub_at_end

_stop_hub = pytest.fixture(scope="module", autouse=True)(stop_event_hub_at_end)


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.reset()


@pytest.fixture
def make_reader(db, make_user):
    def factory(name="Luna Star", status="offline"):
        user = make_user(role="reader", consented=True, display_name=name)
        slug = name.lower().replace(" ", "-") + f"-{user.id}"
        profile = ReaderProfile(user_id=user.id, slug=slug, display_name=name, status=status)
        db.session.add(profile)
        db.session.commit()
        return user, profile

    return factory


def _switch(client, status, htmx=True):
    token = csrf_token_from(client.get("/reader").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    if htmx:
        headers["HX-Request"] = "true"
    return client.post("/reader/status", data={"status": status}, headers=headers)


def _status(db, profile):
    db.session.expire_all()
    return db.session.get(ReaderProfile, profile.id)


def test_the_dashboard_shows_the_switch(client, login, make_reader):
    user, _ = make_reader()
    login(client, user)
    html = client.get("/reader").get_data(as_text=True)
    assert 'role="switch"' in html and 'aria-checked="false"' in html
    assert 'value="online"' in html


def test_going_online_and_offline(client, db, login, make_reader):
    user, profile = make_reader()
    login(client, user)
    response = _switch(client, "online")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-checked="true"' in html and 'value="offline"' in html and "<html" not in html
    saved = _status(db, profile)
    assert saved.status == "online"
    assert saved.last_seen_at is not None

    response = _switch(client, "offline", htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/reader")
    assert _status(db, profile).status == "offline"


def test_a_status_change_is_published_live(app, db, login, make_reader, make_user):
    user, profile = make_reader()
    watcher = make_user(consented=True)
    watcher_tab = StreamReader(login(app.test_client(), watcher).get("/events", buffered=False))
    reader_client = login(app.test_client(), user)
    reader_tab = StreamReader(reader_client.get("/events", buffered=False))
    try:
        watcher_tab.wait_for(": connected")
        reader_tab.wait_for(": connected")
        _switch(reader_client, "online")
        # The reader's other tabs get their switch, without a CSRF field of someone else's session.
        switch = reader_tab.wait_for("event: reader-switch")
        assert 'aria-checked="true"' in switch and "csrf_token" not in switch
        assert "reader-switch" not in watcher_tab.settle(0.3)  # the switch is the reader's alone
    finally:
        watcher_tab.close()
        reader_tab.close()


def test_only_readers_with_a_profile_have_a_switch(client, login, make_user, post_form):
    login(client, make_user(consented=True))
    assert post_form(client, "/reader/status", {"status": "online"}).status_code == 403
    client2 = client.application.test_client()
    login(client2, make_user(role="reader", consented=True))
    assert post_form(client2, "/reader/status", {"status": "online"}).status_code == 404


def test_a_busy_reader_cannot_switch_online(client, db, login, make_reader):
    user, profile = make_reader(status="busy")
    login(client, user)
    html = _switch(client, "online").get_data(as_text=True)
    assert "You are in a reading" in html and "disabled" in html
    assert _status(db, profile).status == "busy"


def test_busy_and_available_for_the_readings_area(db, make_reader):
    _, profile = make_reader(status="online")
    reader_status.set_busy(profile)
    db.session.commit()
    assert _status(db, profile).status == "busy"
    reader_status.set_available(_status(db, profile))
    db.session.commit()
    assert _status(db, profile).status == "online"


def test_bad_status_values_change_nothing(client, db, login, make_reader):
    user, profile = make_reader()
    login(client, user)
    html = _switch(client, "invisible").get_data(as_text=True)
    assert "Choose online or offline." in html
    assert _status(db, profile).status == "offline"


def _run_jobs(redis):
    SimpleWorker([Queue("default", connection=redis)], connection=redis).work(burst=True)


def test_idle_readers_go_offline_by_the_job(app, client, db, redis, login, make_reader):
    idle_user, idle = make_reader("Idle Reader")
    active_user, active = make_reader("Active Reader")
    for user in (idle_user, active_user):
        _switch(login(app.test_client(), user), "online")
    redis.delete(*[events.PRESENCE_KEY.format(user_id=u.id) for u in (idle_user, active_user)])

    clock.advance(timedelta(minutes=9))
    login(client, active_user).get("/reader")  # a request is activity
    clock.advance(timedelta(minutes=2))  # 11 minutes since going online

    Queue("default", connection=redis).enqueue(offline_idle_readers)
    _run_jobs(redis)

    assert _status(db, idle).status == "offline"
    still = _status(db, active)
    assert still.status == "online"
    assert still.last_seen_at == pytest.approx(clock.now() - timedelta(minutes=2), abs=timedelta(seconds=5))

    clock.advance(timedelta(minutes=9))  # 11 minutes since the active reader's last request
    Queue("default", connection=redis).enqueue(offline_idle_readers)
    _run_jobs(redis)
    assert _status(db, active).status == "offline"


def test_three_missed_requests_in_a_row_take_a_reader_offline(db, make_reader):
    _, profile = make_reader(status="online")
    assert reader_status.record_missed_request(profile) is False
    reader_status.clear_missed_requests(profile)  # answered one: the count starts over
    assert reader_status.record_missed_request(profile) is False
    assert reader_status.record_missed_request(profile) is False
    assert reader_status.record_missed_request(profile) is True
    db.session.commit()
    assert _status(db, profile).status == "offline"


# --- notify me when online ---------------------------------------------------------------------


def _ask(client, profile, action="ask"):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(
        f"/notifications/online-alerts/{profile.id}",
        data={"action": action},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )


def _online_notes(db, client_user):
    db.session.expire_all()
    return (
        db.session.execute(sa.select(Notification.text).filter_by(user_id=client_user.id, kind="reader_online"))
        .scalars()
        .all()
    )


def test_notify_me_once_per_online_period(app, db, login, make_reader, make_user):
    reader_user, profile = make_reader("Luna Star")
    ana, ben = make_user(consented=True), make_user(consented=True)
    ana_client, ben_client = login(app.test_client(), ana), login(app.test_client(), ben)
    reader_client = login(app.test_client(), reader_user)

    html = _ask(ana_client, profile).get_data(as_text=True)
    assert "We will notify you when Luna Star comes online." in html
    _ask(ana_client, profile)  # asking twice is still one request
    _ask(ben_client, profile)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OnlineNotificationRequest)) == 2

    _switch(reader_client, "online")
    assert _online_notes(db, ana) == ["Luna Star is online now."]
    assert _online_notes(db, ben) == ["Luna Star is online now."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OnlineNotificationRequest)) == 0

    # Offline and online again: nobody asked again, nobody is told again.
    _switch(reader_client, "offline")
    _switch(reader_client, "online")
    assert len(_online_notes(db, ana)) == 1

    # Ana asks again while the reader is offline; the next online period tells her once more.
    _switch(reader_client, "offline")
    _ask(ana_client, profile)
    _switch(reader_client, "online")
    assert len(_online_notes(db, ana)) == 2
    assert len(_online_notes(db, ben)) == 1


def test_notify_me_can_be_cancelled(app, db, login, make_reader, make_user):
    reader_user, profile = make_reader()
    ana = make_user(consented=True)
    ana_client = login(app.test_client(), ana)
    _ask(ana_client, profile)
    html = _ask(ana_client, profile, action="cancel").get_data(as_text=True)
    assert "Notify me when online" in html
    _switch(login(app.test_client(), reader_user), "online")
    assert _online_notes(db, ana) == []


def test_notify_me_refusals(app, db, login, make_reader, make_user):
    _, online = make_reader("Online Reader", status="online")
    ana = make_user(consented=True)
    response = _ask(login(app.test_client(), ana), online)
    assert response.status_code == 200 and "Notify me" not in response.get_data(as_text=True)  # no button now
    other_reader, _ = make_reader("Other Reader")
    assert _ask(login(app.test_client(), other_reader), online).status_code == 403
    missing = ReaderProfile(id=999999)
    assert _ask(login(app.test_client(), ana), missing).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OnlineNotificationRequest)) == 0
