"""`flask create-admin EMAIL`: the only way an admin account comes to exist (PRODUCT.md, roles)."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from soulseer.extensions import db
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, admin_users, passwords
from soulseer.services.core import mail

PASSWORD_ATTEMPTS = 3


@click.command("create-admin")
@click.argument("email")
@click.option("--name", "display_name", help="Display name (asked for when missing).")
@click.option("--invite", is_flag=True, help="Email an invitation link instead of asking for a password.")
@with_appcontext
def create_admin_command(email, display_name, invite):
    """Create an admin account for EMAIL: with a password typed here (hidden, twice), or with
    --invite through a one-time link emailed to EMAIL, valid 7 days."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        _fail(f"{email} is not a valid email address: {error}")
    if accounts.find_by_email(email) is not None:
        _fail(f"{email} already has a SoulSeer account. Nothing was created.")
    display_name = (display_name or click.prompt("Display name", default=email.split("@")[0])).strip()
    password = None if invite else _ask_password([display_name, email])
    try:
        user, raw = admin_users.create_admin(email, display_name, password)
    except AccountError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    if raw is None:
        click.echo(f"Admin {user.email} created. Sign in at {mail.external_url('auth.sign_in')}")
    else:
        click.echo(f"Admin {user.email} created. An invitation, valid 7 days, is on its way to them.")
        click.echo(f"Their link (works once): {mail.external_url('invitations.accept', token=raw)}")


def _fail(message):
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _ask_password(user_inputs):
    """A password typed twice, hidden, that passes the password rules; three tries."""
    for _ in range(PASSWORD_ATTEMPTS):
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
        problem = passwords.problem_with(password, user_inputs)
        if problem is None:
            return password
        click.echo(f"That password cannot be used: {problem}", err=True)
    _fail("No acceptable password was given. Nothing was created.")
