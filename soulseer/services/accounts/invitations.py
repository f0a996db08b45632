"""One-time invitations: an account made by SoulSeer (a reader an admin approved or invited, an
admin made with `flask create-admin --invite`) is claimed through an emailed link, valid 7 days.

The invited person sets a password, confirms 18+, accepts the Terms (and, for readers, the Reader
agreement), and is signed in. Until then the account has no password and an unverified email.
"""

import sqlalchemy as sa

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import Role, TokenPurpose, User, UserStatus
from soulseer.services import accounts
from soulseer.services.accounts import INVITATION_LIFETIME, AccountError, ChangeRefused, passwords, tokens
from soulseer.services.core import audit, mail

MESSAGES = {
    "expired": "This invitation has expired. Ask SoulSeer for a new one.",
    "used": "This invitation has already been used. Sign in instead.",
    "unknown": "This invitation link is not valid. Check that you opened the whole link from the email.",
    "inactive": "This invitation is no longer valid. Contact SoulSeer if you think this is a mistake.",
}
# Gone for links that once worked; a link we never issued is a bad request.
STATUS = {"expired": 410, "used": 410, "inactive": 410, "unknown": 400}


class InvitationProblem(DomainError):
    """The link cannot be used: `reason` (expired, used, unknown, inactive) gives the message and status."""

    def __init__(self, reason):
        super().__init__(MESSAGES[reason], status=STATUS[reason])
        self.reason = reason


def agreement_version():
    return accounts.reader_agreement_version()


def is_pending(user):
    """Made by SoulSeer and never claimed: no password, no Auth0 login, never signed in."""
    return (
        user.status == UserStatus.ACTIVE
        and user.role in (Role.READER, Role.ADMIN)
        and user.password_hash is None
        and user.auth0_subject is None
        and user.last_login_at is None
    )


def send(user):
    """Email a fresh invitation link to the user (older links stop working). Returns the raw token."""
    tokens.retire(user, TokenPurpose.INVITATION)
    raw = tokens.issue(user, TokenPurpose.INVITATION, user.email, INVITATION_LIFETIME)
    link = mail.external_url("invitations.accept", token=raw)
    template = "admin_invitation" if user.is_admin else "reader_invitation"
    mail.send(user.email, template, user=user, link=link, days=INVITATION_LIFETIME.days)
    return raw


def create_invited_user(email, display_name, role):
    """A new active account without password for `email`; AccountError if the email is taken."""
    email = accounts.normalise_email(email)
    if accounts.find_by_email(email) is not None:
        raise AccountError(f"{email} already has a SoulSeer account. No invitation was sent.", "email")
    user = User(email=email, display_name=display_name.strip()[:80], role=role, status=UserStatus.ACTIVE)
    try:
        with db.session.begin_nested():  # the same email claimed at the same moment
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise AccountError(f"{email} already has a SoulSeer account. No invitation was sent.", "email") from error
    return user


def invite_reader(admin, email, display_name):
    """Invite a reader without an application: the same account and email as an approval."""
    email = accounts.normalise_email(email)
    reader = create_invited_user(email, display_name, Role.READER)
    send(reader)
    audit.record(admin, "user.invited", reader, after={"email": reader.email, "role": reader.role})
    return reader


def resend_invitation(admin, user_id):
    """A new link for an invited account that has not been claimed yet; the old link stops working."""
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise ChangeRefused("That account does not exist.")
    if not is_pending(user):
        raise ChangeRefused("This account has already been set up, so there is no invitation to send again.")
    send(user)
    audit.record(admin, "invitation.resent", user, after={"email": user.email})
    return user


def check(raw_token):
    """The invited user for a link that can be used now, else InvitationProblem. Changes nothing."""
    try:
        token = tokens.peek(raw_token, TokenPurpose.INVITATION)
    except tokens.TokenError as error:
        raise InvitationProblem(error.reason) from error
    user = db.session.get(User, token.user_id)
    if user is None or user.status != UserStatus.ACTIVE:
        raise InvitationProblem("inactive")
    if user.password_hash is not None or user.auth0_subject is not None:
        raise InvitationProblem("used")  # set up another way meanwhile (password reset, Auth0)
    return user


def accept(raw_token, password, adult, terms, reader_agreement):
    """Claim the account: every rule is checked before the link is used, so bad input changes
    nothing. Raises AccountError (a field is wrong) or InvitationProblem (the link). Caller commits."""
    user = check(raw_token)
    problem = passwords.problem_with(password, [user.display_name, user.email])
    if problem:
        raise AccountError(problem, "password")
    if user.is_reader and not reader_agreement:
        raise AccountError("Please accept the Reader agreement to continue.", "reader_agreement")
    # Raises before changing anything when refused; records the Reader agreement for readers.
    accounts.record_consent(user, adult, terms, reader_agreement if user.is_reader else None)
    try:
        token = tokens.redeem(raw_token, TokenPurpose.INVITATION)
    except tokens.TokenError as error:  # used in another tab a moment ago
        raise InvitationProblem(error.reason) from error
    now = clock.now()
    user.password_hash = passwords.hash_password(password)
    if token.email == user.email:
        user.email_verified_at = user.email_verified_at or now  # the link proved the address
    user.last_login_at = now
    return user
