"""Reading the community: public pages with canonical URLs, titles and descriptions; lists in
order; replies nested one level and paginated; hidden and deleted content; bad page numbers."""

import re
from datetime import timedelta

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.services.community import replies, threads
from tests.community.conftest import category, make_reply, make_thread, thread_url


def canonical(html):
    match = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    return match and match.group(1)


def test_a_visitor_reads_the_categories_with_their_counts(client, member):
    nova = member(display_name="Nova")
    make_thread(nova, slug="readings")
    make_thread(nova, title="Hidden from the list", slug="readings", hidden_at=clock.now(), hidden_reason="Spam")
    response = client.get("/community")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Community · SoulSeer</title>" in html
    assert canonical(html).endswith("/community")
    names = re.findall(r'<h2 class="community-row-title"><a href="/community/([a-z-]+)">([^<]+)</a>', html)
    assert names == [
        ("general", "General"),
        ("readings", "Readings"),
        ("spiritual-growth", "Spiritual Growth"),
        ("ask-a-reader", "Ask a Reader"),
        ("announcements", "Announcements"),
    ]
    readings_card = html.split('href="/community/readings"')[1].split("</li>")[0]
    assert "1 thread ·" in readings_card  # the hidden one is not counted
    assert 'aria-current="page">Community</a>' in html  # in the navigation, marked


def test_a_category_lists_pinned_first_then_latest_activity(client, member):
    nova = member(display_name="Nova")
    now = clock.now()
    old = make_thread(nova, title="An old thread", last_activity_at=now - timedelta(days=3))
    pinned = make_thread(nova, title="Read this first", pinned_at=now, last_activity_at=now - timedelta(days=9))
    fresh = make_thread(nova, title="A fresh thread", last_activity_at=now - timedelta(minutes=1))
    make_thread(nova, title="Somewhere else", slug="readings")
    html = client.get("/community/general").get_data(as_text=True)
    titles = re.findall(r'<h3 class="community-row-title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == [pinned.title, fresh.title, old.title]
    assert "<title>General · Community · SoulSeer</title>" in html
    assert canonical(html).endswith("/community/general")
    assert "Sign in to start a thread" in html


def test_a_category_page_paginates_and_refuses_pages_past_the_end(client, member):
    nova = member()
    for n in range(threads.THREADS_PER_PAGE + 1):
        make_thread(nova, title=f"Thread number {n}", last_activity_at=clock.now() - timedelta(minutes=n))
    second = client.get("/community/general?page=2").get_data(as_text=True)
    assert "Thread number 25" in second and "Thread number 0<" not in second
    assert canonical(second).endswith("/community/general?page=2")
    assert client.get("/community/general?page=3").status_code == 404
    assert client.get(f"/community/general?page={10**9}").status_code == 404
    assert client.get("/community/general?page=abc").status_code == 200  # read as page 1
    assert client.get("/community/no-such-category").status_code == 404


def test_a_thread_page_is_public_with_its_canonical_url_title_and_description(client, member):
    luna = member(role="reader", display_name="Luna")
    from soulseer.models import ReaderProfile

    database.session.add(ReaderProfile(user_id=luna.id, slug="luna", display_name="Luna", rate_chat_cents=100))
    database.session.commit()
    nova = member(display_name="Nova")
    thread = make_thread(nova, title="Tarot & the moon: questions?", body="**Which** deck do you use at full moon?")
    make_reply(thread, luna, body="The Rider-Waite, always.")
    response = client.get(thread_url(thread))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert thread_url(thread) == f"/community/t/{thread.id}-tarot-the-moon-questions"
    assert "<title>Tarot &amp; the moon: questions? · General · SoulSeer</title>" in html
    assert '<meta name="description" content="Which deck do you use at full moon?">' in html
    assert canonical(html).endswith(thread_url(thread))
    assert "<strong>Which</strong> deck" in html
    # Luna is a reader: her badge links to her page.
    assert 'href="/readers/luna" aria-label="Reader: Luna\'s page">Reader</a>' in html
    assert "Sign in to reply" in html and 'action="/community/t/' not in html


def test_another_slug_or_none_redirects_to_the_canonical_url(client, member):
    thread = make_thread(member(), title="Which crystals help sleep?")
    for wrong in (f"/community/t/{thread.id}-something-else", f"/community/t/{thread.id}"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response.headers["Location"] == thread_url(thread)
    response = client.get(f"/community/t/{thread.id}-old-title?page=2")
    assert response.headers["Location"] == thread_url(thread) + "?page=2"
    assert client.get("/community/t/999999-nothing").status_code == 404


def test_replies_nest_one_level_and_paginate_with_deep_links(client, member):
    nova, cleo = member(display_name="Nova"), member(display_name="Cleo")
    thread = make_thread(nova)
    first = make_reply(thread, cleo, body="First reply")
    answer = make_reply(thread, nova, body="An answer to the first", parent=first)
    for n in range(replies.REPLIES_PER_PAGE):
        make_reply(thread, cleo, body=f"Reply number {n}")
    last = database.session.query(replies.CommunityPost).order_by(replies.CommunityPost.id.desc()).first()
    html = client.get(thread_url(thread)).get_data(as_text=True)
    answers = html.split(f'id="post-{first.id}"')[1].split('class="community-answer-slot"')[0]
    assert f'id="post-{answer.id}"' in answers and "community-post-nested" in answers
    assert f'id="post-{last.id}"' not in html  # on page 2
    assert replies.page_of(last) == 2 and replies.page_of(answer) == 1
    response = client.get(f"/community/replies/{last.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{thread_url(thread)}?page=2#post-{last.id}"
    assert f'id="post-{last.id}"' in client.get(f"{thread_url(thread)}?page=2").get_data(as_text=True)
    assert client.get(f"{thread_url(thread)}?page=3").status_code == 404
    assert client.get(f"{thread_url(thread)}?page={10**9}").status_code == 404


def test_a_hidden_thread_is_seen_only_by_its_author_and_admins(app, client, member, login):
    nova, ada = member(display_name="Nova"), member(role="admin")
    thread = make_thread(nova, title="Call me on my number", hidden_at=clock.now(), hidden_reason="Contact details",
                         hidden_by_id=ada.id)  # fmt: skip
    assert client.get(thread_url(thread)).status_code == 404
    assert "Call me" not in client.get("/community/general").get_data(as_text=True)
    assert "Call me" not in client.get("/").get_data(as_text=True)
    other = login(app.test_client(), member())
    assert other.get(thread_url(thread)).status_code == 404
    author = login(app.test_client(), nova).get(thread_url(thread)).get_data(as_text=True)
    assert "Call me on my number" in author and "removed by a moderator: Contact details" in author
    assert '<meta name="robots" content="noindex">' in author
    admin = login(app.test_client(), ada)
    assert admin.get(thread_url(thread)).status_code == 200


def test_a_hidden_reply_is_a_placeholder_for_everyone_but_its_author_and_admins(app, client, member, login):
    nova, cleo, ada = member(display_name="Nova"), member(display_name="Cleo"), member(role="admin")
    thread = make_thread(nova)
    hidden = make_reply(thread, cleo, body="Pay me on Venmo instead", hidden_at=clock.now(),
                        hidden_reason="Off-platform", hidden_by_id=ada.id)  # fmt: skip
    waiting = make_reply(thread, cleo, body="Flagged words here", hidden_at=clock.now(), hidden_reason="Reported")
    for viewer in (client, login(app.test_client(), nova)):
        html = viewer.get(thread_url(thread)).get_data(as_text=True)
        assert "Venmo" not in html and "Flagged words" not in html
        assert "This reply was removed by a moderator." in html
        assert "This reply is hidden while a moderator looks at it." in html
    assert client.get(f"/community/replies/{hidden.id}").status_code == 303  # the link still leads there
    own = login(app.test_client(), cleo).get(thread_url(thread)).get_data(as_text=True)
    assert "Pay me on Venmo instead" in own and "Removed by a moderator: Off-platform" in own
    assert "Flagged words here" in own and waiting.hidden_automatically


def test_deleted_posts_leave_placeholders_and_an_empty_deleted_thread_leaves_the_lists(client, member):
    nova = member()
    thread = make_thread(nova, title="Keeps its replies", body="", deleted_at=clock.now())
    reply = make_reply(thread, nova, body="", deleted_at=clock.now())
    make_reply(thread, member(), body="A reply that still reads", parent=reply)
    empty = make_thread(nova, title="Nobody answered this", body="", deleted_at=clock.now())
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "The opening post was deleted by its author." in html
    assert "This reply was deleted by its author." in html and "A reply that still reads" in html
    listing = client.get("/community/general").get_data(as_text=True)
    assert "Keeps its replies" in listing and "Nobody answered this" not in listing
    assert client.get(thread_url(empty)).status_code == 404


def test_the_home_page_shows_the_latest_threads_and_follows_changes(client, member):
    assert "No one has started a conversation yet." in client.get("/").get_data(as_text=True)
    general = category()
    for n in range(threads.LATEST_ON_HOME + 1):  # each by someone else: the rate limits are per person
        threads.start(member(), general, f"Home thread {n}", "Written through the service, as on the page.")
        database.session.commit()
    html = client.get("/").get_data(as_text=True)  # the visitors' shared page follows the commits
    titles = re.findall(r'<h3 class="community-row-title"><a href="[^"]+">(Home thread \d)</a>', html)
    assert titles == ["Home thread 5", "Home thread 4", "Home thread 3", "Home thread 2", "Home thread 1"]
    assert "in General" in html


def test_a_suspended_or_deleted_authors_posts_stay_marked(client, member):
    from soulseer.models import UserStatus

    gone = member(display_name="Deleted user", status=UserStatus.DELETED)
    suspended = member(display_name="Orion", status=UserStatus.SUSPENDED)
    thread = make_thread(gone, title="From someone who left")
    make_reply(thread, suspended, body="Still here as a post")
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "Deleted user" in html
    assert "Orion</span>" not in html and 'Orion <span class="tag tag-warn">Suspended</span>' in html
    assert category().slug == "general"


def test_the_community_guidelines_are_a_content_page_admins_edit(client, db):
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)
    assert "community-guidelines" in dict(content.FOOTER_PAGES)  # listed in Admin -> Pages and the footer
    assert 'href="/pages/community-guidelines"' in client.get("/community").get_data(as_text=True)
    page = client.get("/pages/community-guidelines").get_data(as_text=True)
    assert "Community guidelines" in page and "988lifeline.org" in page and "Report" in page


def test_visitors_share_the_pages_and_every_change_shows_at_once(client, member):
    from soulseer.services.community import categories, replies
    from soulseer.services.moderation import visibility

    ada, nova = member(role="admin"), member()
    thread = threads.start(nova, category(), "Shared with visitors", "Every visitor gets this one page.")
    database.session.commit()
    assert "Shared with visitors" in client.get("/community/general").get_data(as_text=True)
    assert "No replies yet" not in client.get(thread_url(thread)).get_data(as_text=True)  # now cached
    cleo = member()
    post = replies.create(cleo, thread, "A reply visitors see at once")
    database.session.commit()
    assert "A reply visitors see at once" in client.get(thread_url(thread)).get_data(as_text=True)
    replies.edit(cleo, post, "An edit visitors see at once")
    database.session.commit()
    assert "An edit visitors see at once" in client.get(thread_url(thread)).get_data(as_text=True)
    visibility.hide("community_post", post.id, "Hidden by an admin.", ada)
    database.session.commit()
    html = client.get(thread_url(thread)).get_data(as_text=True)
    assert "An edit visitors see at once" not in html and "removed by a moderator" in html
    general = category()
    categories.update(ada, general.id, "General Talk", general.description, general.position)
    database.session.commit()
    assert "General Talk" in client.get("/community/general").get_data(as_text=True)
    categories.update(ada, general.id, "General", general.description, general.position)
    database.session.commit()


def test_a_category_row_shows_its_author_with_the_reader_badge_replies_and_last_activity(client, member):
    from soulseer.models import ReaderProfile

    luna = member(role="reader", display_name="Luna")
    database.session.add(ReaderProfile(user_id=luna.id, slug="luna", display_name="Luna", rate_chat_cents=100))
    database.session.commit()
    thread = make_thread(luna, title="Ask me about the Thoth deck")
    make_reply(thread, member())
    make_reply(thread, member())
    row = client.get("/community/general").get_data(as_text=True).split(thread.title)[1].split("</li>")[0]
    assert 'Luna <a class="tag community-badge" href="/readers/luna"' in row
    assert "2 replies · last activity" in row


def test_a_signed_in_categories_page_listens_for_its_counts_and_a_visitors_does_not(app, client, member, login):
    from soulseer.services.community import live

    listening = f'hx-get="/community" hx-trigger="sse:{live.CATEGORIES_EVENT}"'
    assert listening in login(app.test_client(), member()).get("/community").get_data(as_text=True)
    assert listening not in client.get("/community").get_data(as_text=True)  # visitors have no event stream


def test_a_moved_thread_keeps_its_url_and_is_listed_in_its_new_category(client, member):
    from soulseer.services.community import stewardship

    thread = make_thread(member(), title="Which crystals help sleep?")
    url = thread_url(thread)
    assert "Which crystals" in client.get("/community/general").get_data(as_text=True)
    stewardship.move(member(role="admin"), thread.id, category("spiritual-growth").id)
    database.session.commit()
    html = client.get(url).get_data(as_text=True)  # the URL names no category: links keep working
    assert canonical(html).endswith(url) and "· Spiritual Growth · SoulSeer</title>" in html
    assert 'href="/community/spiritual-growth">Spiritual Growth</a>' in html  # the breadcrumb
    assert "Which crystals" not in client.get("/community/general").get_data(as_text=True)
    assert "Which crystals" in client.get("/community/spiritual-growth").get_data(as_text=True)
