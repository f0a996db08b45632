"""The browse page's shared cache (services/marketplace/page_cache.py) is never stale and never shares
anyone's token: each test loads the page until it comes from the cache, changes something the way
the product does (the reader's switch, the profile editor, the admin pages, the services other
areas call), and checks that the very next load shows it. Real PostgreSQL and Redis throughout."""

import pytest
import sqlalchemy as sa

from soulseer.models import ReaderProfile, Specialty
from soulseer.services.marketplace import search
from tests.conftest import csrf_token_from
from tests.support.browse import HX, cached, card, fresh, names
from tests.support.marketplace import BIO, luna_and_orion, make_profile, specialty_ids


@pytest.fixture
def readers(make_user, db):
    return luna_and_orion(make_user)


# Three ways the page is served: a visitor's cached whole page, the HTMX list, a client's page
# (the cached part inside their own header).
VIEWERS = ["visitor", "htmx", "client"]


@pytest.fixture(params=VIEWERS)
def viewer(request, app, make_user, login):
    browser = app.test_client()
    if request.param == "client":
        login(browser, make_user(role="client", consented=True, display_name="Cleo Client"))
    headers = HX if request.param == "htmx" else None
    return lambda load=fresh, path="/readers": load(browser, path, headers=headers)


def _sign_in(app, login, user):
    browser = app.test_client()
    login(browser, user)
    return browser


def test_a_reader_going_online_and_offline_shows_on_the_next_load(app, login, readers, viewer):
    assert names(viewer(cached)) == ["Luna Starweaver", "Orion Vale"]
    orion = _sign_in(app, login, readers["orion"])
    token = csrf_token_from(orion.get("/reader").get_data(as_text=True))
    assert orion.post("/reader/status", data={"status": "online"}, headers={"X-CSRFToken": token}).status_code in (
        200,
        302,
    )
    html = viewer()
    assert names(html) == ["Orion Vale", "Luna Starweaver"]  # online first, then the higher rating
    assert "Online now" in card(html, "Orion Vale")
    viewer(cached)
    orion.post("/reader/status", data={"status": "offline"}, headers={"X-CSRFToken": token})
    html = viewer()
    assert names(html) == ["Luna Starweaver", "Orion Vale"] and "Offline" in card(html, "Orion Vale")


def test_busy_and_back_through_the_status_service(readers, viewer, db):
    from soulseer.services.marketplace import reader_status

    viewer(cached)
    luna = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=readers["luna"].id)).scalar_one()
    reader_status.set_busy(luna)  # what the readings area does when a reading starts
    db.session.commit()
    assert "In a reading" in card(viewer(), "Luna Starweaver")
    viewer(cached)
    reader_status.set_available(luna)
    db.session.commit()
    assert "Online now" in card(viewer(), "Luna Starweaver")


def test_a_profile_edit_shows_on_the_next_load(app, login, readers, viewer):
    viewer(cached)
    orion = _sign_in(app, login, readers["orion"])
    token = csrf_token_from(orion.get("/reader/profile").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "display_name": "Orion Vale",
        "tagline": "Charts drawn with care",
        "bio": BIO,
        "specialties": [str(i) for i in specialty_ids("Astrology", "Numerology")],
        "years_of_practice": "9",
        "rate_chat": "3.25",
    }
    assert orion.post("/reader/profile", data=data).status_code == 302
    orion_card = card(viewer(), "Orion Vale")
    assert "Charts drawn with care" in orion_card and "$3.25/min" in orion_card and "Numerology" in orion_card
    # Searching finds the new words at once too.
    assert names(viewer(path="/readers?q=charts")) == ["Orion Vale"]


def test_hidden_by_an_admin_leaves_the_list_at_once_and_comes_back(app, login, make_user, readers, viewer, db):
    viewer(cached)
    admin = _sign_in(app, login, make_user(role="admin", consented=True))
    token = csrf_token_from(admin.get("/admin/readers").get_data(as_text=True))
    profile_id = db.session.execute(sa.select(ReaderProfile.id).filter_by(user_id=readers["orion"].id)).scalar_one()
    url = f"/admin/readers/{profile_id}/visibility"
    assert admin.post(url, data={"csrf_token": token, "hidden": "1", "reason": "Under review"}).status_code == 302
    assert names(viewer()) == ["Luna Starweaver"]
    viewer(cached)
    assert admin.post(url, data={"csrf_token": token, "hidden": "0", "reason": "Review done"}).status_code == 302
    assert names(viewer()) == ["Luna Starweaver", "Orion Vale"]


def test_a_suspended_reader_leaves_the_list_at_once(app, login, make_user, readers, viewer):
    viewer(cached)
    admin = _sign_in(app, login, make_user(role="admin", consented=True))
    token = csrf_token_from(admin.get(f"/admin/users/{readers['orion'].id}").get_data(as_text=True))
    response = admin.post(f"/admin/users/{readers['orion'].id}/suspend", data={"csrf_token": token, "reason": "Test"})
    assert response.status_code == 302
    assert names(viewer()) == ["Luna Starweaver"]


def test_a_renamed_specialty_shows_in_the_form_and_on_cards_at_once(app, login, make_user, readers, viewer, db):
    viewer(cached)
    admin = _sign_in(app, login, make_user(role="admin", consented=True))
    token = csrf_token_from(admin.get("/admin/specialties").get_data(as_text=True))
    [astrology] = specialty_ids("Astrology")
    try:
        response = admin.post(
            f"/admin/specialties/{astrology}",
            data={"csrf_token": token, "name": "Star charts", "action": "rename"},
        )
        assert response.status_code == 302
        html = viewer()
        assert "Star charts" in card(html, "Orion Vale")
        # The filter sheet (opened from the browse form, issue #13) offers the new name.
        assert f'<option value="{astrology}">Star charts</option>' in viewer(path="/readers/filters?sheet=open")
    finally:  # the specialties are reference data, kept between tests
        db.session.execute(sa.update(Specialty).where(Specialty.id == astrology).values(name="Astrology"))
        db.session.commit()


def test_a_rating_written_in_bulk_shows_at_once(readers, viewer, db):
    """What the reviews area writes, here as one ORM UPDATE statement (no objects loaded)."""
    viewer(cached)
    db.session.execute(
        sa.update(ReaderProfile)
        .where(ReaderProfile.user_id == readers["luna"].id)
        .values(rating_average="5.00", review_count=11)
    )
    db.session.commit()
    assert "(11 reviews)" in card(viewer(), "Luna Starweaver")


def test_a_rolled_back_change_and_unshown_columns_keep_the_cache(readers, client, db, redis):
    from soulseer.services.marketplace import page_cache

    cached(client)
    version = page_cache.current_version()
    luna = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=readers["luna"].id)).scalar_one()
    luna.tagline = "Never saved"
    db.session.flush()
    db.session.rollback()
    luna = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=readers["luna"].id)).scalar_one()
    luna.bio = BIO + " More."  # the cards do not show the bio
    luna.last_seen_at = sa.func.now()  # written every minute by the idle job
    db.session.commit()
    assert page_cache.current_version() == version
    assert "Never saved" not in cached(client)


def test_visitors_get_a_cached_page_without_token_or_cookie_and_the_cache_holds_no_token(
    app, readers, make_user, login, redis
):
    from soulseer.visitor_responses import csrf_slot

    first, second = app.test_client(), app.test_client()
    one = first.get("/readers")
    two = second.get("/readers")
    assert one.status_code == two.status_code == 200
    # Nothing on a visitor's browse page posts: no CSRF token, so no session and no cookie at all.
    assert "Set-Cookie" not in one.headers and "Set-Cookie" not in two.headers
    assert "X-CSRFToken" not in one.get_data(as_text=True) and 'name="csrf_token"' not in one.get_data(as_text=True)
    assert one.get_data(as_text=True) == two.get_data(as_text=True)  # one page for every visitor
    assert "Sign in" in one.get_data(as_text=True) and "Account menu" not in one.get_data(as_text=True)
    # A visitor who signs in still gets a token where a form needs it.
    assert csrf_token_from(first.get("/sign-in").get_data(as_text=True))
    stored = [redis.get(key).decode() for key in redis.scan_iter("soulseer:browse:*")]
    assert stored and not any(csrf_slot() in text for text in stored)
    # A signed-in client gets the cached list inside their own header, with their own token.
    client = app.test_client()
    cleo = make_user(role="client", consented=True, display_name="Cleo Client")
    login(client, cleo)
    page = cached(client)
    assert 'Account menu for </span><span class="account-name">Cleo Client</span>' in page and names(page) == names(
        one.get_data(as_text=True)
    )
    token = csrf_token_from(page)
    # Her token and name are in no shared entry; only in what is kept for her own session
    # (signed_in_responses.py, kept_header.py: keys under her user id).
    entries = {key.decode(): redis.get(key).decode() for key in redis.scan_iter("soulseer:*")}
    holding = [key for key, text in entries.items() if token in text or "Cleo Client" in text]
    assert all(key.startswith("soulseer:signed-in:") and f":{cleo.id}:" in key for key in holding)
    assert not any(key.startswith("soulseer:browse:") for key in holding)


@pytest.mark.parametrize("url", ["/readers", "/readers?q=tarot", "/"])
def test_a_visitors_whole_page_comes_from_the_cache_without_sql_or_session(app, readers, url):
    from tests.support.browse import Statements

    first = app.test_client().get(url)
    with Statements() as statements:
        again = app.test_client().get(url)
    assert statements.seen == []
    assert again.get_data() == first.get_data() and "Set-Cookie" not in again.headers


@pytest.mark.parametrize("url", ["/readers", "/"])
def test_a_flash_message_is_shown_to_its_visitor_only(app, readers, url):
    visitor = app.test_client()
    cached(visitor, url)
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Only for this visitor")]
    assert "Only for this visitor" in fresh(visitor, url)
    assert "Only for this visitor" not in cached(app.test_client(), url)
    assert "Only for this visitor" not in cached(visitor, url)  # shown once, then the shared page


def test_pages_and_filters_are_kept_apart(client, make_user, monkeypatch):

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        make_profile(make_user(role="reader", consented=True), f"Reader {chr(65 + n)}")
    assert names(cached(client)) == ["Reader A", "Reader B"]
    assert names(cached(client, "/readers?page=2")) == ["Reader C", "Reader D"]
    assert names(cached(client, "/readers?page=2", headers=HX)) == ["Reader C", "Reader D"]
    # The same filters written differently are one entry; different ones are not.
    assert names(cached(client, "/readers?q=reader+e")) == ["Reader E"]
    assert names(fresh(client, "/readers?q=++Reader+++E&page=1")) == ["Reader E"]
    assert names(cached(client, "/readers?q=reader+a&page=2")) == ["Reader A"]  # past the end: the last page


def test_the_home_pages_readers_online_now_are_cached_and_never_stale(app, login, readers, client):
    assert names(cached(client, "/")) == ["Luna Starweaver"]  # online readers only
    orion = _sign_in(app, login, readers["orion"])
    token = csrf_token_from(orion.get("/reader").get_data(as_text=True))
    orion.post("/reader/status", data={"status": "online"}, headers={"X-CSRFToken": token})
    assert names(fresh(client, "/")) == ["Orion Vale", "Luna Starweaver"]
    cached(client, "/")
    orion.post("/reader/status", data={"status": "offline"}, headers={"X-CSRFToken": token})
    assert names(fresh(client, "/")) == ["Luna Starweaver"]
