"""People's reports (F-6), the queue item they make (F-7) and auto-hide (F-8), at the service."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry, Flag, ModerationItem, ReaderProfile, Review, User
from soulseer.services.moderation import flags, queue, visibility
from soulseer.services.moderation.items import ModerationError
from tests.moderation.conftest import chat_line, make_reading, profile_of

NOTE = "This looks wrong to me."


def refused(call, *args):
    with pytest.raises(ModerationError) as caught:
        call(*args)
    database.session.rollback()
    return caught.value


def report(user, kind, target_id, reason="inappropriate", note=NOTE):
    flag = flags.flag(user, kind, target_id, reason, note)
    database.session.commit()
    return flag


def items():
    database.session.expire_all()
    return database.session.execute(sa.select(ModerationItem)).scalars().all()


def audit(action):
    return database.session.execute(sa.select(AuditEntry).filter_by(action=action)).scalars().all()


def test_a_report_makes_one_item_per_target_aggregating_its_flags(review, aged_user, make_user):
    first, second = aged_user(), make_user(role="client", consented=True)
    report(first, "review", review.id, "spam")
    report(second, "review", review.id, "inappropriate", "Rude words about the reader.")
    [item] = items()
    assert (item.kind, item.target_id, item.author_id, item.state) == ("review", review.id, review.client_id, "open")
    entry = queue.entry(item.id)
    assert entry.flagger_count == 2 and entry.reasons == {"spam": 1, "inappropriate": 1}
    assert item.score == 3  # 2 for the trusted (7+ days) account, 1 for the new one
    assert entry.open_flags[0].snapshot == {"body": "Not what I hoped for."}  # what the flagger saw
    assert queue.open_count() == 1


def test_what_a_report_needs(review, reading, make_user, client_user):
    someone = make_user(role="client", consented=True)
    assert refused(flags.flag, someone, "review", review.id, "nonsense", NOTE).field == "reason"
    short = refused(flags.flag, someone, "review", review.id, "spam", "bad")
    assert (short.field, short.status) == ("note", 422)
    assert refused(flags.flag, someone, "review", review.id, "spam", "x" * 1001).field == "note"
    assert refused(flags.flag, someone, "review", 999_999, "spam", NOTE).status == 404
    assert refused(flags.flag, someone, "poem", review.id, "spam", NOTE).status == 404
    # Your own content: 403. The client wrote this review.
    own = refused(flags.flag, client_user, "review", review.id, "spam", NOTE)
    assert own.status == 403 and "yours" in own.message
    assert items() == []


def test_chat_lines_and_readings_can_be_reported_only_by_who_saw_them(reading, client_user, reader, make_user):
    line = chat_line(reading, reader, "Hello Nova")
    stranger = make_user(role="client", consented=True)
    assert refused(flags.flag, stranger, "reading_message", line.id, "spam", NOTE).status == 404
    assert refused(flags.flag, reader, "reading_message", line.id, "spam", NOTE).status == 403  # their own line
    report(client_user, "reading_message", line.id)
    # "Report a problem" with a finished reading: its client, about the reader's part.
    assert refused(flags.flag, reader, "reading", reading.id, "technical", NOTE).status == 403
    assert refused(flags.flag, stranger, "reading", reading.id, "technical", NOTE).status == 404
    report(client_user, "reading", reading.id, "not_delivered", "She read for two minutes and left.")
    open_reading = make_reading(make_user(role="client", consented=True), make_user(role="reader"), "active")
    assert refused(flags.flag, client_user, "reading", open_reading.id, "technical", NOTE).status == 404
    assert {(item.kind, item.author_id) for item in items()} == {("reading_message", reader.id), ("reading", reader.id)}


def test_one_open_flag_per_person_per_target(review, make_user):
    someone = make_user(role="client", consented=True)
    report(someone, "review", review.id)
    again = refused(flags.flag, someone, "review", review.id, "spam", "Still here, still wrong.")
    assert again.status == 409
    assert database.session.execute(sa.select(sa.func.count(Flag.id))).scalar() == 1
    # The database says so too, whatever the code does (a partial unique index).
    item = items()[0]
    database.session.add(Flag(item_id=item.id, flagger_id=someone.id, reason="spam", note=NOTE))
    with pytest.raises(sa.exc.IntegrityError):
        database.session.flush()
    database.session.rollback()


def test_after_a_dismissal_the_same_person_may_report_again_only_after_24_hours(review, make_user):
    admin = make_user(role="admin", consented=True)
    someone, other = make_user(role="client", consented=True), make_user(role="client", consented=True)
    with clock.frozen(clock.now()):
        report(someone, "review", review.id)
        item = items()[0]
        queue.dismiss(admin, item.id, "Fair criticism")
        database.session.commit()
        assert [f.state for f in database.session.query(Flag)] == ["dismissed"]
        clock.advance(timedelta(hours=23))
        wait = refused(flags.flag, someone, "review", review.id, "spam", NOTE)
        assert wait.status == 429 and 3600 <= wait.retry_after <= 3601 and "in 1 hour" in wait.message
        report(other, "review", review.id)  # someone else may, at once: the item opens again
        assert items()[0].state == "open"
        clock.advance(timedelta(hours=1, seconds=1))
        report(someone, "review", review.id)
    assert entry_flaggers(items()[0]) == 2


def entry_flaggers(item):
    return queue.entry(item.id).flagger_count


def test_three_trusted_flaggers_hide_content_until_an_admin_decides(review, aged_user, reader):
    assert profile_of(reader).review_count == 1
    report(aged_user(), "review", review.id)
    report(aged_user(), "review", review.id)
    assert database.session.get(Review, review.id).visible
    report(aged_user(), "review", review.id)
    hidden = database.session.get(Review, review.id)
    assert hidden.hidden and hidden.hidden_automatically and hidden.hidden_by_id is None
    assert profile_of(reader).review_count == 0  # the rating no longer counts it
    [entry] = audit("review.hidden")
    assert entry.actor_id is None and entry.after["automatic"] is True  # by the system
    assert items()[0].state == "open"  # still waiting for an admin


def test_young_accounts_and_the_same_person_twice_do_not_hide(review, aged_user, make_user):
    report(aged_user(), "review", review.id)
    repeat = aged_user()
    report(repeat, "review", review.id)
    refused(flags.flag, repeat, "review", review.id, "spam", NOTE)
    young = [make_user(role="client", consented=True, created_at=clock.now() - timedelta(days=6)) for _ in range(3)]
    for person in young:
        report(person, "review", review.id)
    assert database.session.get(Review, review.id).visible
    assert queue.entry(items()[0].id).flagger_count == 5
    assert audit("review.hidden") == []


def test_dismissing_shows_automatically_hidden_content_again(review, aged_user, make_user):
    admin = make_user(role="admin", consented=True)
    for _ in range(3):
        report(aged_user(), "review", review.id)
    item = items()[0]
    queue.dismiss(admin, item.id, "Honest review")
    database.session.commit()
    assert database.session.get(Review, review.id).visible
    assert [e.action for e in database.session.query(AuditEntry).order_by(AuditEntry.id)] == [
        "review.hidden",
        "review.shown",
        "moderation.dismissed",
    ]
    assert refused(queue.dismiss, admin, item.id, None).status == 409  # decided once


def test_an_admin_hides_and_restores_through_one_service(reader, make_user):
    admin = make_user(role="admin", consented=True)
    profile = profile_of(reader)
    assert refused(visibility.hide, "reader_profile", profile.id, "", admin).field == "reason"
    visibility.hide("reader_profile", profile.id, "Fake credentials", admin)
    database.session.commit()
    hidden = database.session.get(ReaderProfile, profile.id)
    assert (hidden.hidden, hidden.hidden_reason, hidden.hidden_by_id) == (True, "Fake credentials", admin.id)
    assert refused(visibility.hide, "reader_profile", profile.id, "Again please", admin).status == 409
    visibility.restore("reader_profile", profile.id, "Credentials checked", admin)
    database.session.commit()
    shown = database.session.get(ReaderProfile, profile.id)
    assert (shown.hidden, shown.hidden_reason, shown.hidden_by_id) == (False, None, None)
    assert [(e.action, e.actor_id, e.reason) for e in database.session.query(AuditEntry).order_by(AuditEntry.id)] == [
        ("reader_profile.hidden", admin.id, "Fake credentials"),
        ("reader_profile.shown", admin.id, "Credentials checked"),
    ]
    assert refused(visibility.hide, "user", reader.id, "Not a content", admin).status == 409


def test_a_hidden_row_always_has_its_reason(review, reader):
    with pytest.raises(sa.exc.IntegrityError):
        database.session.execute(sa.update(Review).values(hidden_at=clock.now()))
    database.session.rollback()
    profile = profile_of(reader)
    profile.hidden_reason = "Why, without when"
    with pytest.raises(sa.exc.IntegrityError):
        database.session.commit()


def test_suspending_the_author_from_the_queue(review, make_user):
    admin = make_user(role="admin", consented=True)
    report(make_user(role="client", consented=True), "review", review.id)
    item = items()[0]
    assert refused(queue.suspend_author, admin, item.id, "").field == "reason"
    queue.suspend_author(admin, item.id, "Harassing the reader")
    database.session.commit()
    author = database.session.get(User, review.client_id)
    assert author.status == "suspended"
    assert items()[0].state == "actioned" and items()[0].decision == "suspended"
    assert {e.action for e in database.session.query(AuditEntry)} == {"user.suspended", "moderation.author_suspended"}


def test_parallel_flags_count_once_each_and_hide_once(review, aged_user, run_in_parallel):
    people = [aged_user() for _ in range(6)]
    ids = [person.id for person in people]
    review_id = review.id

    def flag(i):
        flags.flag(database.session.get(User, ids[i]), "review", review_id, "spam", NOTE)
        database.session.commit()
        return "flagged"

    assert run_in_parallel(flag, 6) == ["flagged"] * 6
    [item] = items()
    assert len(queue.entry(item.id).open_flags) == 6 and item.score == 12
    assert database.session.get(Review, review_id).hidden_automatically
    assert len(audit("review.hidden")) == 1  # hidden exactly once


def test_the_same_person_flagging_twice_at_once_is_one_flag(review, aged_user, run_in_parallel):
    person_id, review_id = aged_user().id, review.id

    def flag(i):
        flags.flag(database.session.get(User, person_id), "review", review_id, "spam", f"{NOTE} ({i})")
        database.session.commit()
        return "flagged"

    results = run_in_parallel(flag, 4)
    assert results.count("flagged") == 1
    assert all(isinstance(r, ModerationError) and r.status == 409 for r in results if r != "flagged")
    assert database.session.execute(sa.select(sa.func.count(Flag.id))).scalar() == 1
