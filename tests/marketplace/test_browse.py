"""Browse and search readers, the reader's page, favourites, the home page's online readers."""

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.models import Favourite
from soulseer.services.core import data_export
from soulseer.services.marketplace import search
from tests.conftest import csrf_token_from
from tests.support.browse import Statements, names
from tests.support.marketplace import make_profile, specialty_ids

HX = {"HX-Request": "true"}


@pytest.fixture
def readers(make_user, db):
    """Five readers: two online, with different ratings, specialties and rates."""
    specs = [
        ("Luna Starweaver", ("Tarot", "Dreams"), "online", "4.20", 10, "2.00"),
        ("Orion Vale", ("Astrology",), "offline", "4.90", 30, "5.00"),
        ("Sage Moonwater", ("Mediumship", "Spirit Guides"), "online", "4.80", 12, "9.50"),
        ("Iris Nightingale", ("Tarot", "Love & Relationships"), "busy", "3.50", 4, "1.00"),
        ("Nova Ellery", ("Numerology",), "offline", "0", 0, "0.75"),
    ]
    made = {}
    for name, specialties, status, rating, reviews, chat in specs:
        user = make_user(role="reader", consented=True, display_name=name)
        made[name] = make_profile(user, name, specialties, status=status, rating=rating, reviews=reviews, chat=chat)
    return made


def test_online_first_then_by_rating(client, readers):
    html = client.get("/readers").get_data(as_text=True)
    assert names(html) == ["Sage Moonwater", "Luna Starweaver", "Iris Nightingale", "Orion Vale", "Nova Ellery"]
    assert html.count("Online now") >= 2 and "In a reading" in html
    assert "5 readers" in html
    assert '<html lang="en">' in html  # a direct load is the full page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("specialty={Tarot}", ["Luna Starweaver", "Iris Nightingale"]),
        ("price_min=2&price_max=5", ["Luna Starweaver", "Orion Vale"]),
        ("price_max=1.00", ["Iris Nightingale", "Nova Ellery"]),
        ("online=1", ["Sage Moonwater", "Luna Starweaver"]),
        ("rating=4.5", ["Sage Moonwater", "Orion Vale"]),
        ("mode=chat&rating=4", ["Sage Moonwater", "Luna Starweaver", "Orion Vale"]),
        ("q=orion", ["Orion Vale"]),
        ("q=tar", ["Luna Starweaver", "Iris Nightingale"]),  # a prefix of a specialty
        ("q=spirit+guides", ["Sage Moonwater"]),
        ("q=reads+luna", ["Luna Starweaver"]),  # tagline and name together
        ("q=tarot&specialty={Dreams}", ["Luna Starweaver"]),
        ("q=%27%29%3B+drop+table+users%3B+--+%26%7C%21", []),  # never a syntax error
        ("price_min=abc&rating=7&mode=telepathy&page=x", None),  # malformed: ignored
    ],
)
def test_filters(client, readers, query, expected):
    query = query.replace("{Tarot}", str(specialty_ids("Tarot")[0])).replace(
        "{Dreams}", str(specialty_ids("Dreams")[0])
    )
    response = client.get(f"/readers?{query}", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="reader-results"' in html  # HTMX gets the list only
    if expected is None:
        assert len(names(html)) == 5
    else:
        assert names(html) == expected
    assert "HX-Request" in response.headers["Vary"]


def test_empty_results_say_so_and_offer_to_clear(client, readers):
    html = client.get("/readers?q=nobody-by-this-name").get_data(as_text=True)
    assert "No readers match these filters" in html
    assert 'href="/readers">Clear filters</a>' in html
    assert 'value="nobody-by-this-name"' in html  # the form keeps what was typed


def test_no_readers_at_all_is_a_truthful_empty_state(client):
    html = client.get("/readers").get_data(as_text=True)
    assert "No readers have set up their profiles yet" in html


def test_hidden_suspended_and_unreachable_readers_are_not_listed(client, readers, db):
    from soulseer.models import ReaderProfile, User

    luna = db.session.get(ReaderProfile, readers["Luna Starweaver"].id)
    luna.hidden_at, luna.hidden_reason = clock.now(), "Hidden by an admin"
    orion = db.session.get(ReaderProfile, readers["Orion Vale"].id)
    db.session.get(User, orion.user_id).status = "suspended"
    nova = db.session.get(ReaderProfile, readers["Nova Ellery"].id)
    nova.rate_chat_cents = None  # no mode SoulSeer can run
    db.session.commit()
    html = client.get("/readers").get_data(as_text=True)
    assert names(html) == ["Sage Moonwater", "Iris Nightingale"]
    assert client.get(f"/readers/{luna.slug}").status_code == 404


def test_pages(client, make_user, monkeypatch):

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        make_profile(make_user(role="reader", consented=True), f"Reader {chr(65 + n)}")
    first = client.get("/readers").get_data(as_text=True)
    assert names(first) == ["Reader A", "Reader B"] and "Page 1 of 3" in first
    assert 'href="/readers?page=2"' in first
    third = client.get("/readers?page=3", headers=HX).get_data(as_text=True)
    assert names(third) == ["Reader E"] and 'rel="prev"' in third and 'rel="next"' not in third
    assert 'hx-push-url="true"' in third
    beyond = client.get("/readers?page=99").get_data(as_text=True)
    assert names(beyond) == ["Reader E"]


def _statements_for_browse(client, login, user, shown):
    """The statements of one browse page that is not in the shared cache yet (each test load here
    follows a change, which moves the cache's version), checked to be the uncached page's."""
    login(client, user)
    with Statements() as statements:
        html = client.get("/readers").get_data(as_text=True)
    assert len(names(html)) == shown
    page = [s for s in statements.seen if "FROM reader_profiles" in s]
    assert len(page) == 1 and "count(*) OVER ()" in page[0]  # the page and the total, one statement
    return len(statements.seen)


def test_the_browse_page_makes_the_same_number_of_queries_for_5_and_25_readers(
    client, make_user, login, db, monkeypatch
):

    monkeypatch.setattr(search, "PAGE_SIZE", 30)
    visitor = make_user(role="client", consented=True)
    kinds = ["Tarot", "Astrology", "Dreams", "Pets", "Numerology", "Past Lives"]
    for n in range(5):
        make_profile(make_user(role="reader", consented=True), f"Few {n}", kinds[n % 6 : n % 6 + 3], status="online")
    few = _statements_for_browse(client, login, visitor, 5)
    for n in range(20):
        make_profile(make_user(role="reader", consented=True), f"Many {n}", kinds[n % 6 : n % 6 + 3])
    many = _statements_for_browse(client, login, visitor, 25)
    assert few == many
    assert many <= 12, f"{many} statements for one browse page"
    # From the cache, the list costs no statement at all (only the signed-in client's header).
    with Statements() as statements:
        client.get("/readers")
    assert statements.reader_queries == [] and len(statements.seen) < many


def test_the_reader_page(client, readers, app, db):
    from soulseer.models import ReaderProfile

    luna = readers["Luna Starweaver"]
    html = client.get(f"/readers/{luna.slug}").get_data(as_text=True)
    assert "Luna Starweaver keeps 70% of what you pay." in html
    assert '$2.00<span class="rate-unit"> per minute' in html
    assert "4.2" in html and "(10 reviews)" in html
    nova = client.get(f"/readers/{readers['Nova Ellery'].slug}").get_data(as_text=True)
    assert "No reviews yet. Clients can review a reading after it ends." in nova
    assert 'id="reader-status-' in html and "Online now" in html
    assert "Sign in to add to favourites" in html
    assert "Chat now" not in html  # the readings area adds the buttons
    profile = db.session.get(ReaderProfile, luna.id)
    profile.share_override_bp = 7250
    db.session.commit()
    html = client.get(f"/readers/{luna.slug}").get_data(as_text=True)
    assert "keeps 72.5% of what you pay" in html
    # /readers/<id> settles on the slug; an unknown slug is a 404.
    response = client.get(f"/readers/{luna.id}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/readers/{luna.slug}")
    assert client.get("/readers/no-such-reader").status_code == 404


def test_a_client_favourites_in_place_and_lists_them(client, readers, make_user, login, db):
    fan = make_user(role="client", consented=True)
    login(client, fan)
    luna, orion = readers["Luna Starweaver"], readers["Orion Vale"]
    page = client.get(f"/readers/{luna.slug}").get_data(as_text=True)
    assert "Add to favourites" in page and 'aria-pressed="false"' in page
    token = csrf_token_from(page)
    for profile in (luna, orion):
        response = client.post(
            f"/readers/{profile.slug}/favourite", data={"favourite": "1"}, headers={**HX, "X-CSRFToken": token}
        )
        assert response.status_code == 200
        fragment = response.get_data(as_text=True)
        assert "<html" not in fragment and 'aria-pressed="true"' in fragment and "In your favourites" in fragment
    # Twice is the same as once.
    client.post(f"/readers/{luna.slug}/favourite", data={"favourite": "1"}, headers={**HX, "X-CSRFToken": token})
    assert db.session.execute(sa.select(sa.func.count()).select_from(Favourite)).scalar_one() == 2
    favourites = client.get("/favourites").get_data(as_text=True)
    assert names(favourites) == ["Luna Starweaver", "Orion Vale"]
    assert "1 of your favourite readers is online now" in favourites
    assert 'href="/favourites"' in client.get("/").get_data(as_text=True)  # in the account menu
    # Without HTMX the form posts and comes back to the page.
    response = client.post(f"/readers/{orion.slug}/favourite", data={"favourite": "0", "csrf_token": token})
    assert response.status_code == 302
    assert names(client.get("/favourites").get_data(as_text=True)) == ["Luna Starweaver"]


def test_only_clients_favourite(client, readers, make_user, login, db):
    luna = readers["Luna Starweaver"]
    assert client.post(f"/readers/{luna.slug}/favourite", data={"favourite": "1"}).status_code in (302, 400)
    reader = make_user(role="reader", consented=True)
    login(client, reader)
    token = csrf_token_from(client.get("/readers").get_data(as_text=True))
    response = client.post(f"/readers/{luna.slug}/favourite", data={"favourite": "1", "csrf_token": token})
    assert response.status_code == 403
    assert client.get("/favourites").status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(Favourite)).scalar_one() == 0


def test_favourites_empty_state(client, make_user, login):
    login(client, make_user(role="client", consented=True))
    assert "You have no favourite readers yet" in client.get("/favourites").get_data(as_text=True)


def test_home_shows_readers_online_now(client, readers, db):
    from soulseer.models import ReaderProfile

    html = client.get("/").get_data(as_text=True)
    assert names(html) == ["Sage Moonwater", "Luna Starweaver"]
    assert "No readers are online right now" not in html
    db.session.execute(sa.update(ReaderProfile).values(status="offline"))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert names(html) == [] and "No readers are online right now" in html


def test_navigation_and_manifest_link_the_readers(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/readers"') >= 2  # top navigation and bottom bar
    manifest = client.get("/manifest.webmanifest").get_json()
    assert {"name": "Readers", "url": "/readers"}.items() <= manifest["shortcuts"][0].items()


def test_card_and_badge_partials_render_from_a_profile_alone(app, readers, db):
    """The status code re-renders these from just a profile and pushes them live."""
    from flask import render_template

    from soulseer.models import ReaderProfile

    luna_id = readers["Luna Starweaver"].id
    db.session.remove()
    with app.test_request_context():
        profile = db.session.get(ReaderProfile, luna_id)
        card = render_template("readers/_reader_card.html", reader=profile)
        badge = render_template("readers/_status_badge.html", profile=profile)
    assert f'id="reader-card-{luna_id}"' in card and "Tarot" in card and "$2.00/min" in card
    assert badge.strip().startswith(f'<span id="reader-status-{luna_id}"') and "Online now" in badge


def test_the_data_export_has_favourites_and_the_reader_profile(readers, make_user, db):
    from soulseer.services.marketplace import favourites

    fan = make_user(role="client", consented=True)
    favourites.set_favourite(fan, readers["Orion Vale"], True)
    db.session.commit()
    assert data_export.export_data(fan)["favourites"][0]["slug"] == readers["Orion Vale"].slug
    luna_user = readers["Luna Starweaver"].user
    exported = data_export.export_data(luna_user)["reader_profile"]
    assert exported["display_name"] == "Luna Starweaver" and exported["rate_chat_cents"] == 200


def test_the_list_pushes_its_filters_own_url(client, readers):
    response = client.get("/readers?q=+Tarot&mode=&specialty=&price_min=&price_max=&rating=&page=1", headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert response.headers["HX-Push-Url"] == "/readers?q=Tarot"
    assert client.get("/readers?page=1", headers=HX).headers["HX-Push-Url"] == "/readers"


def test_the_first_specialty_is_a_filter_like_any_other(app):
    """Specialty id 1 was once taken for the default page number and dropped from URLs and cache keys."""

    with app.test_request_context():
        first, none = search.parse_filters({"specialty": "1"}), search.parse_filters({})
        assert first.query_args() == {"specialty": 1} and search.canonical_query(first) == "specialty=1"
        assert first.query_args(page=2) == {"specialty": 1, "page": 2}
        assert search.cache_variant(first) != search.cache_variant(none)
        assert search.parse_filters({"page": "1"}).query_args() == {}


def test_the_search_and_online_now_are_on_top_and_the_other_filters_in_a_sheet(client, readers):
    """Issue #13: the first screen is for readers, not for six filter fields."""
    [tarot] = specialty_ids("Tarot")
    html = client.get(f"/readers?online=1&specialty={tarot}&price_max=5").get_data(as_text=True)
    form = html.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert 'id="browse-q"' in form and 'name="online" value="1" checked' in form and "Online now" in form
    assert "<select" not in form and 'id="browse-price-max"' not in form  # in the sheet, closed
    # Closed, the sheet keeps what is chosen (so a search keeps it) and says how many.
    assert f'<input type="hidden" name="specialty" value="{tarot}">' in form
    assert '<input type="hidden" name="price_max" value="5">' in form and "Filters · 2" in form
    # Opened with HTMX: the fields, filled in; closed again: the hidden values.
    opened = client.get(f"/readers/filters?sheet=open&specialty={tarot}&price_max=5", headers=HX)
    sheet = opened.get_data(as_text=True)
    assert "<html" not in sheet and sheet.lstrip().startswith('<div id="filter-sheet"')
    assert f'<option value="{tarot}" selected>' in sheet and 'id="browse-price-max" name="price_max" value="5"' in sheet
    assert 'hx-get="/readers/filters"' in sheet and ">Done</button>" in sheet
    closed = client.get(f"/readers/filters?specialty={tarot}&mode=chat", headers=HX).get_data(as_text=True)
    assert "<select" not in closed and "Filters · 2" in closed
    assert '<input type="hidden" name="mode" value="chat">' in closed
    # Without JavaScript the "Filters" link opens the list's page with the sheet open.
    assert f'href="/readers/filters?sheet=open&amp;specialty={tarot}&amp;price_max=5&amp;online=1"' in form
    page = client.get(f"/readers/filters?sheet=open&specialty={tarot}").get_data(as_text=True)
    assert "<html" in page and 'class="filter-sheet-panel card"' in page and 'id="reader-results"' in page
