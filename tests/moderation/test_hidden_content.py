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
