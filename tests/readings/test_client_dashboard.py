"""The client's dashboard (/dashboard) and the bottom bar that leads every role to its dashboard and
its history of readings (docs/dashboard.md)."""

import re

from soulseer.extensions import db
from soulseer.models import Favourite, ReaderProfile, ReaderStatus
from soulseer.services.readings import history
from tests.readings.conftest import Session, fund
from tests.readings.helpers import finished_reading, profile_for


def test_the_dashboard_shows_the_wallet_readings_with_review_status_and_favourites_online(
    client, login, people, make_user
):
    client_user, reader = people
    profile_for(reader, "luna")
    long_one = finished_reading(client_user, reader, seconds=125, rate=120, balance=1000)  # $2.50
    short_one = finished_reading(client_user, reader, seconds=16, rate=120, balance=1000)  # $0.32
    sol = make_user(role="reader", consented=True, display_name="Sol")
    db.session.add(ReaderProfile(user_id=sol.id, slug="sol", display_name="Sol", rate_chat_cents=200))
    away = make_user(role="reader", consented=True, display_name="Wren")
    db.session.add(ReaderProfile(user_id=away.id, slug="wren", display_name="Wren", rate_chat_cents=200))
    db.session.flush()
    db.session.get(ReaderProfile, profile_for_id(sol)).status = ReaderStatus.ONLINE
    for profile_id in (profile_for_id(sol), profile_for_id(away)):
        db.session.add(Favourite(client_id=client_user.id, reader_profile_id=profile_id))
    db.session.commit()

    login(client, client_user)
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "$17.18" in page  # 20.00 - 2.50 - 0.32
    assert 'href="/wallet/topups/new"' in page and "Add money" in page
    assert "Your reading is in progress" not in page  # nothing open
    for reading in (long_one, short_one):
        assert f'href="/readings/{reading.id}/transcript"' in page
    assert f'href="/readings/{long_one.id}/review"' in page and "Leave a review" in page
    assert f'href="/readings/{short_one.id}/review"' not in page  # it would be refused
    assert "Readings shorter than one billed minute cannot be reviewed." in page
    assert "2:05" in page and "0:16" in page and "$2.50" in page and "$0.32" in page
    favourites = page.split('id="favourites-online-title"', 1)[1]
    assert 'href="/readers/sol"' in favourites and "wren" not in favourites  # online only


def profile_for_id(user):
    return db.session.query(ReaderProfile.id).filter_by(user_id=user.id).scalar()


def test_a_reading_in_progress_leads_back_to_the_room(client, login, people):
    client_user, reader = people
    fund(client_user, 1000)
    session = Session(client_user, reader, 100)
    login(client, client_user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Waiting for" in page and f'href="/readings/{session.id}"' in page and "See the request" in page
    session.accept()
    session.join_both()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Your reading is in progress" in page and "Back to the reading" in page
    assert f'href="/readings/{session.id}"' in page


def test_the_dashboard_lists_the_latest_five_and_links_to_the_history(client, login, people):
    client_user, reader = people
    profile_for(reader, "luna")
    made = [finished_reading(client_user, reader, seconds=60 + i, rate=60) for i in range(6)]
    assert [r.id for r in history.recent_for_client(client_user)] == [r.id for r in reversed(made)][:5]
    login(client, client_user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert page.count('class="card reading-item"') == 5 and f'/readings/{made[0].id}/transcript"' not in page
    assert 'href="/readings/history"' in page and "All your readings" in page


def test_the_dashboard_is_for_clients(client, login, people, make_user):
    client_user, reader = people
    assert client.get("/dashboard").status_code == 302  # to sign in
    login(client, reader)
    assert client.get("/dashboard").status_code == 403
    login(client, make_user(role="admin", consented=True))
    assert client.get("/dashboard").status_code == 403


def bottom_bar(page):
    bar = re.search(r'<nav class="bottom-nav".*?</nav>', page, re.S).group(0)
    return re.findall(r'href="([^"]+)"', bar)


def test_every_role_reaches_its_dashboard_and_history_from_the_bottom_bar(client, login, people, make_user):
    client_user, reader = people
    # Other areas add their own links (community, messages); these are the ones of this test.
    visitor = bottom_bar(client.get("/readers").get_data(as_text=True))
    assert visitor[:2] == ["/", "/readers"] and visitor[-1] == "/pages/help"
    assert not {"/dashboard", "/readings/history", "/reader", "/admin", "/messages"} & set(visitor)
    for user, dashboard, readings, messages in (
        (client_user, "/dashboard", "/readings/history", ["/messages"]),
        (reader, "/reader", "/reader/readings", ["/messages"]),
        (make_user(role="admin", consented=True), "/admin", "/admin/readings", []),  # admins have no inbox
    ):
        login(client, user)
        links = bottom_bar(client.get("/pages/help").get_data(as_text=True))
        assert links[:2] == ["/", "/readers"] and links[-3:] == [dashboard, readings, "/pages/help"]
        assert set(messages) <= set(links) and ("/messages" in links) == bool(messages)
        assert client.get(dashboard).status_code == 200 and client.get(readings).status_code == 200
        page = client.get(dashboard).get_data(as_text=True)
        assert f'<a href="{dashboard}" aria-current="page">' in page  # the bar says where you are
