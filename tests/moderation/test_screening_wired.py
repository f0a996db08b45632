"""Screening wired into chat, reviews and profiles: it flags, never blocks, and tells only the writer."""

import html as html_text
import re

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import Flag, ModerationItem, ReadingMessage, ScreeningHit
from soulseer.services.marketplace import profiles
from soulseer.services.moderation.screening import CONTACT_RULES_NOTICE, CRISIS_BANNER_TEXT
from tests.conftest import csrf_token_from
from tests.moderation.conftest import make_reading
from tests.support.marketplace import specialty_ids
from tests.support.sse import StreamReader

HX = {"HX-Request": "true"}
BANNER = 'class="crisis-banner"'


def signed_in(app, login, user):
    browser = login(app.test_client(), user)
    browser.csrf = csrf_token_from(browser.get("/account").get_data(as_text=True))
    return browser


def send(browser, url, hx=True, **data):
    return browser.post(url, data=data, headers={"X-CSRFToken": browser.csrf, **(HX if hx else {})})


def text_of(html):
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".")


def hits():
    database.session.expire_all()
    return database.session.execute(sa.select(ScreeningHit).order_by(ScreeningHit.id)).scalars().all()


def stream(app, login, user):
    tab = StreamReader(login(app.test_client(), user).get("/events", buffered=False))
    tab.wait_for(": connected")
    return tab


def test_a_phone_number_in_chat_is_flagged_delivered_and_the_sender_told(app, login, client_user, reader):
    reading = make_reading(client_user, reader, "active")
    luna_tab = stream(app, login, reader)
    try:
        nova = signed_in(app, login, client_user)
        body = "Call me at 415 555 2671 after this"
        response = send(nova, f"/readings/{reading.id}/messages", body=body)
        assert response.status_code == 200
        assert CONTACT_RULES_NOTICE in text_of(response.get_data(as_text=True))
        # Delivered as written, to the reader too, without the notice.
        received = luna_tab.wait_for("after this")
        assert "415 555 2671" in received and CONTACT_RULES_NOTICE not in received
    finally:
        luna_tab.close()
    message = database.session.execute(sa.select(ReadingMessage)).scalar_one()
    assert message.body == body and message.visible
    [hit] = hits()
    assert (hit.detector, hit.field, hit.matched) == ("phone", "body", "415 555 2671")
    assert body[hit.start_offset : hit.end_offset] == "415 555 2671"
    flag = hit.flag
    assert flag.flagger_id is None and flag.reason == "off_platform" and flag.snapshot == {"body": body}
    assert (flag.item.kind, flag.item.target_id, flag.item.author_id) == ("reading_message", message.id, client_user.id)


def test_self_harm_in_chat_banner_for_the_writer_only_guidance_for_the_reader(app, login, client_user, reader):
    reading = make_reading(client_user, reader, "active")
    luna_tab, nova_other_tab = stream(app, login, reader), stream(app, login, client_user)
    try:
        nova = signed_in(app, login, client_user)
        response = send(nova, f"/readings/{reading.id}/messages", body="Honestly I want to end my life")
        page = response.get_data(as_text=True)
        assert BANNER in page and CRISIS_BANNER_TEXT in text_of(page)
        assert 'href="tel:988"' in page and "988lifeline.org" in page
        to_reader = luna_tab.wait_for("Only you see this.")
        assert "end my life" in to_reader and BANNER not in to_reader
        assert "do not give medical advice" in to_reader
        nova_other_tab.wait_for("end my life")
        nova_other_tab.settle(0.3)
        assert BANNER not in nova_other_tab.text and "Only you see this." not in nova_other_tab.text
    finally:
        luna_tab.close()
        nova_other_tab.close()
    [item] = database.session.execute(sa.select(ModerationItem)).scalars().all()
    assert item.urgent and item.kind == "reading_message"
    # On reload: the reader's room keeps the guidance note under that line; the client's has none.
    luna = signed_in(app, login, reader)
    room = luna.get(f"/readings/{reading.id}").get_data(as_text=True)
    assert "Only you see this." in room and BANNER not in room
    assert "Only you see this." not in nova.get(f"/readings/{reading.id}").get_data(as_text=True)


def test_the_reader_writing_it_gets_no_banner_and_a_harmless_sentence_nothing(app, login, client_user, reader):
    reading = make_reading(client_user, reader, "active")
    luna = signed_in(app, login, reader)
    quoted = send(luna, f"/readings/{reading.id}/messages", body="Some people feel they want to die")
    assert BANNER not in quoted.get_data(as_text=True)  # the banner is for clients (F-10)
    nova = signed_in(app, login, client_user)
    fine = send(nova, f"/readings/{reading.id}/messages", body="This deck is killer, I love the Tower card")
    assert BANNER not in fine.get_data(as_text=True) and CONTACT_RULES_NOTICE not in fine.get_data(as_text=True)
    assert [hit.detector for hit in hits()] == ["self_harm"]  # only the reader's line was flagged


def test_a_review_is_screened_and_the_writer_told_after_the_redirect(app, login, reading, client_user, reader):
    nova = signed_in(app, login, client_user)
    sent = send(nova, f"/readings/{reading.id}/review", hx=False, stars="1", body="Pay me on venmo. I want to die")
    assert sent.status_code == 302
    page = nova.get(sent.headers["Location"]).get_data(as_text=True)
    assert BANNER in page and CONTACT_RULES_NOTICE in text_of(page)
    assert BANNER not in nova.get(sent.headers["Location"]).get_data(as_text=True)  # once
    [item] = database.session.execute(sa.select(ModerationItem)).scalars().all()
    assert (item.kind, item.urgent) == ("review", True)
    assert {hit.detector for hit in hits()} == {"payment_app", "self_harm"}
    # Published as written: on the reader's page for everyone.
    assert "Pay me on venmo" in app.test_client().get("/readers/luna").get_data(as_text=True)
    # The reader's answer is screened too, as its own kind (the reader is its author).
    review_id = database.session.execute(sa.select(Flag)).scalar_one().item.target_id
    luna = signed_in(app, login, reader)
    answered = send(luna, f"/reader/reviews/{review_id}/answer", hx=False, answer="Email me: luna@example.com")
    page = luna.get(answered.headers["Location"]).get_data(as_text=True)
    assert CONTACT_RULES_NOTICE in text_of(page) and BANNER not in page
    answer_item = database.session.execute(sa.select(ModerationItem).filter_by(kind="review_answer")).scalar_one()
    assert answer_item.author_id == reader.id and not answer_item.urgent


def test_profile_edits_are_screened_on_what_changed(app, login, reader):
    profile = profiles.profile_for(reader)
    bio = "I read tarot with care. Email me at luna@example.com to book privately."
    profiles.save_profile(reader, _input(profile, bio=bio), profile=profile)
    database.session.commit()
    assert [(h.field, h.detector) for h in hits()] == [("bio", "email")]
    profiles.save_profile(reader, _input(profile, tagline="Tarot, honestly and kindly"), profile=profile)
    database.session.commit()
    assert len(hits()) == 1  # the unchanged bio is not flagged again


def _input(profile, **changes):
    data = {
        "display_name": profile.display_name,
        "tagline": profile.tagline,
        "bio": profile.bio,
        "specialty_ids": specialty_ids("Tarot"),
        "tools": "",
        "languages": "",
        "years_of_practice": "3",
        "rates": {"chat": "1.00"},
        **changes,
    }
    return profiles.ProfileInput(**data)


def test_the_help_page_has_the_crisis_text(client, db):
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)
    assert CRISIS_BANNER_TEXT in text_of(client.get("/pages/help").get_data(as_text=True))


def test_an_edit_of_hidden_content_waits_for_an_admin_again(app, login, reader, make_user):
    from soulseer.services.moderation import visibility

    admin = make_user(role="admin", consented=True)
    profile = profiles.profile_for(reader)
    visibility.hide("reader_profile", profile.id, "Claims to lift curses", admin)
    database.session.commit()
    assert database.session.execute(sa.select(ModerationItem)).scalars().all() == []  # hidden, never reported
    bio = "I read tarot with care and honesty, for people at a crossroads in love and work."
    profiles.save_profile(reader, _input(profile, bio=bio), profile=profile)
    database.session.commit()
    database.session.expire_all()
    [item] = database.session.execute(sa.select(ModerationItem)).scalars().all()
    assert (item.kind, item.state, item.decision) == ("reader_profile", "open", "edited_while_hidden")
    assert profiles.profile_for(reader).hidden  # still hidden until an admin decides
    assert hits() == []
    page = login(app.test_client(), admin).get("/admin/moderation").get_data(as_text=True)
    assert "Luna&#39;s profile" in page and "edited while hidden" in page
