"""Invitation links: an invited reader (or admin) sets a password, accepts the agreements, signs in.
Expired, used and unknown links say so and change nothing."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.models import AccountToken, AgreementAcceptance, ContentPage, TokenPurpose, User
from soulseer.services.accounts import invitations, passwords
from tests.support.forms import post_with_csrf

PASSWORD = "amber-lantern-orchard"
ACCEPT = {"password": PASSWORD, "confirm": PASSWORD, "adult": "y", "terms": "y", "reader_agreement": "y"}


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.reset()


@pytest.fixture
def pages(db):
    db.session.add_all(
        [
            ContentPage(slug="terms", title="Terms", body_markdown="Be kind.", version=2),
            ContentPage(slug="reader-agreement", title="Reader agreement", body_markdown="Be honest.", version=5),
        ]
    )
    db.session.commit()


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", email="ada@example.test", adult_confirmed_at=clock.now(), terms_version=2)


@pytest.fixture
def invited(db, admin, pages):
    """A reader invited directly: (user, raw token from the emailed link)."""
    reader = invitations.invite_reader(admin, "Wren@Example.test", "Wren Holloway")
    db.session.commit()
    return reader, token_from_outbox(db, "wren@example.test")


def token_from_outbox(db, address):
    from soulseer.models import OutboundEmail

    db.session.expire_all()
    email = db.session.execute(
        sa.select(OutboundEmail).filter_by(to_address=address).order_by(OutboundEmail.id.desc()).limit(1)
    ).scalar_one()
    match = re.search(r"https?://\S+/invitations/(\S+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def fresh(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def accept(client, token, **changes):
    data = {k: v for k, v in {**ACCEPT, **changes}.items() if v is not None}
    url = f"/invitations/{token}"
    return post_with_csrf(client, url, data)  # the token from the sign-in page: a used invitation has no form


def unclaimed(db, user):
    user = fresh(db, user)
    return user.password_hash is None and user.email_verified_at is None and user.adult_confirmed_at is None


def test_the_email_carries_a_link_valid_for_seven_days(db, invited):
    reader, raw = invited
    token = db.session.execute(sa.select(AccountToken).filter_by(user_id=reader.id)).scalar_one()
    assert token.purpose == TokenPurpose.INVITATION and token.email == "wren@example.test"
    assert abs(token.expires_at - token.created_at - timedelta(days=7)) < timedelta(seconds=5)
    assert raw not in token.token_hash  # only the hash is stored
    assert unclaimed(db, reader) and fresh(db, reader).role == "reader"


def test_the_page_greets_the_invited_reader(client, invited):
    _, raw = invited
    html = client.get(f"/invitations/{raw}").get_data(as_text=True)
    assert "Welcome, Wren Holloway" in html
    assert "wren@example.test" in html
    assert 'name="reader_agreement"' in html and 'name="adult"' in html and 'name="terms"' in html


def test_accepting_sets_the_password_records_consent_and_lands_on_the_dashboard(client, db, invited):
    reader, raw = invited
    response = accept(client, raw)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reader")
    user = fresh(db, reader)
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert user.email_verified_at is not None and user.last_login_at is not None
    assert user.adult_confirmed_at is not None and user.terms_version == 2
    [agreement] = db.session.execute(sa.select(AgreementAcceptance)).scalars().all()
    assert (agreement.user_id, agreement.page_slug, agreement.version) == (reader.id, "reader-agreement", 5)
    token = db.session.execute(sa.select(AccountToken).filter_by(user_id=reader.id)).scalar_one()
    assert token.used_at is not None
    dashboard = client.get("/reader")
    assert dashboard.status_code == 200
    assert "Welcome, Wren Holloway" in dashboard.get_data(as_text=True)


def test_a_used_invitation_says_so_and_changes_nothing(client, db, invited, app):
    reader, raw = invited
    assert accept(client, raw).status_code == 302
    before = fresh(db, reader).password_hash
    other = app.test_client()
    response = other.get(f"/invitations/{raw}")
    assert response.status_code == 410
    assert "This invitation has already been used. Sign in instead." in response.get_data(as_text=True)
    response = accept(other, raw, password="another-pass-phrase-x", confirm="another-pass-phrase-x")
    assert response.status_code == 410
    assert fresh(db, reader).password_hash == before


def test_an_expired_invitation_says_so_and_changes_nothing(client, db, invited):
    reader, raw = invited
    clock.advance(timedelta(days=8))
    response = client.get(f"/invitations/{raw}")
    assert response.status_code == 410
    assert "This invitation has expired. Ask SoulSeer for a new one." in response.get_data(as_text=True)
    response = accept(client, raw)
    assert response.status_code == 410
    assert unclaimed(db, reader)
    assert db.session.execute(sa.select(AccountToken.used_at)).scalar_one() is None


def test_an_unknown_link_is_a_clear_bad_request(client, invited):
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 400
    assert "This invitation link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"password": "password1234", "confirm": "password1234"}, "common"),
        ({"confirm": "amber-lantern-orchid"}, "The passwords differ."),
        ({"adult": None}, "You must be 18 or over to use SoulSeer."),
        ({"terms": None}, "Please accept the Terms to continue."),
        ({"reader_agreement": None}, "Please accept the Reader agreement to continue."),
        ({"password": "wren holloway", "confirm": "wren holloway"}, "too easy to guess"),
    ],
)
def test_bad_input_leaves_the_invitation_usable_and_the_account_unchanged(client, db, invited, changes, message):
    reader, raw = invited
    response = accept(client, raw, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert unclaimed(db, reader)
    assert db.session.execute(sa.select(AccountToken.used_at)).scalar_one() is None
    assert db.session.execute(sa.select(sa.func.count()).select_from(AgreementAcceptance)).scalar() == 0
    assert client.get("/reader").status_code == 302  # not signed in
    assert accept(client, raw).status_code == 302  # and the link still works


def test_accepting_while_signed_in_as_someone_else_switches_to_the_invited_account(
    client, db, invited, make_user, login
):
    reader, raw = invited
    login(client, make_user(role="client", adult_confirmed_at=clock.now(), terms_version=2))
    assert accept(client, raw).status_code == 302
    assert client.get("/reader").status_code == 200


def test_resending_retires_the_old_link(client, db, admin, invited):
    reader, first = invited
    invitations.resend_invitation(admin, reader.id)
    db.session.commit()
    second = token_from_outbox(db, "wren@example.test")
    assert second != first
    assert client.get(f"/invitations/{first}").status_code == 410
    assert client.get(f"/invitations/{second}").status_code == 200
    assert accept(client, second).status_code == 302


def test_a_suspended_invitee_cannot_use_the_link(client, db, admin, invited):
    from soulseer.services.accounts import admin_users

    reader, raw = invited
    admin_users.suspend(admin, reader.id)
    db.session.commit()
    response = client.get(f"/invitations/{raw}")
    assert response.status_code == 410
    assert "no longer valid" in response.get_data(as_text=True)


def test_an_invited_admin_accepts_without_the_reader_agreement_and_lands_on_admin(client, db, pages):
    from soulseer.services.accounts import admin_users

    user, raw = admin_users.create_admin("root@example.test", "Rhea Root")
    db.session.commit()
    html = client.get(f"/invitations/{raw}").get_data(as_text=True)
    assert "reader_agreement" not in html
    response = accept(client, raw, reader_agreement=None)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin")
    assert client.get("/admin").status_code == 200
    assert db.session.execute(sa.select(sa.func.count()).select_from(AgreementAcceptance)).scalar() == 0
    assert fresh(db, user).email_verified_at is not None


def test_an_account_set_up_another_way_meanwhile_treats_the_link_as_used(client, db, invited):
    reader, raw = invited
    user = fresh(db, reader)
    user.password_hash = passwords.hash_password("set-through-a-reset-link")
    db.session.commit()
    response = client.get(f"/invitations/{raw}")
    assert response.status_code == 410
    assert "already been used. Sign in instead." in response.get_data(as_text=True)
    assert passwords.verify_password(fresh(db, reader).password_hash, "set-through-a-reset-link")


def test_pending_means_never_claimed(db, invited, client):
    reader, raw = invited
    assert invitations.is_pending(fresh(db, reader))
    accept(client, raw)
    assert not invitations.is_pending(fresh(db, reader))
