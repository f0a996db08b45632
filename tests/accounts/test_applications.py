"""The public "Become a reader" form: a good application is stored; bad input leaves no trace."""

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.models import ApplicationStatus, ContentPage, ReaderApplication
from tests.support.forms import post_with_csrf

APPLY = "/become-a-reader"

GOOD = {
    "legal_name": "Selene Marsh",
    "email": "Selene@Example.test",
    "phone": "+44 20 7946 0958",
    "years_of_practice": "12",
    "specialties": ["Tarot", "Dreams"],
    "modes": ["chat", "video"],
    "bio": "I have read tarot for twelve years, mostly for people at a crossroads in love and work.",
    "why_soulseer": "Fair pay for readers and clients who pay only for what they get.",
    "links": "https://selene.example.test\nhttps://reviews.example.test/selene",
    "agreement": "y",
}


def apply(client, **changes):
    data = {**GOOD, **changes}
    return post_with_csrf(client, APPLY, {k: v for k, v in data.items() if v is not None}, page=APPLY)


def applications(db):
    db.session.expire_all()
    return db.session.execute(sa.select(ReaderApplication)).scalars().all()


@pytest.fixture
def reader_agreement(db):
    page = ContentPage(slug="reader-agreement", title="Reader agreement", body_markdown="Be honest.", version=4)
    db.session.add(page)
    db.session.commit()
    return page


def test_the_form_lists_the_specialties_the_admin_keeps(client, db):
    html = client.get(APPLY).get_data(as_text=True)
    assert "Become a reader" in html
    for name in ("Tarot", "Astrology", "Mediumship", "Love &amp; Relationships", "Spirit Guides"):
        assert name in html
    assert html.count('name="specialties"') == 12
    assert html.count('name="modes"') == 3


def test_a_good_application_is_stored_with_the_agreement_version(client, db, reader_agreement):
    response = apply(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/become-a-reader/thank-you")
    [application] = applications(db)
    assert application.legal_name == "Selene Marsh"
    assert application.email == "selene@example.test"
    assert application.phone == "+44 20 7946 0958"
    assert application.years_of_practice == 12
    assert application.specialties == ["Tarot", "Dreams"]
    assert application.modes == ["chat", "video"]
    assert application.agreement_version == 4
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.user_id is None and application.decided_at is None

    thanks = client.get("/become-a-reader/thank-you").get_data(as_text=True)
    assert "Thank you, Selene Marsh" in thanks
    assert "selene@example.test" in thanks


def test_the_thank_you_page_without_an_application_goes_back_to_the_form(client):
    response = client.get("/become-a-reader/thank-you")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(APPLY)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"agreement": None}, "Please accept the Reader agreement to apply."),
        ({"bio": "Too short to tell anything."}, "Write between 50 and 2000 characters."),
        ({"bio": "x" * 2001}, "Write between 50 and 2000 characters."),
        ({"specialties": None}, "Choose between 1 and 10 specialties."),
        (
            {
                "specialties": [
                    "Tarot", "Astrology", "Mediumship", "Love & Relationships", "Career & Money", "Dreams",
                    "Energy Healing", "Numerology", "Clairvoyance", "Past Lives", "Pets",
                ]
            },
            "Choose between 1 and 10 specialties.",
        ),
        ({"specialties": ["Tarot", "Crystal balls"]}, "Choose from the list."),
        ({"modes": None}, "Choose at least one of chat, voice or video."),
        ({"modes": ["chat", "telepathy"]}, "Choose from the list."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "Enter your email."),
        ({"legal_name": ""}, "Enter your legal name."),
        ({"phone": "call me"}, "Enter a phone number with its country code"),
        ({"years_of_practice": "81"}, "Enter a number from 0 to 80."),
        ({"years_of_practice": "-1"}, "Enter a number from 0 to 80."),
        ({"years_of_practice": ""}, "Enter a number of years"),
        ({"why_soulseer": ""}, "Tell us why you want to read on SoulSeer."),
        ({"why_soulseer": "y" * 2001}, "Keep it under 2000 characters."),
        ({"links": "l" * 1001}, "Keep the links under 1000 characters."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_field_error_and_leaves_no_trace(client, db, changes, message):
    response = apply(client, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Please correct the fields marked below." in html
    assert applications(db) == []


def test_ten_specialties_and_zero_years_are_fine(client, db):
    ten = ["Tarot", "Astrology", "Mediumship", "Dreams", "Energy Healing", "Numerology", "Clairvoyance",
           "Past Lives", "Pets", "Spirit Guides"]  # fmt: skip
    assert apply(client, specialties=ten, years_of_practice="0", links="").status_code == 302
    [application] = applications(db)
    assert application.specialties == ten and application.years_of_practice == 0 and application.links == ""


def test_a_second_application_while_the_first_waits_is_refused(client, db):
    assert apply(client).status_code == 302
    response = apply(client, email="SELENE@example.test")
    assert response.status_code == 422
    assert "already have an application from this email waiting" in response.get_data(as_text=True)
    assert len(applications(db)) == 1


def test_applying_again_after_a_decision_is_allowed(client, db):
    assert apply(client).status_code == 302
    [first] = applications(db)
    first.status = ApplicationStatus.REJECTED
    db.session.commit()
    assert apply(client).status_code == 302
    assert len(applications(db)) == 2


def test_the_form_without_csrf_token_changes_nothing(client, db):
    data = {k: v for k, v in GOOD.items()}
    response = client.post(APPLY, data=data)
    assert response.status_code == 400
    assert applications(db) == []


def test_posting_is_limited_to_five_an_hour_per_address(client, db):
    for _ in range(5):
        assert apply(client, email="").status_code == 422  # refused, but counted
    response = apply(client)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert applications(db) == []
    assert client.get(APPLY).status_code == 200  # reading the form is not limited


def test_the_footer_links_to_the_form(client):
    html = client.get("/").get_data(as_text=True)
    assert "Are you a reader?" in html
    assert f'href="{APPLY}"' in html


def test_signed_in_visitors_are_told_approval_makes_a_new_account(client, make_user, login):
    login(client, make_user(role="client", adult_confirmed_at=clock.now(), terms_version=1))
    html = client.get(APPLY).get_data(as_text=True)
    assert "apply with an email that does not have a SoulSeer account yet" in html
