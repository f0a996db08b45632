"""F-5: how often people may post, keyed by user id. New accounts (under 24 h, by soulseer.clock)
get the tighter limits. Over a limit: 429 with Retry-After, a readable message, nothing stored.

The spacing limits ("1 per 15 s") are moving windows in Redis on the real time; where a test needs
that time to have passed, it clears that one window (`spacing_passes`) and keeps the daily one."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import CommunityPost, CommunityThread
from soulseer.services.community import limits, replies, threads
from soulseer.services.community.writing import CommunityError
from soulseer.services.core import throttle
from tests.community.conftest import category, make_thread, send


def spacing_passes(user, what):
    """The per-interval window ("1 per 15 s") has passed for `user`; the daily count stays."""
    new = limits.is_new(user)
    spacing = (limits.THREAD_LIMITS if what == "thread" else limits.REPLY_LIMITS)[new][0]
    throttle.moving_window().clear(spacing, f"community-{what}", str(user.id))


def count(model):
    return database.session.execute(sa.select(sa.func.count(model.id))).scalar_one()


@pytest.fixture
def newcomer(make_user):
    return make_user(consented=True, created_at=clock.now() - timedelta(hours=1))  # 23 hours still to go


def start(user, n):
    thread = threads.start(user, category(), f"Thread number {n}", f"Body of thread number {n}.")
    database.session.commit()
    return thread


def reply(user, thread, n):
    post = replies.create(user, thread, f"Reply number {n}")
    database.session.commit()
    return post


def refused(call):
    with pytest.raises(CommunityError) as caught:
        call()
    database.session.rollback()
    return caught.value


def test_a_new_account_starts_one_thread_per_120_seconds_and_three_on_day_one(newcomer):
    start(newcomer, 1)
    error = refused(lambda: start(newcomer, 2))
    assert error.status == 429 and 100 <= error.retry_after <= 120
    assert "faster than the community allows" in error.message
    for n in (2, 3):
        spacing_passes(newcomer, "thread")
        start(newcomer, n)
    spacing_passes(newcomer, "thread")
    error = refused(lambda: start(newcomer, 4))
    assert error.status == 429 and error.retry_after > 20 * 3600  # the day's window
    assert count(CommunityThread) == 3


def test_an_established_account_starts_one_thread_per_15_seconds_and_twenty_a_day(member):
    nova = member()
    start(nova, 0)
    error = refused(lambda: start(nova, 1))
    assert error.status == 429 and 1 <= error.retry_after <= 15
    for n in range(1, 20):
        spacing_passes(nova, "thread")
        start(nova, n)
    spacing_passes(nova, "thread")
    error = refused(lambda: start(nova, 20))
    assert error.status == 429 and count(CommunityThread) == 20


def test_a_new_account_replies_once_per_30_seconds_and_ten_times_on_day_one(newcomer, member):
    thread = make_thread(member())
    reply(newcomer, thread, 0)
    error = refused(lambda: reply(newcomer, thread, 1))
    assert error.status == 429 and 20 < error.retry_after <= 30
    for n in range(1, 10):
        spacing_passes(newcomer, "reply")
        reply(newcomer, thread, n)
    spacing_passes(newcomer, "reply")
    assert refused(lambda: reply(newcomer, thread, 10)).status == 429
    assert count(CommunityPost) == 10


def test_an_established_account_replies_once_per_5_seconds_with_no_daily_cap(member):
    nova = member()
    thread = make_thread(member())
    reply(nova, thread, 0)
    error = refused(lambda: reply(nova, thread, 1))
    assert error.status == 429 and 1 <= error.retry_after <= 5
    for n in range(1, 12):
        spacing_passes(nova, "reply")
        reply(nova, thread, n)
    assert count(CommunityPost) == 12


def test_the_age_that_makes_an_account_new_is_24_hours_by_the_clock(make_user):
    now = clock.now()
    with clock.frozen(now):
        young = make_user(created_at=now - timedelta(hours=24) + timedelta(seconds=1))
        old = make_user(created_at=now - timedelta(hours=24))
        assert limits.is_new(young) and not limits.is_new(old)


def test_the_same_text_within_5_minutes_is_refused(member):
    nova = member()
    thread = make_thread(member())
    now = clock.now()
    with clock.frozen(now):
        replies.create(nova, thread, "Thank you so much!")
        database.session.commit()
        spacing_passes(nova, "reply")
        error = refused(lambda: replies.create(nova, thread, "Thank you so much!"))
        assert (error.status, error.field) == (429, "body") and 299 <= error.retry_after <= 300
        clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
        assert refused(lambda: replies.create(nova, thread, "Thank you so much!")).retry_after == 1
        clock.advance(timedelta(seconds=1))
        replies.create(nova, thread, "Thank you so much!")
        database.session.commit()
    assert count(CommunityPost) == 2


def test_a_new_account_may_put_two_links_in_a_post(newcomer, member):
    thread = make_thread(member())
    three = "See www.one.com, [two](https://two.org) and https://three.net"
    error = refused(lambda: replies.create(newcomer, thread, three))
    assert (error.status, error.field) == (422, "body") and "up to 2 links" in error.message
    replies.create(newcomer, thread, "See www.one.com and [two](https://two.org)")
    database.session.commit()
    replies.create(member(), thread, three)  # an established account: no link limit
    database.session.commit()
    assert count(CommunityPost) == 2


def test_limits_are_per_person_and_refused_attempts_do_not_count(member):
    nova, cleo = member(), member()
    thread = make_thread(member())
    refused(lambda: replies.create(nova, thread, "x"))  # too short: not counted
    reply(nova, thread, 1)
    reply(cleo, thread, 1)  # Nova's window is not Cleo's
    assert count(CommunityPost) == 2


def test_over_the_limit_the_page_answers_429_with_retry_after(member, writer):
    nova = member()
    thread = make_thread(member())
    browser = writer(nova)
    assert send(browser, f"/community/t/{thread.id}/replies", body="First!").status_code == 303
    response = send(browser, f"/community/t/{thread.id}/replies", body="Second!")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert "faster than the community allows" in response.get_data(as_text=True)
    assert count(CommunityPost) == 1


def test_a_new_account_at_its_first_day_cap_waits_only_until_it_is_a_day_old(newcomer):
    """Three threads on day one, the fourth refused: she may post again once her account is 24 hours
    old (everyone's limits, whose windows she has not used), not 24 hours after her first thread."""
    for n in (1, 2, 3):
        spacing_passes(newcomer, "thread")
        start(newcomer, n)
    spacing_passes(newcomer, "thread")
    grown_up = newcomer.created_at + limits.NEW_ACCOUNT
    with clock.frozen(grown_up - timedelta(minutes=10)):
        error = refused(lambda: start(newcomer, 4))
    assert (error.retry_after, error.message.endswith("Try again in 10 minutes.")) == (600, True)
    with clock.frozen(grown_up):
        assert start(newcomer, 4).title == "Thread number 4"  # when she was told: allowed


def test_a_refusal_says_the_rule_and_the_wait_in_words(newcomer, member):
    start(newcomer, 1)
    assert refused(lambda: start(newcomer, 2)).message == (
        "You are posting threads faster than the community allows (a new account posts one thread every "
        "2 minutes and 3 threads on its first day). Try again in 2 minutes."
    )
    for n in (2, 3):
        spacing_passes(newcomer, "thread")
        start(newcomer, n)
    spacing_passes(newcomer, "thread")
    with clock.frozen(newcomer.created_at + timedelta(hours=2)):
        error = refused(lambda: start(newcomer, 4))
    assert error.message.endswith("Try again in 22 hours.") and error.retry_after == 22 * 3600  # not "1320 minutes"
    nova = member()
    thread = make_thread(member())
    reply(nova, thread, 1)
    assert refused(lambda: reply(nova, thread, 2)).message == (
        "You are posting replies faster than the community allows (one reply every 5 seconds). Try again in 5 seconds."
    )


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (89, "89 seconds"),
        (90, "2 minutes"),
        (121, "3 minutes"),
        (5399, "90 minutes"),
        (5400, "2 hours"),
        (75_000, "21 hours"),
    ],
)
def test_waits_in_words_round_up(seconds, words):
    assert limits.in_words(seconds) == words


def test_starting_a_thread_too_soon_answers_429_with_retry_after_on_the_form(newcomer, writer):
    browser = writer(newcomer)
    data = {"title": "My first thread", "body": "Hello everyone, glad to be here."}
    assert send(browser, "/community/general/new", **data).status_code == 303
    response = send(browser, "/community/general/new", title="My second thread", body="Another question at once.")
    assert response.status_code == 429 and 100 <= int(response.headers["Retry-After"]) <= 120
    html = response.get_data(as_text=True)
    assert "Try again in 2 minutes." in html and 'value="My second thread"' in html  # the form keeps the text
    assert count(CommunityThread) == 1
