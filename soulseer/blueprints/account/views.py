import json

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from soulseer.blueprints.account import bp
from soulseer.blueprints.account.forms import (
    ConfirmWithPasswordForm,
    EmailChangeForm,
    PasswordChangeForm,
    ProfileForm,
    TimeZoneForm,
)
from soulseer.blueprints.auth.views import sign_in_user, signed_in_recently
from soulseer.extensions import db
from soulseer.models import Role
from soulseer.services import accounts
from soulseer.services.accounts import AccountError
from soulseer.services.bookings import zones
from soulseer.services.core import data_export
from soulseer.views import refused, role_required


def _page(status=200, **forms):
    context = {
        "profile_form": ProfileForm(obj=current_user, formdata=None),
        "password_form": PasswordChangeForm(formdata=None),
        "email_form": EmailChangeForm(formdata=None),
        "delete_form": ConfirmWithPasswordForm(formdata=None),
        "time_zone_form": TimeZoneForm(obj=current_user, formdata=None),
    }
    context.update(forms)
    return render_template("account/index.html", **context), status


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/profile")
@login_required
def update_profile():
    form = ProfileForm()
    if not form.validate():
        return _page(422, profile_form=form)
    accounts.update_profile(current_user, form.display_name.data)
    db.session.commit()
    flash("Your profile is saved.", "success")
    return redirect(url_for("account.index"))


@bp.post("/time-zone")
@role_required(Role.CLIENT)
def change_time_zone():
    """The client's own zone, which booking pages show times in (docs/bookings.md)."""
    form = TimeZoneForm()
    if not form.validate():
        return _page(422, time_zone_form=form)
    try:
        zones.keep_for(current_user, form.time_zone.data)
    except zones.ZoneError as error:
        return refused(error, _page, form, time_zone_form=form)
    db.session.commit()
    flash(f"Your time zone is saved: {current_user.time_zone}.", "success")
    return redirect(url_for("account.index"), 303)


@bp.post("/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate():
        try:
            accounts.change_password(current_user, form.current_password.data or "", form.new_password.data)
        except AccountError as error:
            return refused(error, _page, form, password_form=form)
        db.session.commit()
        sign_in_user(current_user)  # stay signed in here; every other session has ended
        flash("Your password is changed. You were signed out everywhere else.", "success")
        return redirect(url_for("account.index"))
    return _page(422, password_form=form)


@bp.post("/email")
@login_required
def change_email():
    form = EmailChangeForm()
    if form.validate():
        try:
            accounts.request_email_change(current_user, form.new_email.data, form.password.data or "")
        except AccountError as error:
            return refused(error, _page, form, email_form=form)
        db.session.commit()
        flash(f"We sent a link to {form.new_email.data.strip().lower()}. Your email changes when you open it.",
              "success")  # fmt: skip
        return redirect(url_for("account.index"))
    return _page(422, email_form=form)


@bp.post("/verification")
@login_required
def resend_verification():
    if not current_user.email_verified:
        accounts.send_verification(current_user)
        db.session.commit()
        flash(f"We sent a new link to {current_user.email}.", "success")
    return redirect(url_for("account.index"))


@bp.post("/sessions/end-all")
@login_required
def log_out_everywhere():
    accounts.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device, including this one.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/export")
@login_required
def export():
    data = data_export.export_data(current_user)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="soulseer-export-{current_user.id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/delete")
@login_required
def delete():
    form = ConfirmWithPasswordForm()
    if form.validate():
        if (form.confirm_text.data or "").strip() != "DELETE":
            form.confirm_text.errors = ["Type DELETE to confirm."]
        else:
            try:
                accounts.delete_account(current_user, form.password.data or "", signed_in_recently())
            except AccountError as error:
                return refused(error, _page, form, delete_form=form)
            db.session.commit()
            logout_user()
            flash("Your account is deleted. We are sorry to see you go.", "success")
            return redirect(url_for("main.home"))
    return _page(422, delete_form=form)
