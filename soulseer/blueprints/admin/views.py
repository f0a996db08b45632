import json
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from soulseer.blueprints.admin import bp
from soulseer.blueprints.admin.forms import (
    ActionForm,
    DecisionForm,
    InviteReaderForm,
    PageForm,
    RestoreForm,
    RoleForm,
    SuspendForm,
)
from soulseer.extensions import db
from soulseer.models import ApplicationStatus, ReaderApplication, User
from soulseer.services import accounts, admin_users, audit_log, content, content_editing, invitations
from soulseer.services import readers_onboarding as onboarding
from soulseer.services.accounts import AccountError
from soulseer.views import form_error, page_number, render

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


def _refused(error):
    """Status for a refused action: 403 for the admin's own account, 409 when the state forbids it."""
    return 403 if isinstance(error, admin_users.OwnAccountRefused) else 409


@bp.context_processor
def admin_globals():
    return {
        "role_labels": admin_users.ROLE_LABELS,
        "user_status_labels": admin_users.STATUS_LABELS,
        "application_status_labels": onboarding.STATUS_LABELS,
        "mode_labels": dict(onboarding.MODES),
        "waiting_count": onboarding.count_waiting(),
        "pretty_json": lambda value: json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True),
    }


# Overview ----------------------------------------------------------------------------------


@bp.get("")
def index():
    return render_template(
        "admin/index.html",
        applications=onboarding.count_by_status(),
        roles=admin_users.count_by_role(),
        suspended=admin_users.count_suspended(),
    )


# Users -------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    query = request.args.get("q", "").strip()[:100]
    results = admin_users.search(query, page_number())
    return render("admin/users.html", "admin/_user_list.html", results=results, query=query)


def _user_page(user, status=200, error=None, **forms):
    context = {
        "suspend_form": SuspendForm(formdata=None),
        "restore_form": RestoreForm(formdata=None),
        "role_form": RoleForm(formdata=None, role=user.role),
        "action_form": ActionForm(formdata=None),
    }
    context.update(forms)
    return (
        render_template(
            "admin/user.html",
            user=user,
            own_account=user.id == current_user.id,
            invitation_pending=invitations.is_pending(user),
            application=onboarding.application_for(user),
            history=audit_log.for_target("User", user.id),
            error=error,
            **context,
        ),
        status,
    )


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
def user(user_id):
    return _user_page(_user_or_404(user_id))


def _user_action(user_id, form, form_name, action, success):
    """Validate the form, run the service action, commit; or show the page again with the reason."""
    target = _user_or_404(user_id)
    if not form.validate():
        return _user_page(target, 422, **{form_name: form})
    try:
        action(target)
    except AccountError as error:
        db.session.rollback()
        return _user_page(db.session.get(User, user_id), _refused(error), error=error.message, **{form_name: form})
    db.session.commit()
    flash(success(target), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/suspend")
def suspend_user(user_id):
    form = SuspendForm()
    return _user_action(
        user_id,
        form,
        "suspend_form",
        lambda target: admin_users.suspend(current_user, target.id, form.reason.data),
        lambda target: f"{target.display_name} is suspended and signed out everywhere.",
    )


@bp.post("/users/<int:user_id>/restore")
def restore_user(user_id):
    form = RestoreForm()
    return _user_action(
        user_id,
        form,
        "restore_form",
        lambda target: admin_users.restore(current_user, target.id, form.reason.data),
        lambda target: f"{target.display_name} can sign in again.",
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id):
    form = RoleForm()
    return _user_action(
        user_id,
        form,
        "role_form",
        lambda target: admin_users.change_role(current_user, target.id, form.role.data, form.reason.data),
        lambda target: f"{target.display_name} is now {admin_users.ROLE_LABELS[target.role].lower()}.",
    )


@bp.post("/users/<int:user_id>/invitation")
def resend_invitation(user_id):
    form = ActionForm()
    return _user_action(
        user_id,
        form,
        "action_form",
        lambda target: onboarding.resend_invitation(current_user, target.id),
        lambda target: f"A new invitation is on its way to {target.email}. The earlier link no longer works.",
    )


@bp.route("/invite-reader", methods=["GET", "POST"])
def invite_reader():
    form = InviteReaderForm()
    if form.validate_on_submit():
        try:
            reader = onboarding.invite_reader(current_user, form.email.data, form.display_name.data)
        except AccountError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(f"Invitation sent to {reader.email}. The link works once, for 7 days.", "success")
            return redirect(url_for("admin.user", user_id=reader.id))
    return render_template("admin/invite_reader.html", form=form), 422 if form.errors else 200


# Reader applications -----------------------------------------------------------------------


@bp.get("/applications")
def applications():
    status = request.args.get("status", ApplicationStatus.SUBMITTED.value)
    if status != "all" and status not in set(ApplicationStatus):
        status = ApplicationStatus.SUBMITTED.value
    results = onboarding.list_applications(None if status == "all" else status, page_number())
    return render_template(
        "admin/applications.html", results=results, status=status, counts=onboarding.count_by_status()
    )


def _application_page(application, status=200, form=None):
    existing = accounts.find_by_email(application.email)
    return (
        render_template(
            "admin/application.html",
            application=application,
            form=form or DecisionForm(formdata=None),
            existing_account=existing if existing and existing.id != application.user_id else None,
            history=audit_log.for_target("ReaderApplication", application.id),
            linkify=linkify,
            is_open=application.status in onboarding.OPEN_STATUSES,
        ),
        status,
    )


def _application_or_404(application_id):
    application = db.session.get(ReaderApplication, application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>")
def application(application_id):
    return _application_page(_application_or_404(application_id))


@bp.post("/applications/<int:application_id>/decision")
def decide_application(application_id):
    found = _application_or_404(application_id)
    form = DecisionForm()
    if not form.validate():
        return _application_page(found, 422, form)
    try:
        decided = onboarding.decide(current_user, application_id, form.decision.data, form.note.data)
    except AccountError as error:
        db.session.rollback()
        form_error(form, error)
        return _application_page(_application_or_404(application_id), 409, form)
    db.session.commit()
    if decided.status == ApplicationStatus.APPROVED:
        flash(f"Approved. {decided.email} has a reader account and an invitation valid for 7 days.", "success")
    else:
        flash(f"Application from {decided.legal_name}: {onboarding.STATUS_LABELS[decided.status].lower()}.", "success")
    return redirect(url_for("admin.applications"))


# Content pages -----------------------------------------------------------------------------


@bp.get("/pages")
def pages():
    return render_template("admin/pages.html", pages=content_editing.pages())


def _page_or_404(slug):
    page = content_editing.page_or_default(slug)
    if page is None:
        abort(404)
    return page


def _editor(page, form, status=200, preview=None):
    return render_template("admin/edit_page.html", page=page, form=form, preview=preview), status


@bp.route("/pages/<slug>", methods=["GET", "POST"])
def edit_page(slug):
    page = _page_or_404(slug)
    if request.method == "GET":
        form = PageForm(formdata=None, title=page.title, body_markdown=page.body_markdown, version=page.version)
        return _editor(page, form)
    form = PageForm()
    if not form.validate():
        return _editor(page, form, 422)
    try:
        saved = content_editing.save(current_user, slug, form.title.data, form.body_markdown.data, form.version.data)
    except AccountError as error:
        db.session.rollback()
        form_error(form, error)
        return _editor(_page_or_404(slug), form, 409, preview=content.render_markdown(form.body_markdown.data))
    db.session.commit()
    message = f"{saved.title} saved as version {saved.version}."
    if slug == "terms":
        message += " Everyone, you included, is asked to accept the new Terms at their next visit."
    flash(message, "success")
    return redirect(url_for("admin.edit_page", slug=slug))


@bp.post("/pages/<slug>/preview")
def preview_page(slug):
    """The sanitised rendering of the text being edited; nothing is saved."""
    page = _page_or_404(slug)
    form = PageForm()
    form.validate()
    preview = content.render_markdown(form.body_markdown.data or "")
    return render("admin/edit_page.html", "admin/_page_preview.html", page=page, form=form, preview=preview)


# Audit log ---------------------------------------------------------------------------------


@bp.get("/audit")
def audit():
    action = request.args.get("action", "").strip() or None
    results = audit_log.entries(page_number(), action)
    return render_template("admin/audit.html", results=results, action=action, actions=audit_log.actions())
