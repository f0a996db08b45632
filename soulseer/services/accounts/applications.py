"""Reader applications: how a reader comes to SoulSeer through the public form (/become-a-reader)
and an admin's decision.

Readers never self-register (PRODUCT.md, roles). An admin approves an application, which creates
the reader account and emails a one-time invitation (services/accounts/invitations.py, which also invites
a reader directly, without an application). Every admin
decision is written to the audit log in the same transaction. Functions raise AccountError for bad
input and change nothing when they raise; callers commit (and roll back on an error).
"""

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import ApplicationStatus, ReaderApplication, Role, Specialty
from soulseer.models.reading import MODES
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, ChangeRefused, invitations
from soulseer.services.core import audit

MIN_SPECIALTIES, MAX_SPECIALTIES = 1, 10
MIN_YEARS, MAX_YEARS = 0, 80
BIO_MIN, BIO_MAX = 50, 2000
WHY_MAX, LINKS_MAX, NOTE_MAX = 2000, 1000, 2000

# The decisions an admin can take, and the states an application can be decided from.
DECISIONS = {
    "approve": ApplicationStatus.APPROVED,
    "reject": ApplicationStatus.REJECTED,
    "keep_on_file": ApplicationStatus.KEPT_ON_FILE,
}
OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.KEPT_ON_FILE)
STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: "Waiting for review",
    ApplicationStatus.APPROVED: "Approved",
    ApplicationStatus.REJECTED: "Rejected",
    ApplicationStatus.KEPT_ON_FILE: "Kept on file",
}


def specialty_names():
    """The specialties list the admin keeps, in its order."""
    return list(db.session.execute(sa.select(Specialty.name).order_by(Specialty.position, Specialty.id)).scalars())


def submit_application(
    *, legal_name, email, phone, years_of_practice, specialties, modes, bio, why_soulseer, links, agreement
):
    """Store a new application (status submitted) with the Reader agreement version accepted."""
    email = accounts.normalise_email(email)
    if not agreement:
        raise AccountError("Please accept the Reader agreement to apply.", "agreement")
    known = set(specialty_names())
    chosen = [name for name in dict.fromkeys(specialties or [])]
    if any(name not in known for name in chosen):
        raise AccountError("Choose specialties from the list.", "specialties")
    if not MIN_SPECIALTIES <= len(chosen) <= MAX_SPECIALTIES:
        raise AccountError(f"Choose between {MIN_SPECIALTIES} and {MAX_SPECIALTIES} specialties.", "specialties")
    offered = [code for code, _ in MODES if code in (modes or [])]
    if not offered or len(offered) != len(set(modes)):
        raise AccountError("Choose at least one of chat, voice or video.", "modes")
    if not MIN_YEARS <= int(years_of_practice) <= MAX_YEARS:
        raise AccountError(f"Enter a number from {MIN_YEARS} to {MAX_YEARS}.", "years_of_practice")
    bio = (bio or "").strip()
    if not BIO_MIN <= len(bio) <= BIO_MAX:
        raise AccountError(f"Write between {BIO_MIN} and {BIO_MAX} characters.", "bio")
    waiting = db.session.execute(
        sa.select(ReaderApplication.id).filter_by(email=email, status=ApplicationStatus.SUBMITTED).limit(1)
    ).scalar_one_or_none()
    if waiting is not None:
        raise AccountError("We already have an application from this email waiting for review.", "email")
    application = ReaderApplication(
        legal_name=legal_name.strip(),
        email=email,
        phone=phone.strip(),
        years_of_practice=int(years_of_practice),
        specialties=chosen,
        modes=offered,
        bio=bio,
        why_soulseer=(why_soulseer or "").strip(),
        links=(links or "").strip(),
        agreement_version=invitations.agreement_version(),
        status=ApplicationStatus.SUBMITTED,
    )
    db.session.add(application)
    db.session.flush()
    return application


def _snapshot(application):
    return {
        "status": application.status,
        "admin_note": application.admin_note,
        "user_id": application.user_id,
    }


def decide(admin, application_id, decision, note=None):
    """Approve, reject or keep on file an open application, with an optional note.

    Approval creates the reader account (no password, email unverified) and emails the invitation;
    it is refused when the application's email already has an account."""
    status = DECISIONS.get(decision)
    if status is None:
        raise ChangeRefused("Choose approve, reject or keep on file.", "decision")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ChangeRefused(f"Keep the note under {NOTE_MAX} characters.", "note")
    # Locked so two admins deciding at once cannot both act on it.
    application = db.session.get(ReaderApplication, application_id, with_for_update=True, populate_existing=True)
    if application is None:
        raise ChangeRefused("That application does not exist.")
    if application.status not in OPEN_STATUSES:
        raise ChangeRefused(f"This application was already decided: {STATUS_LABELS[application.status].lower()}.")
    before = _snapshot(application)
    reader = None
    if status == ApplicationStatus.APPROVED:
        if accounts.find_by_email(application.email) is not None:
            raise ChangeRefused(
                f"{application.email} already has a SoulSeer account, so approval cannot create a reader "
                "account for it. Ask the applicant for another email, or change that account's role "
                "from the Users page.",
                "decision",
            )
        reader = invitations.create_invited_user(application.email, application.legal_name, Role.READER)
        application.user_id = reader.id
    application.status = status
    application.admin_note = note
    application.decided_by_id = admin.id
    application.decided_at = clock.now()
    audit.record(admin, f"application.{status.value}", application, before=before, after=_snapshot(application))
    if reader is not None:
        invitations.send(reader)
        audit.record(
            admin,
            "user.invited",
            reader,
            after={"email": reader.email, "role": reader.role, "application_id": application.id},
        )
    return application


def application_for(user):
    """The approved application that created this reader's account, if any."""
    return db.session.execute(
        sa.select(ReaderApplication).filter_by(user_id=user.id).order_by(ReaderApplication.id.desc()).limit(1)
    ).scalar_one_or_none()


def count_by_status():
    rows = db.session.execute(sa.select(ReaderApplication.status, sa.func.count()).group_by(ReaderApplication.status))
    counts = {status.value: 0 for status in ApplicationStatus}
    counts.update(dict(rows.all()))
    return counts


def count_waiting():
    return db.session.execute(
        sa.select(sa.func.count()).where(ReaderApplication.status == ApplicationStatus.SUBMITTED)
    ).scalar()


def list_applications(status, page, per_page=20):
    query = sa.select(ReaderApplication)
    if status:
        query = query.filter_by(status=status)
    # The queue waits oldest first; decided applications show the latest first.
    if status in (ApplicationStatus.SUBMITTED, ApplicationStatus.KEPT_ON_FILE):
        query = query.order_by(ReaderApplication.created_at, ReaderApplication.id)
    else:
        query = query.order_by(ReaderApplication.created_at.desc(), ReaderApplication.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
