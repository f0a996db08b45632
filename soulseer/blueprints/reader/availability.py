"""/reader/availability: the reader's hours for scheduled readings (docs/bookings.md)."""

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from soulseer import clock
from soulseer.blueprints.reader import bp
from soulseer.blueprints.reader.availability_forms import (
    RANGES_HINT,
    AvailabilityForm,
    OverrideForm,
    RemoveOverrideForm,
)
from soulseer.extensions import db
from soulseer.services.bookings import availability, zones
from soulseer.services.bookings.availability import AvailabilityError
from soulseer.views import refused


def _page(form=None, override_form=None, status=200):
    settings = availability.settings_for(current_user)
    time_zone = settings.time_zone if settings else (current_user.time_zone or zones.DEFAULT)
    if form is None:
        form = AvailabilityForm(formdata=None)
        if settings:
            form.fill_from(settings, availability.rules_for(current_user))
        else:
            form.fill_defaults(time_zone)
    today = zones.today(time_zone, clock.now())
    return (
        render_template(
            "reader/availability.html",
            form=form,
            override_form=override_form or OverrideForm(formdata=None),
            remove_form=RemoveOverrideForm(formdata=None),
            settings=settings,
            taking=availability.takes_bookings(settings),
            outside=availability.outside_hours(current_user, clock.now()),
            zones=zones,
            ranges_hint=RANGES_HINT,
            time_zone=time_zone,
            overrides=[
                (day, availability.ranges_text([(r.start_minute, r.end_minute) for r in rows if not r.blocked]))
                for day, rows in availability.overrides_for(current_user, today).items()
            ],
        ),
        status,
    )


@bp.get("/availability")
def availability_page():
    return _page()


@bp.post("/availability")
def save_availability():
    form = AvailabilityForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    try:
        availability.save(current_user, form.availability_input())
    except (AvailabilityError, zones.ZoneError) as error:
        return refused(error, _page, form, form=form)
    db.session.commit()
    flash("Your availability is saved. Bookings you already have keep their times.", "success")
    return redirect(url_for("reader.availability_page"), 303)


@bp.post("/availability/dates")
def add_date_override():
    form = OverrideForm()
    if not form.validate_on_submit():
        return _page(override_form=form, status=422)
    settings = availability.settings_for(current_user)
    if settings is None:
        form.form_errors.append("Save your time zone and weekly hours first.")
        return _page(override_form=form, status=422)
    today = zones.today(settings.time_zone, clock.now())
    try:
        availability.add_override(current_user, form.day.data, form.blocked.data, form.hours.data, today)
    except AvailabilityError as error:
        return refused(error, _page, form, override_form=form)
    db.session.commit()
    flash(f"{form.day.data:%A %-d %B} is saved.", "success")
    return redirect(url_for("reader.availability_page") + "#dates-title", 303)


@bp.post("/availability/dates/remove")
def remove_date_override():
    form = RemoveOverrideForm()
    try:
        day = date.fromisoformat(form.day.data or "") if form.validate_on_submit() else None
    except ValueError:
        day = None
    if day and availability.remove_override(current_user, day):
        db.session.commit()
        flash(f"{day:%A %-d %B} follows your weekly hours again.", "success")
    return redirect(url_for("reader.availability_page") + "#dates-title", 303)
