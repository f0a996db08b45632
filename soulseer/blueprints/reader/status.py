"""The reader's online/offline switch on the dashboard (POST /reader/status)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.reader import bp
from soulseer.extensions import db, htmx
from soulseer.models import ReaderStatus
from soulseer.services.marketplace import profiles, reader_status


@bp.context_processor
def status_switch():
    """The switch on the dashboard needs the reader's profile (none until they set it up)."""
    if current_user.is_authenticated:
        return {"status_profile": profiles.profile_for(current_user), "status_error": None}
    return {}


@bp.post("/status")
def change_status():
    profile = profiles.profile_for(current_user)
    if profile is None:
        abort(404)  # no profile yet: the dashboard offers to set it up, not a switch
    wanted = request.form.get("status")
    error = None
    try:
        if wanted == ReaderStatus.ONLINE:
            reader_status.go_online(profile)
        elif wanted == ReaderStatus.OFFLINE:
            reader_status.go_offline(profile)
        else:
            raise reader_status.StatusError("Choose online or offline.")
        db.session.commit()
    except reader_status.StatusError as exc:
        db.session.rollback()
        error = str(exc)
    if htmx:
        profile = profiles.profile_for(current_user)
        return render_template(
            "reader/_status_switch.html", status_profile=profile, status_error=error, csrf_field=True
        )
    if error:
        flash(error, "error")
    return redirect(url_for("reader.dashboard"))
