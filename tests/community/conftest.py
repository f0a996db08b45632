"""People and content for the community's tests; `writer(user)` is a signed-in test client that
posts forms the way a browser does (the CSRF token from a page it opened)."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import CommunityCategory, CommunityPost, CommunityThread
from soulseer.services.community import rendering
from tests.conftest import csrf_token_from

OLD = timedelta(days=30)  # an account past its first day (F-5) and a trusted flagger (F-8)
HX = {"HX-Request": "true"}


@pytest.fixture
def member(make_user):
    """make_user(...) for an account a month old, consented: the usual limits apply."""

    def make(role="client", **fields):
        fields.setdefault("created_at", clock.now() - OLD)
        return make_user(role=role, consented=True, **fields)

    return make


@pytest.fixture
def writer(app, login):
    """writer(user): another member's signed-in browser, posting forms as a browser does."""

    def signed_in(user):
        browser = login(app.test_client(), user)
        browser.csrf = csrf_token_from(browser.get("/account").get_data(as_text=True))
        return browser

    return signed_in


def send(browser, url, hx=False, **data):
    headers = {"X-CSRFToken": browser.csrf, **(HX if hx else {})}
    return browser.post(url, data=data, headers=headers)


def category(slug="general"):
    return database.session.query(CommunityCategory).filter_by(slug=slug).one()


def make_thread(author, title="How do you prepare for a reading?", body="I light a candle and breathe. You?",
                slug="general", **fields):  # fmt: skip
    """A thread stored directly (no limits, no screening): for tests about reading and moderating."""
    now = clock.now()
    thread = CommunityThread(
        category_id=category(slug).id,
        author_id=author.id,
        title=title,
        body=body,
        body_html=rendering.to_html(body),
        created_at=fields.pop("created_at", now),
        last_activity_at=fields.pop("last_activity_at", now),
        **fields,
    )
    database.session.add(thread)
    database.session.commit()
    return thread


def make_reply(thread, author, body="Same here, and I shuffle three times.", parent=None, **fields):
    post = CommunityPost(
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        author_id=author.id,
        body=body,
        body_html=rendering.to_html(body),
        created_at=fields.pop("created_at", clock.now()),
        **fields,
    )
    database.session.add(post)
    thread.reply_count += 1
    database.session.commit()
    return post


def thread_url(thread):
    from soulseer.services.community.writing import slug_for

    return f"/community/t/{thread.id}-{slug_for(thread.title)}"
