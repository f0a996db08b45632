"""The one after-commit queue: jobs, events and cache bumps wait for the real COMMIT (never a
savepoint's release) and are dropped on the real ROLLBACK (never a savepoint's)."""

import pytest
import sqlalchemy as sa
from flask_login import login_user
from rq import Queue

from soulseer.models import User
from soulseer.services.core import after_commit, events
from soulseer.services.marketplace import page_cache


def noted(value):
    """A job for the queue (never run here: the tests read what was enqueued)."""
    return value


@events.publisher(User)
def _publish_name(user, seen):
    """A row publisher for the test: notes the row it was given and whether a user is signed in."""
    from flask_login import current_user

    seen.append((user, user.display_name, current_user.is_authenticated))


def _queued(redis):
    return [job.args for job in Queue("default", connection=redis).get_jobs()]


def test_a_job_waits_for_the_real_commit_not_a_savepoint_release(db, redis):
    with db.session.begin_nested():
        after_commit.enqueue(noted, "inside the savepoint")
    assert _queued(redis) == []  # released, but nothing is committed yet
    db.session.commit()
    assert _queued(redis) == [("inside the savepoint",)]


def test_a_rolled_back_savepoint_keeps_the_jobs_queued_before_it(db, redis):
    after_commit.enqueue(noted, "before")
    with pytest.raises(ZeroDivisionError), db.session.begin_nested():
        after_commit.enqueue(noted, "inside")
        raise ZeroDivisionError
    db.session.commit()
    # "inside" stays queued too: jobs read their rows after the commit (at worst a harmless no-op).
    assert _queued(redis) == [("before",), ("inside",)]


def test_a_real_rollback_drops_every_job(db, redis):
    after_commit.enqueue(noted, "never")
    db.session.rollback()
    db.session.commit()
    assert _queued(redis) == []


def test_work_runs_in_the_order_it_was_asked_for_and_once_when_asked_once(db):
    seen = []
    after_commit.run(seen.append, "first")
    after_commit.run_once(seen.append, "once")
    after_commit.run_once(seen.append, "once")
    after_commit.run_once(seen.append, "at the front", first=True)
    after_commit.run(seen.append, "last")
    assert seen == []
    db.session.commit()
    assert seen == ["at the front", "first", "once", "last"]


def test_failing_work_does_not_stop_the_rest(db, caplog):
    seen = []
    after_commit.run(lambda: 1 / 0)
    after_commit.run(seen.append, "still runs")
    db.session.commit()
    assert seen == ["still runs"]
    assert "after-commit work failed" in caplog.text


def test_the_cache_version_moves_only_at_the_real_commit(db, redis):
    before = int(redis.get(page_cache.VERSION_KEY) or 0)
    with db.session.begin_nested():
        page_cache.changed()
    assert int(redis.get(page_cache.VERSION_KEY) or 0) == before
    db.session.commit()
    assert int(redis.get(page_cache.VERSION_KEY) or 0) == before + 1


def test_a_row_publisher_gets_its_row_afresh_after_the_commit(app, db, make_user):
    """events.publisher: queued by id, it runs after the real commit in a context of its own (its
    own session, nobody signed in) with the row as committed; a row that is gone publishes nothing."""
    user = make_user()
    seen = []
    with app.test_request_context("/"):
        login_user(user)  # the caller's request is hers; the publisher's is nobody's
        user.display_name = "Renamed Before the Commit"
        after_commit.run(_publish_name, user.id, seen)
        after_commit.run(_publish_name, user.id + 10**6, seen)  # no such row
        assert seen == []
        db.session.commit()
    [(row, name, signed_in)] = seen
    assert name == "Renamed Before the Commit"
    assert row is not user  # loaded by the publisher's own session
    assert signed_in is False


def test_the_work_runs_once_the_transaction_has_given_its_connection_back(db, make_user):
    """The work opens sessions of its own (a publisher's): were it run while the committing session
    still held its connection, every request would need two of the pool's connections at once, and
    a busy pool would wait on itself until its timeout (the gifts benchmark, 2026-12-07)."""
    make_user()
    before = db.engine.pool.checkedout()
    db.session.execute(sa.text("SELECT 1"))
    assert db.engine.pool.checkedout() == before + 1
    held_during_the_work = []
    after_commit.run(lambda: held_during_the_work.append(db.engine.pool.checkedout()))
    db.session.commit()
    assert held_during_the_work == [before]
