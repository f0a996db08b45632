"""The reader page (/readers/<slug>) shows the visible reviews, newest first, with the answers."""

from soulseer.extensions import db
from soulseer.models import Review
from tests.readings.helpers import finished_reading, profile_for


def test_reader_page_lists_visible_reviews_newest_first_with_answers(client, login, post_form, people, make_user):
    client_user, reader = people
    profile_for(reader, "luna")
    other = make_user(role="client", consented=True, display_name="Orion")
    first = finished_reading(client_user, reader, seconds=70)
    second = finished_reading(other, reader, seconds=70)
    login(client, client_user)
    post_form(client, f"/readings/{first.id}/review", {"stars": "5", "body": "The older review"})
    login(client, other)
    post_form(client, f"/readings/{second.id}/review", {"stars": "3", "body": "The newer review"})
    older = db.session.query(Review).filter_by(reading_id=first.id).one()
    login(client, reader)
    post_form(client, f"/reader/reviews/{older.id}/answer", {"answer": "Thank you, come back soon"})

    page = client.get("/readers/luna").get_data(as_text=True)
    assert page.index("The newer review") < page.index("The older review") < page.index("Thank you, come back soon")
    assert "Orion" in page and "4.0" in page

    admin = make_user(role="admin", consented=True)
    login(client, admin)
    post_form(client, f"/admin/reviews/{older.id}/hide", {"reason": "Off topic, hidden"})
    page = client.get("/readers/luna").get_data(as_text=True)
    assert "The older review" not in page and "The newer review" in page and "3.0" in page
