"""The notifications list (/notifications), mark read, and the header bell."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from soulseer import signed_in_responses
from soulseer.extensions import db, htmx
from soulseer.services.core import notifications
from soulseer.views import id_number

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
@login_required
def index():
    before = request.args.get("before", type=id_number)
    items, more = notifications.page_for(current_user.id, before_id=before)
    context = {"items": items, "more": more}
    if htmx and not htmx.boosted and before:
        return render_template("notifications/_page.html", **context)  # "Older" appends a page
    # Her page may be given to her again before Flask while her header versions stand: every
    # notification of hers written, read or deleted moves hers (services/core/header_versions.py),
    # and the page shows nothing that changes with time (each one's time is written out).
    signed_in_responses.keep_her_page(frozenset({"before"}))
    return render_template("notifications/index.html", **context)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id):
    notification = notifications.get_own(current_user.id, notification_id)
    if notification is None:
        # Someone else's notification, or none at all: the same answer, so ids reveal nothing.
        abort(404)
    notifications.mark_read(notification)
    db.session.commit()
    if htmx:
        return render_template("notifications/_read_response.html", item=notification, unread_count=_count())
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    notifications.mark_all_read(current_user.id)
    db.session.commit()
    if htmx:
        items, more = notifications.page_for(current_user.id)
        return render_template("notifications/_all_read_response.html", items=items, more=more, unread_count=0)
    return redirect(url_for("notifications.index"))


def _count():
    return notifications.unread_count(current_user.id)


# --- "Notify me when online" (the button on a reader's page) ----------------------------------


@bp.app_template_global()
def online_alert_requested(profile):
    """Whether the signed-in client already asked to hear when `profile`'s reader comes online."""
    from soulseer.services.marketplace import reader_status

    return current_user.is_authenticated and reader_status.online_alert_requested(current_user, profile)


@bp.post("/online-alerts/<int:profile_id>")
@login_required
def online_alert(profile_id):
    """Ask (action=ask) or stop asking (action=cancel) to be notified when a reader comes online."""
    from soulseer.models import ReaderProfile
    from soulseer.services.marketplace import reader_status

    profile = db.session.get(ReaderProfile, profile_id)
    if profile is None or profile.hidden:
        abort(404)
    if not current_user.is_client:
        abort(403)
    error = None
    try:
        if request.form.get("action") == "cancel":
            reader_status.cancel_online_alert(current_user, profile)
        else:
            reader_status.request_online_alert(current_user, profile)
        db.session.commit()
    except reader_status.StatusError as exc:
        db.session.rollback()
        error = str(exc)
    if htmx:
        return render_template("readers/_notify_me.html", profile=profile, notify_error=error)
    return redirect(url_for("readers.show", slug=profile.slug))
