"""`flask create-admin EMAIL`: with a password typed at the prompt, or with an emailed invitation."""

import re

import pytest
import sqlalchemy as sa

from soulseer.models import AccountToken, AuditEntry, OutboundEmail, User
from soulseer.services.accounts import passwords

PASSWORD = "quiet-harbor-compass"


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def users(db):
    db.session.expire_all()
    return db.session.execute(sa.select(User)).scalars().all()


def test_an_admin_with_a_password(cli, db):
    result = cli.invoke(args=["create-admin", "Root@Example.test"], input=f"Rhea Root\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Admin root@example.test created" in result.output
    assert PASSWORD not in result.output  # hidden input is never echoed
    [user] = users(db)
    assert (user.email, user.display_name, user.role, user.status) == (
        "root@example.test",
        "Rhea Root",
        "admin",
        "active",
    )
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert user.email_verified_at is not None
    [entry] = db.session.execute(sa.select(AuditEntry)).scalars().all()
    assert (entry.actor_id, entry.action, entry.target_id) == (None, "admin.created", user.id)
    assert entry.after == {"email": "root@example.test", "role": "admin", "invited": False}


def test_the_name_can_be_given_as_an_option(cli, db):
    result = cli.invoke(args=["create-admin", "root@example.test", "--name", "Rhea"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert users(db)[0].display_name == "Rhea"


def test_a_weak_password_is_asked_again(cli, db):
    result = cli.invoke(
        args=["create-admin", "root@example.test", "--name", "Rhea"],
        input=f"password123\npassword123\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "That password cannot be used" in result.output
    assert passwords.verify_password(users(db)[0].password_hash, PASSWORD)


def test_three_bad_passwords_create_nothing(cli, db):
    result = cli.invoke(args=["create-admin", "root@example.test", "--name", "Rhea"], input="short\nshort\n" * 3)
    assert result.exit_code == 1
    assert "No acceptable password was given. Nothing was created." in result.output
    assert users(db) == []


def test_mismatched_passwords_are_asked_again(cli, db):
    result = cli.invoke(
        args=["create-admin", "root@example.test", "--name", "Rhea"],
        input=f"{PASSWORD}\nsomething-else-entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert len(users(db)) == 1


def test_an_email_with_an_account_is_refused(cli, db, make_user):
    make_user(role="client", email="root@example.test")
    result = cli.invoke(args=["create-admin", "ROOT@example.test"], input=f"Rhea\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 1
    assert "root@example.test already has a SoulSeer account. Nothing was created." in result.output
    [user] = users(db)
    assert user.role == "client"
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_a_bad_email_is_refused(cli, db):
    result = cli.invoke(args=["create-admin", "not-an-email"], input="Rhea\n")
    assert result.exit_code == 1
    assert "is not a valid email address" in result.output
    assert users(db) == []


def test_an_invited_admin_gets_a_link_and_no_password(cli, db):
    result = cli.invoke(args=["create-admin", "root@example.test", "--invite", "--name", "Rhea Root"])
    assert result.exit_code == 0, result.output
    [user] = users(db)
    assert (user.role, user.password_hash, user.email_verified_at) == ("admin", None, None)
    [email] = db.session.execute(sa.select(OutboundEmail)).scalars().all()
    assert email.to_address == "root@example.test" and email.subject == "Your SoulSeer admin account"
    link = re.search(r"https?://\S+/invitations/\S+", email.body_text).group(0)
    assert link in result.output  # the operator can hand it over if mail is not set up yet
    token = db.session.execute(sa.select(AccountToken)).scalar_one()
    assert token.purpose == "invitation" and token.user_id == user.id
    [entry] = db.session.execute(sa.select(AuditEntry)).scalars().all()
    assert entry.after["invited"] is True
