"""GET /events: the signed-in tab's Server-Sent Events stream (docs/events.md)."""

from flask import Blueprint, Response, current_app
from flask_login import current_user, login_required

from soulseer.extensions import db, get_redis
from soulseer.services.core import events
from soulseer.views import consent_needed

bp = Blueprint("events", __name__)


@bp.app_context_processor
def live_events():
    """Pages open the stream for signed-in users who may use the site (not on the consent step,
    where /events would only redirect)."""
    return {"live_events": bool(current_user and current_user.is_authenticated and not consent_needed())}


@bp.before_app_request
def note_reader_activity():
    """Any request of a signed-in reader counts as activity (keeps them online)."""
    if current_user and current_user.is_authenticated and current_user.is_reader:
        events.record_presence(get_redis(), current_user.id)


@bp.get("/events")
@login_required
def stream():
    user_id = current_user.id
    # An open stream is presence: it keeps a reader online (services/marketplace/reader_status.py),
    # and tells batches that render a fragment per person that this person has a tab to send it to
    # (events.with_open_tabs).
    redis_client = get_redis()
    events.record_presence(redis_client, user_id)

    def on_keepalive():
        events.record_presence(redis_client, user_id)

    # The stream may stay open for half an hour: it must hold no database connection meanwhile.
    db.session.close()
    body = events.stream(
        current_app.config["REDIS_URL"],
        user_id,
        keepalive_seconds=current_app.config["EVENTS_KEEPALIVE_SECONDS"],
        max_seconds=current_app.config["EVENTS_STREAM_MAX_SECONDS"],
        on_keepalive=on_keepalive,
    )
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx and friends: pass each event on at once
    return response
