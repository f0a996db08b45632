"""A signed-in client's community pages (the categories, a category, a thread) and the shop's
catalogue, kept whole for her and answered before Flask (soulseer/signed_in_responses.py, issues
#15 and #18): never older than what was committed before she asked, after each kind of change
made the way the product makes it, and never kept past the moment her own post stops being
editable. "Fresh" is checked twice: the change itself shows, and the page is byte for byte what
Flask renders for her at that moment with nothing kept or cached."""

import difflib
import re
from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.ledger import operations
from soulseer.models import CommunityPost, ModerationItem, User
from soulseer.services.community import stewardship
from soulseer.services.community.writing import EDIT_WINDOW
from soulseer.services.moderation import flags, queue, visibility
from soulseer.services.shop import buying, products
from tests.community import conftest as community
from tests.community.conftest import category, make_reply, make_thread, send, thread_url
from tests.conftest import csrf_token_from
from tests.support.browse import Statements
from tests.support.shop import digital_product, physical_product
from tests.test_signed_in import _balance, _header
from tests.test_signed_in_responses import _drawn_by_flask, _kept, _page, _sign_in

writer = community.writer  # the community tests' fixture: another member's signed-in browser

CSRF = re.compile(r'(?<="X-CSRFToken": ")[^"]+|(?<=name="csrf_token" value=")[^"]+')
OLD = timedelta(days=30)  # past the new-account limits (F-5), a trusted reporter (F-8)
NOTE = "Asks people to pay outside SoulSeer."


@pytest.fixture
def cleo(make_user, db):
    """The signed-in client: a month-old account with $20.00 in her wallet."""
    cleo = make_user(role="client", consented=True, display_name="Cleo", created_at=clock.now() - OLD)
    operations.credit_topup(cleo, 2_000, f"topup:first:{cleo.id}", ("topup", cleo.id))
    db.session.commit()
    return cleo


@pytest.fixture
def member(make_user):
    return lambda role="client", **fields: make_user(role=role, consented=True, created_at=clock.now() - OLD, **fields)


@pytest.fixture
def browser(client, cleo):
    browser = _sign_in(client, cleo)
    browser.csrf = csrf_token_from(browser.get("/account").get_data(as_text=True))
    return browser


def _same(html):
    """The page with its CSRF tokens as one mark: each rendering signs her session's token with the
    second it was made (Flask-WTF), the token itself is the session's."""
    return CSRF.sub("CSRF", html)


def _fresh(app, browser, path):
    """Her next load of `path` after a change: what Flask renders for her now. Returns its HTML.
    (A change she made may leave a flash message: that load is Flask's, the one after it is compared.)"""
    html = _page(browser, path)
    if 'class="flashes"' in html:
        html = _page(browser, path)
    flask_page = _same(_drawn_by_flask(app, browser, path))
    assert _same(html) == flask_page, "\n".join(
        difflib.unified_diff(flask_page.splitlines(), _same(html).splitlines(), lineterm="")
    )
    return html


def _main(html):
    return html.split("<main", 1)[1]


@pytest.fixture
def thread(member):
    return make_thread(member(display_name="Nova"), title="How do you prepare for a reading?")


@pytest.mark.parametrize("where", ["/community", "/community/general", "thread", "/shop", "/community/general?page=2"])
def test_her_pages_are_kept_and_are_what_flask_renders_for_her(where, app, browser, thread, member):
    if where.endswith("page=2"):
        for number in range(26):  # a second page of threads
            make_thread(member(), title=f"Thread number {number}")
    path = thread_url(thread) if where == "thread" else where
    flask_page = _drawn_by_flask(app, browser, path)
    assert _same(_kept(browser, path)) == _same(flask_page)
    assert _balance(flask_page) == "$20.00" and "Cleo" in _header(flask_page)


def test_a_reply_by_someone_else_is_seen_on_the_thread_the_category_and_the_index(app, browser, thread, member, writer):
    paths = [thread_url(thread), "/community/general", "/community"]
    for path in paths:
        _kept(browser, path)
    luna = member(role="reader", display_name="Luna")
    response = send(writer(luna), f"/community/t/{thread.id}/replies", body="I breathe with the cards first.")
    assert response.status_code == 303
    assert "I breathe with the cards first." in _fresh(app, browser, paths[0])
    assert "1 reply" in _fresh(app, browser, paths[1])
    assert "1 thread" in _fresh(app, browser, paths[2])
    assert _same(_kept(browser, paths[0])) == _same(_drawn_by_flask(app, browser, paths[0]))


def _edit_links(html):
    return _main(html).count(">Edit</a>")


def test_her_own_reply_its_edit_and_its_delete_are_seen(app, browser, thread):
    path = thread_url(thread)
    assert _edit_links(_kept(browser, path)) == 0
    assert send(browser, f"/community/t/{thread.id}/replies", body="I light a candle too.").status_code == 303
    html = _fresh(app, browser, path)
    assert "I light a candle too." in html and _edit_links(html) == 1  # hers, for 24 hours
    [post] = database.session.query(CommunityPost).filter_by(thread_id=thread.id).all()
    assert _same(_kept(browser, path)) == _same(html)
    assert (
        send(browser, f"/community/replies/{post.id}/edit", body="I light two candles.", action="post").status_code
        == 303
    )
    html = _fresh(app, browser, path)
    assert "I light two candles." in html and "edited" in _main(html)
    _kept(browser, path)
    assert send(browser, f"/community/replies/{post.id}/delete").status_code == 303
    html = _fresh(app, browser, path)
    assert "This reply was deleted by its author." in html and "I light two candles." not in html
    assert _edit_links(html) == 0


def test_her_edit_link_is_never_kept_past_the_24_hours(app, redis, browser, cleo, thread):
    path = thread_url(thread)
    make_reply(
        thread, cleo, body="Written almost a day ago.", created_at=clock.now() - EDIT_WINDOW + timedelta(seconds=90)
    )
    html = _kept(browser, path)
    assert _edit_links(html) == 1
    [key] = redis.keys(f"soulseer:signed-in:*:response:{path}?*")
    assert 0 < redis.ttl(key) <= 90  # kept until her Edit link goes, not the usual 300 s
    clock.advance(timedelta(seconds=91))
    with Statements() as statements:
        html = _page(browser, path)
    assert statements.seen != [], "past the window: rendered again"
    assert _edit_links(html) == 0 and _same(html) == _same(_drawn_by_flask(app, browser, path))
    _kept(browser, path)  # kept again, now for the usual lifetime
    [key] = redis.keys(f"soulseer:signed-in:*:response:{path}?*")
    assert redis.ttl(key) > 90


def test_her_report_is_seen_when_it_hides_the_reply(app, browser, thread, member):
    reply = make_reply(thread, member(display_name="Orion"), body="Pay me on Cash App")
    for _ in range(2):  # two trusted reporters before her
        flags.flag(member(), "community_post", reply.id, "off_platform", NOTE)
        database.session.commit()
    path = thread_url(thread)
    assert "Pay me on Cash App" in _kept(browser, path)
    response = send(browser, f"/report/community_post/{reply.id}?next={path}", reason="off_platform", note=NOTE)
    assert response.status_code == 303
    html = _fresh(app, browser, path)
    assert "Pay me on Cash App" not in html and "This reply is hidden while a moderator looks at it." in html


def test_a_report_that_changes_nothing_she_sees_leaves_her_page_as_flask_renders_it(app, browser, thread, member):
    reply = make_reply(thread, member(), body="Venmo me for a private reading")
    path = thread_url(thread)
    _kept(browser, path)
    response = send(browser, f"/report/community_post/{reply.id}?next={path}", reason="off_platform", note=NOTE)
    assert response.status_code == 303
    _fresh(app, browser, path)
    assert _same(_kept(browser, path)) == _same(_drawn_by_flask(app, browser, path))


def _reported_and_kept(browser, thread, member, author, body):
    """A reply by `author` reported as inappropriate by another member, and her thread page kept
    with it: (the moderation item, the thread's path)."""
    reply = make_reply(thread, author, body=body)
    flags.flag(member(), "community_post", reply.id, "inappropriate", NOTE)
    database.session.commit()
    path = thread_url(thread)
    _kept(browser, path)
    return database.session.query(ModerationItem).one(), path


def test_a_moderator_hiding_and_showing_a_reply_is_seen(app, browser, thread, member):
    ada = member(role="admin")
    item, path = _reported_and_kept(browser, thread, member, member(), "Rude words here")
    queue.hide(ada, item.id, "Insults another member.")
    database.session.commit()
    html = _fresh(app, browser, path)
    assert "Rude words here" not in html and "This reply was removed by a moderator." in html
    _kept(browser, path)
    queue.restore(ada, item.id, "Looked again: it is fine.")
    database.session.commit()
    assert "Rude words here" in _fresh(app, browser, path)


def test_her_own_reply_hidden_shows_her_its_text_and_why(app, browser, cleo, thread, member):
    ada = member(role="admin")
    item, path = _reported_and_kept(browser, thread, member, cleo, "My own words")
    queue.hide(ada, item.id, "Please keep it kind.")
    database.session.commit()
    html = _fresh(app, browser, path)
    assert "My own words" in html and "Removed by a moderator: Please keep it kind." in html


def test_a_moderator_locking_pinning_and_moving_a_thread_is_seen(app, browser, thread, member):
    ada = member(role="admin")
    path = thread_url(thread)
    assert 'id="reply"' in _kept(browser, path)  # her reply form
    _kept(browser, "/community/general")
    stewardship.lock(ada, thread.id, "Off topic for this category.")
    database.session.commit()
    html = _fresh(app, browser, path)
    assert "This thread is locked: Off topic for this category." in html and 'id="reply"' not in html
    assert '<span class="tag tag-warn">Locked</span>' in _fresh(app, browser, "/community/general")
    _kept(browser, "/community/general")
    stewardship.pin(ada, thread.id)
    database.session.commit()
    assert '<span class="tag">Pinned</span>' in _fresh(app, browser, "/community/general")
    _kept(browser, path)
    _kept(browser, "/community/general")
    _kept(browser, "/community/readings")
    stewardship.move(ada, thread.id, category("readings").id)
    database.session.commit()
    assert 'href="/community/readings">Readings</a>' in _fresh(app, browser, path)
    assert thread.title not in _main(_fresh(app, browser, "/community/general"))
    assert thread.title in _fresh(app, browser, "/community/readings")


def test_a_moderator_hiding_a_thread_takes_it_from_her_lists(app, browser, thread, member):
    ada = member(role="admin")
    flags.flag(member(), "community_thread", thread.id, "spam", NOTE)
    database.session.commit()
    item = database.session.query(ModerationItem).one()
    for path in ("/community/general", "/community"):
        _kept(browser, path)
    visibility.hide("community_thread", thread.id, "Spam for a shop elsewhere.", ada)
    database.session.commit()
    assert thread.title not in _fresh(app, browser, "/community/general")
    assert "0 threads" in _fresh(app, browser, "/community")
    assert item.id  # hidden from the queue's item, as an admin does


def test_an_author_renamed_or_suspended_is_seen(app, browser, thread, member):
    path = thread_url(thread)
    assert "Nova" in _main(_kept(browser, path))
    nova = database.session.get(User, thread.author_id)
    nova.display_name = "Nova Star"  # accounts.update_profile, as her account page does
    database.session.commit()
    assert "Nova Star" in _main(_fresh(app, browser, path))
    _kept(browser, path)
    reply = make_reply(thread, member(display_name="Orion"), body="Venmo me and skip the fees")
    flags.flag(member(), "community_post", reply.id, "off_platform", NOTE)
    database.session.commit()
    _kept(browser, path)
    queue.suspend_author(member(role="admin"), database.session.query(ModerationItem).one().id, "Pays outside.")
    database.session.commit()
    assert 'Orion <span class="tag tag-warn">Suspended</span>' in _fresh(app, browser, path)


def test_her_balance_and_name_are_seen_on_every_kept_page(app, browser, cleo, thread):
    paths = ["/community", "/community/general", thread_url(thread), "/shop"]
    for path in paths:
        assert _balance(_kept(browser, path)) == "$20.00"
    operations.credit_topup(cleo, 1_000, f"topup:more:{cleo.id}", ("topup", cleo.id))
    database.session.commit()
    for path in paths:
        assert _balance(_fresh(app, browser, path)) == "$30.00"
        _kept(browser, path)
    database.session.get(User, cleo.id).display_name = "Cleopatra"
    database.session.commit()
    for path in paths:
        assert "Cleopatra" in _header(_fresh(app, browser, path))


def test_shop_products_added_edited_sold_out_and_hidden_are_seen(app, browser, cleo, member):
    admin = member(role="admin")
    crystal = physical_product(admin, title="Rose Quartz Point", price="8.00", shipping="2.00", stock=1)
    assert "Rose Quartz Point" in _kept(browser, "/shop")
    guide = digital_product(admin, title="Tarot for Beginners")  # added
    assert "Tarot for Beginners" in _fresh(app, browser, "/shop")
    _kept(browser, "/shop")
    products.update(admin, guide, products.Details(kind="digital", title="Tarot for Everyone", category="guides",
                                                    price="12.00"))  # fmt: skip
    database.session.commit()
    html = _fresh(app, browser, "/shop")
    assert "Tarot for Everyone" in html and "Tarot for Beginners" not in html
    _kept(browser, "/shop")
    address = buying.Address(name="Cleo", line1="1 Main St", city="Portland", region="OR", postal_code="97201",
                             country="US")  # fmt: skip
    buying.buy_from_wallet(database.session.get(User, cleo.id), crystal.id, 1, "form-1", address)  # the last one
    database.session.commit()
    assert database.session.get(type(crystal), crystal.id).stock == 0
    assert _balance(_fresh(app, browser, "/shop")) == "$10.00"
    _kept(browser, "/shop")
    visibility.hide("product", guide.id, "Breaks the rules", admin)
    database.session.commit()
    assert "Tarot for Everyone" not in _fresh(app, browser, "/shop")


def test_what_is_never_kept(app, browser, thread, member, login):
    path = thread_url(thread)
    for kept in (path, "/shop", "/community", "/community/general"):
        _kept(browser, kept)

    def statements_for(url, **kwargs):
        browser.get(url, **kwargs)
        with Statements() as statements:
            assert browser.get(url, **kwargs).status_code == 200
        return statements.seen

    assert statements_for(f"{path}?reply_to=1") != []  # not the page's own URL
    assert statements_for(f"{path}?page=1") != []
    assert statements_for("/community/general?page=1") != []
    assert statements_for("/shop?q=tarot") != []  # a search: free text
    assert statements_for("/shop?page=1") != []
    assert statements_for("/community", headers={"HX-Request": "true"}) != []  # the fragment
    assert statements_for(f"/community/t/{thread.id}/new-replies?since=0", headers={"HX-Request": "true"}) != []
    assert statements_for("/community/general/new") != []  # a form page
    for role in ("reader", "admin"):  # their pages show more than the versions cover
        other = login(app.test_client(), member(role=role))
        other.get(path)
        with Statements() as statements:
            assert other.get(path).status_code == 200
        assert statements.seen != []


def test_a_visitors_community_index_is_shared_whole_and_fresh(app, thread, member):
    from soulseer.services.community import threads

    def visit():
        with Statements() as statements:
            response = app.test_client().get("/community")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        return response.get_data(as_text=True), statements.seen

    first, _ = visit()
    second, seen = visit()
    assert seen == [] and second == first and "1 thread" in second  # the second visitor: no Flask, no SQL
    threads.start(member(), category(), "A second thread here", "What helps you sleep before a reading?")
    database.session.commit()
    third, seen = visit()
    assert seen != [] and "2 threads" in third
