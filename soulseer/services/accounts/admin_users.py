"""What admins do to accounts: find them, suspend and restore them, change their role, make admins.

An admin can never suspend, demote or change their own account (PRODUCT.md, roles), so there is
always at least one admin. Every change is audit-logged in the same transaction. Functions raise
ChangeRefused (409; OwnAccountRefused 403) for refused actions and change nothing when they raise;
callers commit.
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Role, User, UserStatus
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, ChangeRefused, invitations, passwords
from soulseer.services.core import audit

ROLE_LABELS = {Role.CLIENT: "Client", Role.READER: "Reader", Role.ADMIN: "Admin"}
STATUS_LABELS = {UserStatus.ACTIVE: "Active", UserStatus.SUSPENDED: "Suspended", UserStatus.DELETED: "Deleted"}
REASON_MAX = 500
OWN_ACCOUNT = "This is your own account. Admins cannot suspend, demote or change their own account; ask another admin."


class OwnAccountRefused(ChangeRefused):
    """An admin tried to suspend, demote or otherwise change their own account."""

    status = 403


def search(query, page, per_page=20):
    """Users whose email or display name contains `query` (any case), newest first, paginated."""
    select = sa.select(User)
    query = (query or "").strip()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        select = select.where(
            sa.or_(User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"))
        )
    select = select.order_by(User.created_at.desc(), User.id.desc())
    return db.paginate(select, page=page, per_page=per_page, error_out=False)


def between_parties(model, who=""):
    """SELECT `model` rows (anything between a client and a reader: readings, bookings), narrowed to
    those whose client or reader has `who` in their email or display name, any case. The admin's
    search of readings and of bookings."""
    client, reader = aliased(User), aliased(User)
    statement = sa.select(model).join(client, client.id == model.client_id).join(reader, reader.id == model.reader_id)
    if who.strip():
        like = f"%{who.strip().lower()}%"
        statement = statement.where(
            sa.or_(
                client.email.ilike(like), client.display_name.ilike(like),
                reader.email.ilike(like), reader.display_name.ilike(like),
            )
        )  # fmt: skip
    return statement


def count_by_role():
    """Active and suspended accounts per role (deleted accounts are anonymised rows, not people)."""
    rows = db.session.execute(
        sa.select(User.role, sa.func.count()).where(User.status != UserStatus.DELETED).group_by(User.role)
    )
    counts = {role.value: 0 for role in Role}
    counts.update(dict(rows.all()))
    return counts


def count_suspended():
    return db.session.execute(sa.select(sa.func.count()).where(User.status == UserStatus.SUSPENDED)).scalar()


def _target(admin, user_id):
    """The user to act on, locked; refuses the admin's own account and unknown or deleted ones."""
    if user_id == admin.id:
        raise OwnAccountRefused(OWN_ACCOUNT)
    user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise ChangeRefused("That account does not exist.")
    if user.status == UserStatus.DELETED:
        raise ChangeRefused("This account was deleted by its owner; there is nothing to change.")
    return user


def _reason(reason):
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        raise ChangeRefused(f"Keep the reason under {REASON_MAX} characters.", "reason")
    return reason


def suspend(admin, user_id, reason=None, until=None):
    """The user cannot sign in, and every session they have ends at once (the epoch moves); until
    `until` when given (the suspension then ends by itself: suspensions.py), else until restored."""
    reason = _reason(reason)
    user = _target(admin, user_id)
    if user.status == UserStatus.SUSPENDED:
        raise ChangeRefused("This account is already suspended.")
    before = {"status": user.status, "session_epoch": user.session_epoch}
    user.status, user.suspended_until = UserStatus.SUSPENDED, until
    user.session_epoch += 1
    after = {"status": user.status, "session_epoch": user.session_epoch}
    if until is not None:
        after["until"] = until.isoformat()
    audit.record(admin, "user.suspended", user, before, after, reason)
    return user


def restore(admin, user_id, reason=None):
    reason = _reason(reason)
    user = _target(admin, user_id)
    if user.status != UserStatus.SUSPENDED:
        raise ChangeRefused("This account is not suspended.")
    user.status, user.suspended_until = UserStatus.ACTIVE, None
    audit.record(admin, "user.restored", user, {"status": UserStatus.SUSPENDED.value}, {"status": user.status}, reason)
    return user


def change_role(admin, user_id, role, reason=None):
    reason = _reason(reason)
    if role not in set(Role):
        raise ChangeRefused("Choose client, reader or admin.", "role")
    user = _target(admin, user_id)
    if user.role == role:
        raise ChangeRefused(f"This account is already {ROLE_LABELS[Role(role)].lower()}.", "role")
    before = {"role": user.role}
    user.role = Role(role).value
    audit.record(admin, "user.role_changed", user, before, {"role": user.role}, reason)
    return user


def create_admin(email, display_name, password=None):
    """For `flask create-admin`: an active admin with a password (email verified), or, without a
    password, an invited admin who receives a link. Returns (user, raw invitation token or None)."""
    email = accounts.normalise_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise AccountError("Enter a display name.", "display_name")
    if accounts.find_by_email(email) is not None:
        raise AccountError(f"{email} already has a SoulSeer account. Nothing was created.", "email")
    if password is None:
        user = invitations.create_invited_user(email, display_name, Role.ADMIN)
        raw = invitations.send(user)
    else:
        problem = passwords.problem_with(password, [display_name, email])
        if problem:
            raise AccountError(problem, "password")
        user = invitations.create_invited_user(email, display_name, Role.ADMIN)
        user.password_hash = passwords.hash_password(password)
        user.email_verified_at = clock.now()  # the operator at the server vouches for it
        raw = None
    audit.record(
        None, "admin.created", user, after={"email": user.email, "role": user.role, "invited": raw is not None}
    )
    return user, raw
