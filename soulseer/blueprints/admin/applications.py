"""Admin → Applications: the reader applications queue and decisions (docs/admin.md)."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from soulseer.blueprints.admin.forms import DecisionForm
from soulseer.blueprints.admin.registry import Badge, Figure, Section
from soulseer.extensions import db
from soulseer.models import ApplicationStatus, ReaderApplication
from soulseer.services import accounts
from soulseer.services.accounts import AccountError, applications
from soulseer.services.core import audit_log
from soulseer.views import page_number, refused

bp = Blueprint("applications", __name__)

_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text):
    """Escape an applicant's text and make its http(s) links clickable (never followed for ranking)."""
    parts, last = [], 0
    for match in _URL.finditer(text or ""):
        parts.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        parts.append(Markup(f'<a href="{url}" rel="noopener noreferrer nofollow" target="_blank">{url}</a>'))  # noqa: S704
        last = match.end()
    parts.append(escape((text or "")[last:]))
    return Markup("").join(parts)


@bp.get("/applications")
def index():
    status = request.args.get("status", ApplicationStatus.SUBMITTED.value)
    if status != "all" and status not in set(ApplicationStatus):
        status = ApplicationStatus.SUBMITTED.value
    results = applications.list_applications(None if status == "all" else status, page_number())
    return render_template(
        "admin/applications/index.html", results=results, status=status, counts=applications.count_by_status()
    )


def _application_page(application, status=200, form=None):
    existing = accounts.find_by_email(application.email)
    return (
        render_template(
            "admin/applications/application.html",
            application=application,
            form=form or DecisionForm(formdata=None),
            existing_account=existing if existing and existing.id != application.user_id else None,
            history=audit_log.for_target("ReaderApplication", application.id),
            linkify=linkify,
            is_open=application.status in applications.OPEN_STATUSES,
        ),
        status,
    )


@bp.get("/applications/<int:application_id>")
def application(application_id):
    return _application_page(db.get_or_404(ReaderApplication, application_id))


@bp.post("/applications/<int:application_id>/decision")
def decide_application(application_id):
    found = db.get_or_404(ReaderApplication, application_id)
    form = DecisionForm()
    if not form.validate():
        return _application_page(found, 422, form)
    try:
        decided = applications.decide(current_user, application_id, form.decision.data, form.note.data)
    except AccountError as error:  # 409: decided already, or the email has an account
        return refused(error, _application_page, form, application=found, form=form)
    db.session.commit()
    if decided.status == ApplicationStatus.APPROVED:
        flash(f"Approved. {decided.email} has a reader account and an invitation valid for 7 days.", "success")
    else:
        label = applications.STATUS_LABELS[decided.status].lower()
        flash(f"Application from {decided.legal_name}: {label}.", "success")
    return redirect(url_for(".index"))


section = Section(
    "applications",
    "Applications",
    bp,
    order=20,
    badge=Badge(applications.count_waiting, "waiting"),
    figures=(
        Figure.waiting(
            "applications_waiting",
            "application waiting",
            "applications waiting",
            applications.count_waiting,
            110,
            "admin.applications.index",
        ),
        Figure(
            "applications_kept",
            "kept on file",
            lambda start, end: applications.count_by_status()[ApplicationStatus.KEPT_ON_FILE],
            order=120,
            now=True,
            endpoint="admin.applications.index",
            endpoint_args={"status": ApplicationStatus.KEPT_ON_FILE.value},
        ),
    ),
)
