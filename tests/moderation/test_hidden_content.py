"""What hidden content looks like to its author, to the others, and to admins."""

from soulseer.extensions import db as database
from soulseer.services.moderation import visibility
from tests.moderation.conftest import chat_line


def test_a_hidden_chat_line_is_a_placeholder_for_the_other_person_only(
    app, login, reading, client_user, reader, make_user
):
    admin = make_user(role="admin", consented=True)
    line = chat_line(reading, client_user, "Call me on my cell")
    chat_line(reading, reader, "Let's keep it here")
    visibility.hide("reading_message", line.id, "Contact details", admin)
    database.session.commit()

    luna = login(app.test_client(), reader)
    page = luna.get(f"/readings/{reading.id}/transcript").get_data(as_text=True)
    assert "Call me on my cell" not in page and "A moderator hid this message." in page
    assert "Let&#39;s keep it here" in page

    nova = login(app.test_client(), client_user)
    page = nova.get(f"/readings/{reading.id}/transcript").get_data(as_text=True)
    assert "Call me on my cell" in page and "Hidden from the other person by a moderator." in page


def test_the_reading_page_hides_and_shows_a_review_and_links_its_queue_item(app, login, review, make_user):
    from datetime import timedelta

    import sqlalchemy as sa

    from soulseer import clock
    from soulseer.models import AuditEntry
    from soulseer.services.moderation import flags
    from tests.conftest import csrf_token_from

    admin = login(app.test_client(), make_user(role="admin", consented=True))
    page_url = f"/admin/readings/{review.reading_id}"
    token = csrf_token_from(admin.get(page_url).get_data(as_text=True))
    hidden = admin.post(f"/admin/reviews/{review.id}/hide", data={"csrf_token": token, "reason": "Names a person"})
    assert hidden.status_code == 302
    page = admin.get(page_url).get_data(as_text=True)
    assert "Hidden " in page and "Names a person" in page and "Show the review again" in page
    assert "Why show it again" in page and "moderation queue" not in page  # never reported: no item
    shown = admin.post(f"/admin/reviews/{review.id}/show", data={"csrf_token": token, "reason": "Person agreed"})
    assert shown.status_code == 302
    actions = database.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions == ["review.hidden", "review.shown"]

    for _ in range(3):  # three trusted people report it: hidden automatically, with its queue item linked
        flagger = make_user(role="client", consented=True, created_at=clock.now() - timedelta(days=8))
        flags.flag(flagger, "review", review.id, "inappropriate", "Names a private person.")
    database.session.commit()
    page = admin.get(page_url).get_data(as_text=True)
    assert "Hidden automatically" in page and "Its reports and screening in the moderation queue" in page
