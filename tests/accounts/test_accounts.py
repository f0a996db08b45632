"""Local accounts: sign-up, verification, sign-in with throttling, reset, changes, sessions, deletion."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.models import AccountToken, ContentPage, OutboundEmail, User
from soulseer.services.accounts import passwords
from tests.conftest import link_in
from tests.support.passwords import hashed

GOOD_PASSWORD = "violet-harbor-lantern"
SIGN_UP = {
    "display_name": "Mira",
    "email": "Mira@Example.test",
    "password": GOOD_PASSWORD,
    "adult": "y",
    "terms": "y",
}


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.reset()


@pytest.fixture
def terms_page(db):
    page = ContentPage(slug="terms", title="Terms", body_markdown="Be kind.", version=3)
    db.session.add(page)
    db.session.commit()
    return page


@pytest.fixture
def member(make_user, db, terms_page):
    """A signed-up client with a password and consent given."""
    user = make_user(
        email="member@example.test",
        password_hash=hashed(GOOD_PASSWORD),
        adult_confirmed_at=clock.now(),
        terms_version=3,
        terms_accepted_at=clock.now(),
        email_verified_at=clock.now(),
    )
    return user


def path_of(url):
    return urlsplit(url).path


def count(db, model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def sign_in(client, post_form, email="member@example.test", password=GOOD_PASSWORD):
    return post_form(client, "/sign-in", {"email": email, "password": password})


# Sign-up ------------------------------------------------------------------------------------


def test_sign_up_creates_a_client_with_consent_and_sends_verification(client, post_form, db, outbox, terms_page):
    response = post_form(client, "/sign-up", SIGN_UP)
    assert response.status_code == 302
    user = db.session.execute(sa.select(User)).scalar_one()
    assert user.email == "mira@example.test" and user.role == "client"
    assert user.password_hash.startswith("$argon2id$") and GOOD_PASSWORD not in user.password_hash
    assert user.adult_confirmed_at and user.terms_accepted_at and user.terms_version == 3
    assert user.email_verified_at is None
    [email] = outbox()
    assert email.to_address == "mira@example.test" and "Confirm your email" in email.subject
    assert "/verify-email/" in link_in(email)
    # Signed in straight away.
    assert "Mira" in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "MEMBER@example.TEST"}, "already exists"),
        ({"password": "short1"}, "at least 10 characters"),
        ({"password": "1234567890"}, "most common passwords"),
        ({"password": "aaaaaaaaaaaa"}, "too easy to guess"),
        ({"adult": ""}, "18 or over"),
        ({"terms": ""}, "accept the Terms"),
        ({"email": "not-an-email"}, "valid email"),
        ({"display_name": ""}, "name readers will see"),
    ],
)
def test_bad_sign_up_is_refused_and_leaves_no_trace(client, post_form, db, member, change, message):
    users, emails = count(db, User), count(db, OutboundEmail)
    response = post_form(client, "/sign-up", {**SIGN_UP, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, User) == users and count(db, OutboundEmail) == emails


def test_sign_up_without_csrf_token_is_refused(client, db, terms_page):
    response = client.post("/sign-up", data=SIGN_UP)
    assert response.status_code == 400
    assert count(db, User) == 0


# Email verification ---------------------------------------------------------------------------


def test_verification_link_works_once(client, post_form, db, outbox, terms_page):
    post_form(client, "/sign-up", SIGN_UP)
    link = path_of(link_in(outbox()[0]))
    response = client.get(link)
    assert response.status_code == 302
    assert db.session.execute(sa.select(User)).scalar_one().email_verified_at is not None
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_verification_link_expires(client, post_form, db, outbox, terms_page):
    post_form(client, "/sign-up", SIGN_UP)
    clock.advance(timedelta(days=4))
    response = client.get(path_of(link_in(outbox()[0])))
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(User)).scalar_one().email_verified_at is None


def test_unknown_verification_link(client):
    response = client.get("/verify-email/not-a-real-token")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


# Sign-in and throttling -----------------------------------------------------------------------


def test_sign_in_and_sign_out(client, post_form, member):
    response = sign_in(client, post_form)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "member@example.test" in client.get("/account").get_data(as_text=True)
    post_form(client, "/sign-out")
    assert client.get("/account").status_code == 302  # back to the sign-in page


def test_wrong_password_is_refused(client, post_form, member):
    response = sign_in(client, post_form, password="wrong-password-123")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_sixth_attempt_is_throttled_even_with_the_right_password(client, post_form, member):
    for _ in range(5):
        assert sign_in(client, post_form, password="wrong-password-123").status_code == 401
    response = sign_in(client, post_form)
    assert response.status_code == 429
    assert "Try again in 5 minutes" in response.get_data(as_text=True)
    assert 240 < int(response.headers["Retry-After"]) <= 300  # the refusal's retry_after, through views.refused
    assert client.get("/account").status_code == 302  # still signed out


def test_failures_from_one_address_are_throttled_across_accounts(client, post_form, member):
    for n in range(5):
        sign_in(client, post_form, email=f"nobody{n}@example.test", password="wrong-password-123")
    assert sign_in(client, post_form).status_code == 429


def test_next_url_stays_on_this_site(client, post_form, member):
    token_page = client.get("/sign-in").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    data = {"csrf_token": csrf_token_from(token_page), "email": member.email, "password": GOOD_PASSWORD}
    response = client.post("/sign-in?next=//evil.example/steal", data=data)
    assert response.headers["Location"] == "/"


def test_suspended_user_cannot_sign_in(client, post_form, member, db):
    member.status = "suspended"
    db.session.commit()
    response = sign_in(client, post_form)
    assert response.status_code == 401 and "suspended" in response.get_data(as_text=True)


def test_suspension_ends_open_sessions_at_once(client, post_form, member, db):
    sign_in(client, post_form)
    assert client.get("/account").status_code == 200
    member.status = "suspended"
    member.session_epoch += 1
    db.session.commit()
    assert client.get("/account").status_code == 302


# Password reset ----------------------------------------------------------------------------


def test_reset_password_once_within_an_hour(app, client, post_form, member, outbox, db):
    other_device = app.test_client()
    sign_in(other_device, post_form)
    response = post_form(client, "/reset-password", {"email": "MEMBER@example.test"})
    assert "Check your email" in response.get_data(as_text=True)
    link = path_of(link_in(outbox()[-1]))
    assert client.get(link).status_code == 200
    new_password = "copper-meadow-whistle"
    response = post_form(client, link, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    db.session.expire_all()
    assert passwords.verify_password(member.password_hash, new_password)
    assert other_device.get("/account").status_code == 302  # every other session ended
    reused = client.get(link)
    assert reused.status_code == 400 and "already been used" in reused.get_data(as_text=True)
    assert sign_in(client, post_form, password=new_password).status_code == 302


def test_reset_link_expires_after_an_hour(client, post_form, member, outbox, db):
    post_form(client, "/reset-password", {"email": member.email})
    link = path_of(link_in(outbox()[-1]))
    clock.advance(timedelta(minutes=61))
    response = post_form(client, link, {"password": "copper-meadow-whistle", "confirm": "copper-meadow-whistle"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert passwords.verify_password(member.password_hash, GOOD_PASSWORD)


def test_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, post_form, outbox):
    response = post_form(client, "/reset-password", {"email": "nobody@example.test"})
    assert "Check your email" in response.get_data(as_text=True)
    assert outbox() == []


def test_weak_new_password_keeps_the_link_usable(client, post_form, member, outbox, db):
    post_form(client, "/reset-password", {"email": member.email})
    link = path_of(link_in(outbox()[-1]))
    response = post_form(client, link, {"password": "password123", "confirm": "password123"})
    assert response.status_code == 422
    assert db.session.execute(sa.select(AccountToken.used_at)).scalar_one() is None


# Account page --------------------------------------------------------------------------------


def test_change_password_ends_other_sessions_but_not_this_one(app, client, post_form, member, db):
    sign_in(client, post_form)
    other_device = app.test_client()
    sign_in(other_device, post_form)
    new = "saffron-river-compass"
    bad = post_form(client, "/account/password", {"current_password": "nope-nope-nope", "new_password": new,
                                                  "confirm": new})  # fmt: skip
    assert bad.status_code == 422 and "current password is not right" in bad.get_data(as_text=True)
    ok = post_form(client, "/account/password", {"current_password": GOOD_PASSWORD, "new_password": new,
                                                 "confirm": new})  # fmt: skip
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_change_email_takes_effect_when_the_new_address_confirms(client, post_form, member, outbox, db, make_user):
    make_user(email="taken@example.test")
    sign_in(client, post_form)
    taken = post_form(client, "/account/email", {"new_email": "TAKEN@example.test", "password": GOOD_PASSWORD})
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)
    response = post_form(client, "/account/email", {"new_email": "New@Example.test", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    email = outbox()[-1]
    assert email.to_address == "new@example.test"
    db.session.expire_all()
    assert member.email == "member@example.test"  # not yet
    client.get(path_of(link_in(email)))
    db.session.expire_all()
    assert member.email == "new@example.test" and member.email_verified_at is not None


def test_log_out_everywhere(app, client, post_form, member):
    sign_in(client, post_form)
    other_device = app.test_client()
    sign_in(other_device, post_form)
    post_form(client, "/account/sessions/end-all")
    assert client.get("/account").status_code == 302
    assert other_device.get("/account").status_code == 302


def test_export_my_data(client, post_form, member):
    sign_in(client, post_form)
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_json()
    assert data["profile"]["email"] == "member@example.test"
    assert data["profile"]["terms_version"] == 3
    assert data["wallet"] == {"balance_cents": 0, "lines": [], "topups": []}
    assert data["agreements"] == [] and isinstance(data["emails"], list)


def test_export_includes_every_wallet_line(client, post_form, member, db):
    from soulseer.ledger import operations

    operations.credit_topup(member, 2500, "topup:x", ("topup", 1))
    operations.purchase(member, 300, None, 0, "gift:x", ("gift", 1), "Star")
    db.session.commit()
    sign_in(client, post_form)
    wallet = client.get("/account/export").get_json()["wallet"]
    assert wallet["balance_cents"] == 2200
    assert [(line["amount_cents"], line["balance_after_cents"]) for line in wallet["lines"]] == [
        (2500, 2500),
        (-300, 2200),
    ]


def test_delete_account_scrubs_and_frees_the_email(client, post_form, member, db, terms_page):
    sign_in(client, post_form)
    wrong = post_form(client, "/account/delete", {"password": "not-my-password", "confirm_text": "DELETE"})
    assert wrong.status_code == 422
    unconfirmed = post_form(client, "/account/delete", {"password": GOOD_PASSWORD, "confirm_text": "yes"})
    assert unconfirmed.status_code == 422
    db.session.expire_all()
    assert member.status == "active"
    response = post_form(client, "/account/delete", {"password": GOOD_PASSWORD, "confirm_text": "DELETE"})
    assert response.status_code == 302
    db.session.expire_all()
    assert member.status == "deleted" and member.display_name == "Deleted user"
    assert "member@" not in member.email and member.password_hash is None
    assert client.get("/account").status_code == 302
    again = post_form(client, "/sign-up", {**SIGN_UP, "email": "member@example.test"})
    assert again.status_code == 302


# Consent gate ------------------------------------------------------------------------------


def test_new_terms_version_asks_for_consent_again(client, post_form, member, db, terms_page):
    sign_in(client, post_form)
    terms_page.version = 4
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/welcome/consent")
    refused = post_form(client, "/welcome/consent", {"adult": "y"})
    assert refused.status_code == 422
    accepted = post_form(client, "/welcome/consent?next=/account", {"adult": "y", "terms": "y"})
    assert accepted.headers["Location"] == "/account"
    db.session.expire_all()
    assert member.terms_version == 4
    assert client.get("/account").status_code == 200


# Readers and the Reader agreement; accounts without a password -------------------------------


def test_a_reader_without_the_reader_agreement_is_asked_for_it(client, post_form, make_user, db, terms_page):
    from soulseer.models import AgreementAcceptance

    reader = make_user(
        role="reader",
        email="reader@example.test",
        password_hash=hashed(GOOD_PASSWORD),
        adult_confirmed_at=clock.now(),
        terms_version=3,
        terms_accepted_at=clock.now(),
    )
    sign_in(client, post_form, email="reader@example.test")
    response = client.get("/reader")
    assert response.status_code == 302 and response.headers["Location"].startswith("/welcome/consent")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "I accept the Reader agreement" in page
    refused = post_form(client, "/welcome/consent", {"adult": "y", "terms": "y"})
    assert refused.status_code == 422 and "accept the Reader agreement" in refused.get_data(as_text=True)
    assert db.session.query(AgreementAcceptance).count() == 0
    accepted = post_form(client, "/welcome/consent", {"adult": "y", "terms": "y", "reader_agreement": "y"})
    assert accepted.status_code == 302
    [acceptance] = db.session.query(AgreementAcceptance).all()
    assert acceptance.user_id == reader.id and acceptance.page_slug == "reader-agreement"
    assert client.get("/reader").status_code == 200


def test_clients_are_never_asked_for_the_reader_agreement(client, post_form, member):
    sign_in(client, post_form)
    assert client.get("/account").status_code == 200


def test_an_account_without_password_is_deleted_only_after_a_recent_sign_in(client, login, make_user, db, post_form):
    user = make_user(
        email="auth0-only@example.test",
        auth0_subject="auth0|123",
        adult_confirmed_at=clock.now(),
        terms_version=1,
        terms_accepted_at=clock.now(),
    )
    login(client, user)  # a session that never proved who it is just now
    stale = post_form(client, "/account/delete", {"confirm_text": "DELETE"})
    assert stale.status_code == 422 and "sign in again with Auth0" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert user.status == "active"
    with client.session_transaction() as session:
        session["signed_in_at"] = int(clock.now().timestamp())
    clock.advance(timedelta(minutes=11))
    assert post_form(client, "/account/delete", {"confirm_text": "DELETE"}).status_code == 422
    with client.session_transaction() as session:
        session["signed_in_at"] = int(clock.now().timestamp())
    assert post_form(client, "/account/delete", {"confirm_text": "DELETE"}).status_code == 302
    db.session.expire_all()
    assert user.status == "deleted"


def test_sign_up_and_reset_requests_are_limited_per_address_and_say_when(client, post_form, db, terms_page):
    for _ in range(10):
        assert post_form(client, "/sign-up", {**SIGN_UP, "password": "short"}).status_code == 422
    response = post_form(client, "/sign-up", SIGN_UP)
    assert response.status_code == 429
    assert "try again in" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert count(db, User) == 0
    for _ in range(5):
        post_form(client, "/reset-password", {"email": "someone@example.test"})
    limited = post_form(client, "/reset-password", {"email": "someone@example.test"})
    assert limited.status_code == 429 and "try again in" in limited.get_data(as_text=True)
