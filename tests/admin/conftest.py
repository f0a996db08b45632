"""Admin area tests: people by role, and a page for each kind of thing the admin pages show."""

import pytest

from soulseer.models import ApplicationStatus, ReaderApplication


@pytest.fixture
def person(make_user):
    """make_user with consent given, so pages open without the consent step."""

    def factory(role="client", **fields):
        return make_user(role=role, consented=True, **fields)

    return factory


@pytest.fixture
def admin(person):
    return person("admin", email="ada@example.test", display_name="Ada Admin")


@pytest.fixture
def admin_client(client, admin, login):
    return login(client, admin)


def make_application(db, email, status=ApplicationStatus.SUBMITTED):
    application = ReaderApplication(
        legal_name="Selene Marsh",
        email=email,
        phone="+44 20 7946 0958",
        years_of_practice=12,
        specialties=["Tarot"],
        modes=["chat"],
        bio="I have read tarot for twelve years, for people at a crossroads in love and work.",
        why_soulseer="Fair pay.",
        agreement_version=1,
        status=status,
    )
    db.session.add(application)
    db.session.commit()
    return application
