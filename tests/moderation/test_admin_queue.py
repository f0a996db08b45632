"""Admin → Moderation: the queue's order and filters, an item in context, decisions, badge, figure."""

import re
from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import AuditEntry, ModerationItem, ReadingMessage, Review, User
from soulseer.services.moderation import automatic, flags
from tests.conftest import csrf_token_from
from tests.moderation.conftest import chat_line, make_reading, profile_of

NOTE = "This looks wrong to me."


def admin_browser(app, login, make_user):
    admin = make_user(role="admin", consented=True, display_name="Ada Admin")
    browser = login(app.test_client(), admin)
    browser.csrf = csrf_token_from(browser.get("/account").get_data(as_text=True))
    browser.admin = admin
    return browser


def decide(browser, item_id, action, reason):
    return browser.post(
        f"/admin/moderation/{item_id}/{action}",
        data={f"{action}-reason": reason},
        headers={"X-CSRFToken": browser.csrf},
    )


def item_for(kind, target_id):
    database.session.expire_all()
    return database.session.execute(sa.select(ModerationItem).filter_by(kind=kind, target_id=target_id)).scalar_one()


def titles(html):
    return re.findall(r'class="row-title" href="/admin/moderation/\d+">([^<]+)</a>', html)


def test_only_admins(app, login, make_user, client):
    assert client.get("/admin/moderation").status_code == 302
    someone = login(app.test_client(), make_user(role="client", consented=True))
    assert someone.get("/admin/moderation").status_code == 403
    assert someone.get("/admin/moderation/1").status_code == 403


def test_the_queue_order_filters_badge_and_overview_figure(app, login, make_user, reading, client_user, reader):
    review = Review(reading_id=reading.id, client_id=client_user.id, reader_id=reader.id, stars=1, body="Meh")
    database.session.add(review)
    database.session.commit()
    reporters = [make_user(role="client", consented=True, created_at=clock.now() - timedelta(days=9)) for _ in range(2)]
    with clock.frozen(clock.now() - timedelta(hours=50)):  # the oldest: open for more than 48 h
        flags.flag(reporters[0], "reader_profile", profile_of(reader).id, "spam", NOTE)
        database.session.commit()
    flags.flag(reporters[0], "review", review.id, "inappropriate", NOTE)
    flags.flag(reporters[1], "review", review.id, "spam", NOTE)  # the highest score
    database.session.commit()
    line = chat_line(reading, client_user, "I want to end my life")  # screening: urgent
    automatic.screen("reading_message", line)
    database.session.commit()

    ada = admin_browser(app, login, make_user)
    page = ada.get("/admin/moderation").get_data(as_text=True)
    assert titles(page) == ["A chat line by Nova", "1-star review by Nova", "Luna&#39;s profile"]
    assert "Urgent: self-harm" in page and "Open over 48 h" in page
    assert "2 reports from 2 people" in page and "screening: self harm" in page
    assert re.search(r'Moderation <span class="count-badge" aria-label="3 open">3</span>', page)
    only_reviews = ada.get("/admin/moderation?kind=review").get_data(as_text=True)
    assert titles(only_reviews) == ["1-star review by Nova"]
    assert titles(ada.get("/admin/moderation?state=dismissed").get_data(as_text=True)) == []
    overview = ada.get("/admin").get_data(as_text=True)
    assert re.search(r'data-figure="open_flags">.*?class="figure-number">3</span>', overview, re.S)


def test_a_chat_line_in_context_with_its_match_marked_and_escaped(app, login, make_user, client_user, reader):
    reading = make_reading(client_user, reader, "active")
    for n in range(7):
        chat_line(reading, reader, f"line {n}")
    reported = chat_line(reading, client_user, "<b>Text</b> me: 415 555 2671")
    for n in range(7, 14):
        chat_line(reading, reader, f"line {n}")
    automatic.screen("reading_message", reported)
    database.session.commit()
    ada = admin_browser(app, login, make_user)
    page = ada.get(f"/admin/moderation/{item_for('reading_message', reported.id).id}").get_data(as_text=True)
    # Five lines before and after, not more.
    shown = re.findall(r'<span class="chat-body">line (\d+)</span>', page)
    assert shown == ["2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    assert 'aria-current="true"' in page
    assert '&lt;b&gt;Text&lt;/b&gt; me: <mark title="Phone number">415 555 2671</mark>' in page
    assert "<b>Text</b>" not in page


def test_hide_restore_dismiss_with_reasons_each_audited(app, login, make_user, review, reader):
    flags.flag(make_user(role="client", consented=True), "review", review.id, "inappropriate", NOTE)
    database.session.commit()
    item = item_for("review", review.id)
    ada = admin_browser(app, login, make_user)

    missing = decide(ada, item.id, "hide", "")
    assert missing.status_code == 422 and "Give a reason of 5 to 500 characters" in missing.get_data(as_text=True)
    assert decide(ada, item.id, "hide", "Insults the reader").status_code == 303
    database.session.expire_all()
    assert database.session.get(Review, review.id).hidden and profile_of(reader).review_count == 0
    assert item_for("review", review.id).state == "actioned"
    page = ada.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert "Insults the reader" in page and "review.hidden" in page and "Show it again" in page

    assert decide(ada, item.id, "restore", "On reflection, fair").status_code == 303
    database.session.expire_all()
    assert database.session.get(Review, review.id).visible and profile_of(reader).review_count == 1
    assert decide(ada, item.id, "dismiss", "").status_code == 409  # already decided

    flags.flag(make_user(role="client", consented=True), "review", review.id, "spam", NOTE)  # opens it again
    database.session.commit()
    assert decide(ada, item.id, "dismiss", "").status_code == 303
    actions = [e.action for e in database.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert actions == [
        "review.hidden",
        "moderation.hidden",
        "review.shown",
        "moderation.restored_later",
        "moderation.dismissed",
    ]
    assert ada.get(f"/admin/moderation/{item.id}/nonsense").status_code == 405
    assert decide(ada, item.id, "nonsense", "whatever reason").status_code == 404
    assert ada.get("/admin/moderation/999999").status_code == 404


def test_suspend_the_author_of_a_chat_line(app, login, make_user, reading, client_user, reader):
    line = chat_line(reading, client_user, "Pay me on venmo instead")
    flags.flag(reader, "reading_message", line.id, "off_platform", NOTE)
    database.session.commit()
    item = item_for("reading_message", line.id)
    ada = admin_browser(app, login, make_user)
    assert f"Suspend {client_user.display_name}" in ada.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert decide(ada, item.id, "suspend", "Asking for payment outside SoulSeer").status_code == 303
    database.session.expire_all()
    assert database.session.get(User, client_user.id).status == "suspended"
    assert item_for("reading_message", line.id).decision == "suspended"
    assert database.session.get(ReadingMessage, line.id).visible  # suspending is not hiding


def test_warn_the_author_of_a_chat_line(app, login, make_user, reading, client_user, reader):
    from soulseer.models import Notification

    line = chat_line(reading, client_user, "Pay me on venmo instead")
    flags.flag(reader, "reading_message", line.id, "off_platform", NOTE)
    database.session.commit()
    item = item_for("reading_message", line.id)
    ada = admin_browser(app, login, make_user)
    assert f"Warn {client_user.display_name}" in ada.get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert decide(ada, item.id, "warn", "no").status_code == 422  # the warning needs its words
    assert decide(ada, item.id, "warn", "Payments go through SoulSeer only.").status_code == 303
    database.session.expire_all()
    [notice] = database.session.query(Notification).filter_by(user_id=client_user.id).all()
    assert notice.text == "A warning from SoulSeer's moderators: Payments go through SoulSeer only."
    assert item_for("reading_message", line.id).decision == "warned"
    assert database.session.get(User, client_user.id).status == "active"  # warning is not suspending
    assert database.session.get(ReadingMessage, line.id).visible
    actions = {e.action for e in database.session.query(AuditEntry).filter(AuditEntry.action.like("%warned"))}
    assert actions == {"user.warned", "moderation.author_warned"}
