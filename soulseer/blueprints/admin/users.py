"""Admin → Users: find people, suspend or restore them, change their role, invite a reader."""

from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.forms import ActionForm, InviteReaderForm, RestoreForm, RoleForm, SuspendForm
from soulseer.blueprints.admin.registry import Figure, Section
from soulseer.extensions import db
from soulseer.models import User
from soulseer.services.accounts import AccountError, admin_users, applications, invitations
from soulseer.services.core import audit_log
from soulseer.views import page_number, refused, render

bp = Blueprint("users", __name__)


@bp.get("/users")
def index():
    query = request.args.get("q", "").strip()[:100]
    results = admin_users.search(query, page_number())
    return render("admin/users/index.html", "admin/users/_list.html", results=results, query=query)


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
            "admin/users/user.html",
            user=user,
            own_account=user.id == current_user.id,
            invitation_pending=invitations.is_pending(user),
            application=applications.application_for(user),
            history=audit_log.for_target("User", user.id),
            error=error,
            **context,
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
def user(user_id):
    return _user_page(db.get_or_404(User, user_id))


class UserAction(NamedTuple):
    """A decision on a person from their admin page: its form (and the name the page gives it), the
    change through the accounts service, and what the admin is told once it is done."""

    endpoint: str
    form: type
    form_name: str
    change: Callable  # change(admin, form, target)
    done: Callable  # done(target) -> the flash


USER_ACTIONS = {
    "suspend": UserAction(
        "suspend_user", SuspendForm, "suspend_form",
        lambda admin, form, target: admin_users.suspend(admin, target.id, form.reason.data),
        lambda target: f"{target.display_name} is suspended and signed out everywhere.",
    ),
    "restore": UserAction(
        "restore_user", RestoreForm, "restore_form",
        lambda admin, form, target: admin_users.restore(admin, target.id, form.reason.data),
        lambda target: f"{target.display_name} can sign in again.",
    ),
    "role": UserAction(
        "change_role", RoleForm, "role_form",
        lambda admin, form, target: admin_users.change_role(admin, target.id, form.role.data, form.reason.data),
        lambda target: f"{target.display_name} is now {admin_users.ROLE_LABELS[target.role].lower()}.",
    ),
    "invitation": UserAction(
        "resend_invitation", ActionForm, "action_form",
        lambda admin, form, target: invitations.resend_invitation(admin, target.id),
        lambda target: f"A new invitation is on its way to {target.email}. The earlier link no longer works.",
    ),
}  # fmt: skip


def _user_action(action, user_id):
    """Validate the form, run the service's change, commit; or show the page again with the reason."""
    target = db.get_or_404(User, user_id)
    form = action.form()
    if not form.validate():
        return _user_page(target, 422, **{action.form_name: form})
    try:
        action.change(current_user, form, target)
    except AccountError as error:  # 409 when the state forbids it, 403 for the admin's own account
        return refused(error, _user_page, user=target, error=error.message, **{action.form_name: form})
    db.session.commit()
    flash(action.done(target), "success")
    return redirect(url_for(".user", user_id=user_id))


def _action_view(action):
    def view(user_id):
        return _user_action(action, user_id)

    view.__name__ = action.endpoint  # Flask-WTF names views by module and name
    return view


for _path, _action in USER_ACTIONS.items():  # POST /users/<id>/suspend, .../restore, .../role, .../invitation
    bp.add_url_rule(f"/users/<int:user_id>/{_path}", _action.endpoint, _action_view(_action), methods=["POST"])


@bp.route("/invite-reader", methods=["GET", "POST"])
def invite_reader():
    form = InviteReaderForm()
    if form.validate_on_submit():
        try:
            reader = invitations.invite_reader(current_user, form.email.data, form.display_name.data)
        except AccountError as error:
            return refused(error, "admin/users/invite_reader.html", form, form=form)
        db.session.commit()
        flash(f"Invitation sent to {reader.email}. The link works once, for 7 days.", "success")
        return redirect(url_for(".user", user_id=reader.id))
    return render_template("admin/users/invite_reader.html", form=form), 422 if form.errors else 200


def _people(role):
    return lambda start, end: admin_users.count_by_role()[role]


section = Section(
    "users",
    "Users",
    bp,
    order=30,
    links=(("index", "Users"), ("invite_reader", "Invite a reader")),
    figures=(
        Figure("clients", "client", _people("client"), order=210, plural="clients", now=True),
        Figure("readers", "reader", _people("reader"), order=220, plural="readers", now=True),
        Figure("admins", "admin", _people("admin"), order=230, plural="admins", now=True),
        Figure("suspended", "suspended", lambda start, end: admin_users.count_suspended(), order=240, now=True),
    ),
)
