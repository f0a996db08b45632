from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.reader import bp
from soulseer.blueprints.reader.forms import ProfileForm
from soulseer.extensions import db
from soulseer.models import Specialty
from soulseer.models.reading import MODES
from soulseer.services.accounts import AccountError, applications
from soulseer.services.bookings import availability, booking, zones
from soulseer.services.marketplace import photos, profiles, specialties
from soulseer.services.payouts import connect, earnings, transfers
from soulseer.services.readings import history, reviews
from soulseer.services.shop import sales as shop_sales
from soulseer.views import refused


@bp.get("")
def dashboard():
    application = applications.application_for(current_user)
    modes = dict(applications.MODES)
    return render_template(
        "reader/dashboard.html",
        application=application,
        mode_labels=modes,
        profile=profiles.profile_for(current_user),
        figures=history.reader_figures(current_user),
        waiting_reviews=reviews.to_answer(current_user.id, 3),
        upcoming_bookings=booking.lists_for(current_user)[0],
        taking_bookings=availability.takes_bookings(availability.settings_for(current_user)),
        zones=zones,
        payout_earnings=earnings.of(current_user, with_lines=False),
        payout_state=connect.status_of(connect.account_for(current_user))[0],
        shop_figures=shop_sales.figures(current_user),
        next_payout_run=transfers.next_daily_run(),
        payout_threshold=transfers.threshold(),
    )


def _specialty_choices(form):
    form.specialties.choices = [SelectChoice(str(s.id), s.name) for s in specialties.specialties_in_order()]


def _prefill_from_application(form):
    """A new profile starts from what the reader applied with (never the legal name's surname alone)."""
    form.display_name.data = current_user.display_name
    application = applications.application_for(current_user)
    if application is None:
        return
    form.bio.data = application.bio
    form.years_of_practice.data = application.years_of_practice
    by_name = {s.name: str(s.id) for s in db.session.execute(db.select(Specialty)).scalars()}
    form.specialties.data = [by_name[name] for name in application.specialties if name in by_name]


def photo_from(field):
    """The uploaded photo decoded and checked, or None when no file was chosen. Raises PhotoError."""
    upload = field.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    return photos.open_checked(photos.read_upload(upload))


def profile_form(profile, form):
    """Shared by the reader's editor and the admin's: keeps rates of modes SoulSeer cannot run now."""
    _specialty_choices(form)
    if request.method == "POST" and profile is not None:
        for code in {code for code, _ in MODES} - set(profiles.available_modes()):
            cents = profile.rate_for(code)
            getattr(form, f"rate_{code}").data = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"
    return form


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """The signed-in reader's own profile: there is no id in the URL, so no one edits another's."""
    current = profiles.profile_for(current_user)
    form = profile_form(current, ProfileForm())
    if request.method == "GET":
        if current is not None:
            form.fill_from(current)
        else:
            _prefill_from_application(form)
    elif form.validate_on_submit():
        try:
            image = photo_from(form.photo)
            saved = profiles.save_profile(current_user, form.profile_input(), profile=current)
        except (AccountError, photos.PhotoError) as error:
            return refused(error, _editor, form, form=form, profile=current)
        old_photo = saved.photo_key
        new_photo = photos.store(saved.id, image) if image is not None else None
        if new_photo:
            saved.photo_key = new_photo
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            photos.remove(new_photo)
            raise
        if new_photo and old_photo:
            photos.remove(old_photo)
        flash("Your profile is saved." if current else "Your profile is saved and clients can find you.")
        tell_writer(saved)
        return redirect(url_for("reader.profile"))
    return _editor(form, current, 422 if form.errors else 200)


def _editor(form, profile, status=200):
    return render_template(
        "reader/profile.html",
        form=form,
        profile=profile,
        available_modes=profiles.available_modes(),
        share=profiles.share_label(profile),
    ), status
