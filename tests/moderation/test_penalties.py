"""Penalty steps (next-areas.md §4 F-7): suspending an author from the queue lasts 24 hours, then
72 hours, 7 days and 30 days; the admin may choose another length or "until restored". A timed
suspension ends by itself: in the tick, or at the person's next sign-in, audit-logged by the system."""

from datetime import timedelta

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry, User
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, admin_users, suspensions
from soulseer.services.core import ticks
from soulseer.services.moderation import flags, penalties, queue
from tests.moderation.conftest import profile_of
from tests.moderation.test_admin_queue import admin_browser, item_for
from tests.support.passwords import hashed

NOTE = "Asks people to pay outside SoulSeer."
PASSWORD = "violet-harbor-lantern"


def fresh(user_id):
    database.session.expire_all()
    return database.session.get(User, user_id)


def reported_profile_of(author, reporter):
    """An item in the queue whose author is `author` (their profile, reported once more)."""
    profile = profile_of(author)
    flags.flag(reporter, "reader_profile", profile.id, "off_platform", NOTE)
    database.session.commit()
    return item_for("reader_profile", profile.id)


@pytest.fixture
def author(reader):
    return reader


def suspend_from_queue(admin, author, reporter, length=None):
    item = reported_profile_of(author, reporter)
    queue.suspend_author(admin, item.id, "Contact details again.", length)
    database.session.commit()
    return fresh(author.id)


def test_each_suspension_from_the_queue_is_one_step_longer(make_user, author):
    admin = make_user(role="admin", consented=True)
    now = clock.now()
    expected = [timedelta(hours=24), timedelta(hours=72), timedelta(days=7), timedelta(days=30), timedelta(days=30)]
    with clock.frozen(now):
        for step, length in enumerate(expected):
            reporter = make_user(consented=True)
            suspended = suspend_from_queue(admin, author, reporter)
            assert suspended.status == "suspended", step
            assert suspended.suspended_until == clock.now() + length, step
            clock.advance(length)  # it ends by itself, then the author does it again
            assert ticks.run()["suspensions"] == 1
            assert fresh(author.id).status == "active"
    entries = database.session.query(AuditEntry).filter_by(action="user.suspended").order_by(AuditEntry.id).all()
    assert [entry.after["until"] for entry in entries][0] == (now + timedelta(hours=24)).isoformat()
    assert penalties.next_step(author.id).code == "30d"


def test_a_suspension_ends_in_the_tick_not_a_second_early(make_user, author):
    admin = make_user(role="admin", consented=True)
    now = clock.now()
    with clock.frozen(now):
        suspend_from_queue(admin, author, make_user(consented=True))
        clock.advance(timedelta(hours=24) - timedelta(seconds=1))
        assert ticks.run()["suspensions"] == 0 and fresh(author.id).status == "suspended"
        clock.advance(timedelta(seconds=1))
        assert ticks.run()["suspensions"] == 1
    user = fresh(author.id)
    assert (user.status, user.suspended_until) == ("active", None)
    ended = database.session.query(AuditEntry).filter_by(action="user.restored").one()
    assert ended.actor_id is None and ended.reason == suspensions.ENDED and ended.target_id == author.id


def test_a_suspended_person_is_told_when_it_ends_and_signs_in_once_it_has(make_user):
    admin = make_user(role="admin", consented=True)
    orion = make_user(consented=True, email="orion@example.test", password_hash=hashed(PASSWORD))
    now = clock.now().replace(microsecond=0)
    with clock.frozen(now):
        admin_users.suspend(admin, orion.id, "Spam", until=now + timedelta(hours=72))
        database.session.commit()
        with pytest.raises(AccountError) as refused:
            accounts.authenticate("orion@example.test", PASSWORD, "203.0.113.9")
        assert refused.value.status == 401
        assert f"It ends on {now + timedelta(hours=72):%-d %b %Y at %H:%M} UTC" in refused.value.message
        database.session.rollback()
        clock.advance(timedelta(hours=72))  # before any tick runs
        assert accounts.authenticate("orion@example.test", PASSWORD, "203.0.113.9").id == orion.id
        database.session.commit()
    assert fresh(orion.id).status == "active"
    assert database.session.query(AuditEntry).filter_by(action="user.restored", actor_id=None).count() == 1


def test_the_admin_chooses_the_length_and_a_bad_choice_is_refused(app, login, make_user, author):
    browser = admin_browser(app, login, make_user)
    item = reported_profile_of(author, make_user(consented=True))
    page = browser.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert '<option selected value="24h">24 hours</option>' in page and "Never suspended before" in page

    def suspend(length):
        return browser.post(
            f"/admin/moderation/{item.id}/suspend",
            data={"suspend-reason": "Contact details again.", "suspend-length": length},
            headers={"X-CSRFToken": browser.csrf},
        )

    response = suspend("5y")
    assert response.status_code == 422
    assert "Choose how long the suspension lasts." in response.get_data(as_text=True)
    assert fresh(author.id).status == "active"
    assert suspend("restored").status_code == 303
    user = fresh(author.id)
    assert (user.status, user.suspended_until) == ("suspended", None)  # until an admin restores it
    assert ticks.run(clock.now() + timedelta(days=365))["suspensions"] == 0
    admin_users.restore(browser.admin, author.id, "Talked it through.")
    database.session.commit()
    other = reported_profile_of(author, make_user(consented=True))
    page = browser.get(f"/admin/moderation/{other.id}").get_data(as_text=True)
    assert '<option selected value="72h">72 hours</option>' in page and "Suspended 1 time before" in page
    before = clock.now()
    response = browser.post(
        f"/admin/moderation/{other.id}/suspend",
        data={"suspend-reason": "Contact details again.", "suspend-length": "30d"},
        headers={"X-CSRFToken": browser.csrf},
    )
    assert response.status_code == 303
    until = fresh(author.id).suspended_until
    assert before + timedelta(days=30) <= until <= clock.now() + timedelta(days=30)
    assert "until" in browser.get(f"/admin/users/{author.id}").get_data(as_text=True)


def test_only_a_suspended_account_has_an_end(make_user):
    import sqlalchemy as sa

    user = make_user()
    with pytest.raises(sa.exc.IntegrityError):
        database.session.execute(
            sa.update(User).where(User.id == user.id).values(suspended_until=clock.now() + timedelta(days=1))
        )
        database.session.flush()
    database.session.rollback()


def test_is_over_and_over_clause_agree(make_user):
    import sqlalchemy as sa

    now = clock.now()
    people = [
        make_user(status="suspended", suspended_until=now - timedelta(seconds=1)),
        make_user(status="suspended", suspended_until=now),
        make_user(status="suspended", suspended_until=now + timedelta(seconds=1)),
        make_user(status="suspended"),  # until restored
        make_user(),
    ]
    in_sql = set(database.session.execute(sa.select(User.id).where(suspensions.over_clause(now))).scalars())
    in_python = {user.id for user in people if suspensions.is_over(user, now)}
    assert in_sql == in_python == {people[0].id, people[1].id}
