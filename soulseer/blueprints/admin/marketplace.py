"""Admin → Readers: readers' profiles (edit, hide) and the specialties list. Every change is audit-logged."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from soulseer.blueprints.admin.registry import Section
from soulseer.blueprints.reader.forms import ProfileForm
from soulseer.blueprints.reader.views import profile_form
from soulseer.extensions import db
from soulseer.models import ReaderProfile, Specialty, User
from soulseer.services.accounts import AccountError
from soulseer.services.marketplace import profiles, specialties
from soulseer.services.moderation import visibility
from soulseer.views import page_number, refused

bp = Blueprint("marketplace", __name__)


class SpecialtyForm(FlaskForm):
    name = StringField("Name", validators=[Length(max=specialties.SPECIALTY_NAME_MAX)])


class AdminProfileForm(ProfileForm):
    share_override = StringField(
        "Reader's share (%)",
        validators=[Optional()],
        description="Leave empty for the global share. From 50 to 100, for example 75 or 72.5.",
    )
    reason = TextAreaField(
        "Reason (optional)", validators=[Optional(), Length(max=500)], description="Kept in the audit log."
    )


class ReasonForm(FlaskForm):
    # The moderation service checks it (5–500 characters), as for every kind of content.
    reason = TextAreaField("Reason", description="Kept with the profile and in the audit log (5–500 characters).")


def parse_share(text):
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    whole, _, part = text.partition(".")
    if not whole.isdigit() or (part and (not part.isdigit() or len(part) > 2)):
        raise AccountError("Enter a percentage like 75 or 72.5, or leave it empty.", "share_override")
    basis_points = int(whole) * 100 + int(part.ljust(2, "0") or 0)
    if not 5000 <= basis_points <= 10000:
        raise AccountError("Readers keep the majority: enter 50 to 100.", "share_override")
    return basis_points


# Specialties -------------------------------------------------------------------------------


def _specialties_page(status=200, form=None, error=None, error_id=None):
    return (
        render_template(
            "admin/marketplace/specialties.html",
            specialties=specialties.specialties_in_order(),
            usage=specialties.specialty_usage(),
            form=form or SpecialtyForm(formdata=None),
            error=error,
            error_id=error_id,
        ),
        status,
    )


@bp.get("/specialties", endpoint="specialties")
def specialties_page():
    return _specialties_page()


@bp.post("/specialties")
def add_specialty():
    form = SpecialtyForm()
    if not form.validate():
        return _specialties_page(422, form)
    try:
        specialty = specialties.add_specialty(current_user, form.name.data)
    except AccountError as error:
        return refused(error, _specialties_page, form, form=form)
    db.session.commit()
    flash(f"{specialty.name} is on the list.", "success")
    return redirect(url_for(".specialties"))


@bp.post("/specialties/<int:specialty_id>")
def change_specialty(specialty_id):
    """One form per specialty: rename, move up or down, or remove (the button pressed says which)."""
    specialty = db.get_or_404(Specialty, specialty_id)
    form = SpecialtyForm()
    if not form.validate():
        return _specialties_page(422, error="Keep the name to 60 characters.", error_id=specialty_id)
    action = request.form.get("action")
    old_name = specialty.name
    try:
        if action == "rename":
            specialties.rename_specialty(current_user, specialty, form.name.data)
            message = f"{old_name} is now {specialty.name}."
        elif action in ("up", "down"):
            specialties.move_specialty(current_user, specialty, -1 if action == "up" else 1)
            message = f"{specialty.name} moved {action}."
        elif action == "remove":
            specialties.remove_specialty(current_user, specialty)
            message = f"{old_name} is no longer on the list."
        else:
            abort(400)
    except AccountError as error:  # 409 for a specialty readers list (ChangeRefused), else 422
        return refused(error, _specialties_page, error=error.message, error_id=specialty_id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".specialties"))


# Readers' profiles -------------------------------------------------------------------------


@bp.get("/readers")
def reader_profiles():
    query = request.args.get("q", "").strip()[:100]
    statement = sa.select(ReaderProfile).order_by(ReaderProfile.display_name, ReaderProfile.id)
    if query:
        like = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.join(User, User.id == ReaderProfile.user_id).where(
            sa.or_(ReaderProfile.display_name.ilike(like), User.email.ilike(like))
        )
    page = page_number()
    results = db.paginate(statement, page=page, per_page=25, error_out=False)
    return render_template("admin/marketplace/reader_profiles.html", results=results, query=query)


def _filled_form(profile):
    form = profile_form(profile, AdminProfileForm(formdata=None))
    form.fill_from(profile)
    if profile.share_override_bp is not None:
        value = profile.share_override_bp
        form.share_override.data = f"{value // 100}" + (f".{value % 100:02d}".rstrip("0") if value % 100 else "")
    return form


def _profile_page(profile, form, status=200, hide_form=None, error=None):
    from soulseer.services.core import audit_log

    return (
        render_template(
            "admin/marketplace/reader_profile.html",
            profile=profile,
            form=form,
            hide_form=hide_form or ReasonForm(formdata=None),
            available_modes=profiles.available_modes(),
            share=profiles.share_label(profile),
            global_share=profiles.share_label(None),
            history=audit_log.for_target("ReaderProfile", profile.id),
            error=error,
        ),
        status,
    )


@bp.route("/readers/<int:profile_id>", methods=["GET", "POST"])
def reader_profile(profile_id):
    profile = db.get_or_404(ReaderProfile, profile_id)
    if request.method == "GET":
        return _profile_page(profile, _filled_form(profile))
    form = profile_form(profile, AdminProfileForm())
    if form.validate_on_submit():
        try:
            share = parse_share(form.share_override.data)
            profiles.admin_update_profile(current_user, profile, form.profile_input(), share, form.reason.data)
        except AccountError as error:
            return refused(error, _profile_page, form, profile=profile, form=form)
        db.session.commit()
        flash(f"{profile.display_name}'s profile is saved.", "success")
        return redirect(url_for(".reader_profile", profile_id=profile_id))
    return _profile_page(profile, form, 422)


@bp.post("/readers/<int:profile_id>/visibility")
def reader_profile_visibility(profile_id):
    profile = db.get_or_404(ReaderProfile, profile_id)
    form = ReasonForm()
    if not form.validate():
        return _profile_page(profile, _filled_form(profile), 422, form)
    hide = request.form.get("hidden") == "1"
    change = visibility.hide if hide else visibility.restore
    try:
        change("reader_profile", profile.id, form.reason.data, current_user)
    except visibility.ModerationError as error:  # on the reason, or at the top of the page
        on_field, page_error = (form, None) if error.field else (None, error.message)
        return refused(
            error,
            _profile_page,
            on_field,
            profile=profile,
            form=_filled_form(profile),
            hide_form=form,
            error=page_error,
        )
    db.session.commit()
    flash(
        f"{profile.display_name}'s profile is hidden from clients."
        if hide
        else f"{profile.display_name} is visible again.",
        "success",
    )
    return redirect(url_for(".reader_profile", profile_id=profile_id))


section = Section(
    "marketplace",
    "Readers",
    bp,
    order=40,
    links=(("reader_profiles", "Readers' profiles"), ("specialties", "Specialties")),
)
