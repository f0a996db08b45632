"""Accounts: sign-up, consent, email verification, sign-in, password reset and change, email change,
sessions, and deletion. Functions raise AccountError with a field and a message for bad input;
they change nothing when they raise. Callers commit.
"""

from datetime import timedelta

import sqlalchemy as sa

from soulseer import clock
from soulseer.errors import DomainError
from soulseer.extensions import db
from soulseer.models import AgreementAcceptance, Role, TokenPurpose, User, UserStatus
from soulseer.services.accounts import passwords, suspensions, tokens
from soulseer.services.core import content, mail, throttle
from soulseer.services.core.data_export import export_section, iso

VERIFY_EMAIL_LIFETIME = timedelta(days=3)
RESET_LIFETIME = timedelta(hours=1)
INVITATION_LIFETIME = timedelta(days=7)
READER_AGREEMENT = "reader-agreement"


class AccountError(DomainError):
    """Bad input for an account action (also used by the admin's forms): the form is shown again."""

    status = 422


class ChangeRefused(AccountError):
    """A refused admin decision on a record that exists (already suspended, already decided, saved
    by someone else since, or its reason too long): the record's page is shown again with 409."""

    status = 409


def normalise_email(email):
    return (email or "").strip().lower()


def find_by_email(email):
    return db.session.execute(sa.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def _require_free_email(email, field="email"):
    if find_by_email(email) is not None:
        raise AccountError("An account with this email already exists. Sign in or reset your password.", field)


def _check_password(password, user_inputs, field="password"):
    problem = passwords.problem_with(password, user_inputs)
    if problem:
        raise AccountError(problem, field)


def current_terms_version():
    """The Terms' current version (views ask whether consent is needed once per request:
    soulseer.views.consent_needed)."""
    return content.page_version("terms")


def reader_agreement_version():
    return content.page_version(READER_AGREEMENT)


def needs_reader_agreement(user):
    """Readers must have accepted the current Reader agreement (an invitation or the consent step)."""
    if not user.is_reader:
        return False
    accepted = db.session.execute(
        sa.select(sa.func.max(AgreementAcceptance.version)).filter_by(user_id=user.id, page_slug=READER_AGREEMENT)
    ).scalar()
    return (accepted or 0) < reader_agreement_version()


def needs_consent(user):
    """True until the user has confirmed 18+ and accepted the current Terms (and, for readers, the
    current Reader agreement)."""
    return consent_missing(user, *db.session.execute(sa.select(*consent_clauses(user.id))).one())


def consent_clauses(user_id):
    """What `consent_missing` compares the user with, as SQL: the Terms' current version, the
    Reader agreement's, and the latest one this user accepted (the signed-in request reads them
    with the user: soulseer/signed_in.py)."""
    accepted = (
        sa.select(sa.func.max(AgreementAcceptance.version))
        .where(AgreementAcceptance.user_id == user_id, AgreementAcceptance.page_slug == READER_AGREEMENT)
        .scalar_subquery()
    )
    return content.page_version_clause("terms"), content.page_version_clause(READER_AGREEMENT), accepted


def consent_missing(user, terms_version, agreement_version, agreement_accepted):
    """The consent rule itself, given the figures of `consent_clauses`."""
    return (
        user.adult_confirmed_at is None
        or (user.terms_version or 0) < terms_version
        or (user.is_reader and (agreement_accepted or 0) < agreement_version)
    )


def record_consent(user, adult, terms, reader_agreement=None):
    """Record 18+ and the Terms; for readers who still need it, the Reader agreement too
    (`reader_agreement=None` means the caller records it itself, as the invitation page does)."""
    if not adult:
        raise AccountError("You must be 18 or over to use SoulSeer.", "adult")
    if not terms:
        raise AccountError("Please accept the Terms to continue.", "terms")
    agreement_due = reader_agreement is not None and needs_reader_agreement(user)
    if agreement_due and not reader_agreement:
        raise AccountError("Please accept the Reader agreement to continue.", "reader_agreement")
    now = clock.now()
    user.adult_confirmed_at = user.adult_confirmed_at or now
    user.terms_version = current_terms_version()
    user.terms_accepted_at = now
    if agreement_due:
        db.session.add(
            AgreementAcceptance(user_id=user.id, page_slug=READER_AGREEMENT, version=reader_agreement_version())
        )


def register(display_name, email, password, adult, terms):
    """A new client account with a password; sends the verification link."""
    email = normalise_email(email)
    _require_free_email(email)
    _check_password(password, [display_name, email])
    user = User(email=email, display_name=display_name.strip(), role=Role.CLIENT)
    record_consent(user, adult, terms)
    user.password_hash = passwords.hash_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:  # the same email registered at the same moment
        db.session.rollback()
        raise AccountError("An account with this email already exists.", "email") from error
    send_verification(user)
    return user


def send_verification(user, email=None):
    """Email a verification link to `email` (a new address being confirmed) or the user's own."""
    address = normalise_email(email or user.email)
    tokens.retire(user, TokenPurpose.VERIFY_EMAIL)
    raw = tokens.issue(user, TokenPurpose.VERIFY_EMAIL, address, VERIFY_EMAIL_LIFETIME)
    link = mail.external_url("auth.verify_email", token=raw)
    template = "verify_email" if address == user.email else "confirm_new_email"
    mail.send(address, template, user=user, link=link, email=address)


def verify_email(raw_token):
    """Confirm the address the link was sent to; an email change takes effect here."""
    try:
        token = tokens.redeem(raw_token, TokenPurpose.VERIFY_EMAIL)
    except tokens.TokenError as error:
        raise AccountError(_token_message(error.reason, "verification"), status=400) from error
    user = db.session.get(User, token.user_id)
    if token.email != user.email:
        if find_by_email(token.email) is not None:
            db.session.rollback()
            raise AccountError("Another account now uses that email address.", status=400)
        user.email = token.email
        user.session_epoch += 1  # a changed sign-in email ends other sessions
    user.email_verified_at = clock.now()
    return user


def _token_message(reason, kind):
    return {
        "expired": f"This {kind} link has expired. Ask for a new one.",
        "used": f"This {kind} link has already been used.",
    }.get(reason, f"This {kind} link is not valid. Check that you copied the whole link.")


def authenticate(email, password, ip):
    """The user for these credentials, or AccountError (throttled after 5 failures in 5 minutes)."""
    email = normalise_email(email)
    wait = throttle.sign_in_retry_after(email, ip)
    if wait:
        minutes = max(1, round(wait / 60))
        raise AccountError(
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            status=429,
            retry_after=wait,
        )
    user = find_by_email(email)
    if user is None or not passwords.verify_password(user.password_hash, password):
        throttle.record_sign_in_failure(email, ip)
        raise AccountError("That email and password do not match an account.", status=401)
    suspensions.end_if_over(user)  # its time has come: no need to wait for the tick
    if user.status == UserStatus.SUSPENDED:
        ends = suspensions.when_it_ends(user) or "Contact support if you think this is a mistake."
        raise AccountError(f"This account is suspended. {ends}", status=401)
    if user.status != UserStatus.ACTIVE:
        raise AccountError("That email and password do not match an account.", status=401)
    throttle.clear_account_failures(email)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = clock.now()
    return user


def request_password_reset(email):
    """Email a reset link if the account exists. The caller says the same thing either way."""
    user = find_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        return None
    tokens.retire(user, TokenPurpose.RESET_PASSWORD)
    raw = tokens.issue(user, TokenPurpose.RESET_PASSWORD, user.email, RESET_LIFETIME)
    mail.send(user.email, "reset_password", user=user, link=mail.external_url("auth.reset_password", token=raw))
    return user


def check_reset_token(raw_token, status=400):
    """The token of a usable reset link; the link's page answers 400, the form it opened 422."""
    try:
        return tokens.peek(raw_token, TokenPurpose.RESET_PASSWORD)
    except tokens.TokenError as error:
        raise AccountError(_token_message(error.reason, "password reset"), status=status) from error


def reset_password(raw_token, new_password):
    token = check_reset_token(raw_token, status=AccountError.status)
    user = db.session.get(User, token.user_id)
    _check_password(new_password, [user.display_name, user.email])
    try:
        tokens.redeem(raw_token, TokenPurpose.RESET_PASSWORD)
    except tokens.TokenError as error:
        raise AccountError(_token_message(error.reason, "password reset")) from error
    _set_password(user, new_password)
    user.email_verified_at = user.email_verified_at or clock.now()  # the link proved the address
    return user


def _set_password(user, new_password):
    user.password_hash = passwords.hash_password(new_password)
    user.session_epoch += 1  # every other session ends


def change_password(user, current_password, new_password):
    if user.password_hash and not passwords.verify_password(user.password_hash, current_password):
        raise AccountError("Your current password is not right.", "current_password")
    _check_password(new_password, [user.display_name, user.email], field="new_password")
    _set_password(user, new_password)


def request_email_change(user, new_email, password):
    new_email = normalise_email(new_email)
    if user.password_hash and not passwords.verify_password(user.password_hash, password):
        raise AccountError("Your password is not right.", "password")
    if new_email == user.email:
        raise AccountError("That is already your email address.", "new_email")
    _require_free_email(new_email, "new_email")
    send_verification(user, new_email)


def update_profile(user, display_name):
    user.display_name = display_name.strip()


def log_out_everywhere(user):
    user.session_epoch += 1


def confirm_identity(user, password, signed_in_recently=False):
    """For destructive actions: the password when the account has one; otherwise (Auth0 accounts)
    a sign-in within the last few minutes."""
    if user.password_hash:
        if not passwords.verify_password(user.password_hash, password):
            raise AccountError("Your password is not right.", "password")
    elif not signed_in_recently:
        raise AccountError("For your safety, sign in again with Auth0, then delete your account within 10 minutes.")


def delete_account(user, password=None, signed_in_recently=False):
    """Scrub personal data; keep the row (anonymised) for records others and the ledger need."""
    confirm_identity(user, password, signed_in_recently)
    now = clock.now()
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = "Deleted user"
    user.password_hash = None
    user.auth0_subject = None
    user.email_verified_at = None
    user.status = UserStatus.DELETED
    user.deleted_at = now
    user.session_epoch += 1
    db.session.execute(sa.delete(tokens.AccountToken).where(tokens.AccountToken.user_id == user.id))
    from soulseer.models.notification import Notification, OnlineNotificationRequest

    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(sa.delete(OnlineNotificationRequest).where(OnlineNotificationRequest.client_id == user.id))
    from soulseer.services.shop import orders

    orders.scrub_address(user)  # the orders stay (the ledger and sellers need them), anonymised
    from soulseer.services.bookings import feeds

    feeds.turn_off(user)  # the calendar address names the people they booked with
    return user


@export_section("emails")
def _emails(user):
    return [
        {"to": e.to_address, "subject": e.subject, "created_at": iso(e.created_at)}
        for e in db.session.execute(
            sa.select(mail.OutboundEmail).filter_by(to_address=user.email).order_by(mail.OutboundEmail.id)
        ).scalars()
    ]


@export_section("agreements")
def _agreements(user):
    return [
        {"agreement": a.page_slug, "version": a.version, "accepted_at": iso(a.accepted_at)}
        for a in db.session.execute(
            sa.select(AgreementAcceptance).filter_by(user_id=user.id).order_by(AgreementAcceptance.id)
        ).scalars()
    ]
