"""admin_users.between_parties: the admin's search of what passes between a client and a reader
(readings, bookings) by either party's email or name."""

from soulseer.models import Reading
from soulseer.services.accounts import admin_users
from tests.moderation.conftest import make_reading


def test_either_partys_email_or_name_any_case_and_nothing_when_blank(make_user, db):
    nova = make_user(role="client", consented=True, display_name="Nova", email="nova@example.test")
    cass = make_user(role="client", consented=True, display_name="Cass", email="cass@example.test")
    luna = make_user(role="reader", consented=True, display_name="Luna Starweaver", email="luna@example.test")
    orion = make_user(role="reader", consented=True, display_name="Orion Vale", email="orion@example.test")
    first, second = make_reading(nova, luna), make_reading(cass, orion)

    def found(who):
        statement = admin_users.between_parties(Reading, who).order_by(Reading.id)
        return [reading.id for reading in db.session.scalars(statement)]

    assert found("STARWEAVER") == [first.id]  # the reader's name, any case
    assert found("cass@") == [second.id]  # the client's email
    assert found(" vale ") == [second.id]  # trimmed
    assert found("") == found("   ") == [first.id, second.id]
    assert found("nobody") == []
