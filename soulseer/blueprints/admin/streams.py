"""Admin → Streams (/admin/streams): every stream (live, announced, over) with its figures (peak
viewers, gifts, entries), and ending any stream with a reason (audit-logged; tokens stop at once).
Stream chat reports are in the one moderation queue. Rules: services/streams (docs/streams.md)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import StreamState
from soulseer.services.moderation.visibility import REASON_MIN
from soulseer.services.streams import gifts, lifecycle, tickets
from soulseer.services.streams.lifecycle import StreamError
from soulseer.views import page_number

bp = Blueprint("streams", __name__)


@bp.get("/streams")
def index():
    state = request.args.get("state") or None
    results = lifecycle.for_admin(state, page_number())
    figures = {stream.id: (gifts.totals(stream.id), tickets.figures(stream.id)) for stream in results.items}
    return render_template(
        "admin/streams/index.html", results=results, figures=figures, state=state, states=list(StreamState)
    )


@bp.post("/streams/<int:stream_id>/end")
def end(stream_id):
    reason = (request.form.get("reason") or "").strip()
    if len(reason) < REASON_MIN:
        flash(f"Give a reason of at least {REASON_MIN} characters to end a stream.", "error")
        return redirect(url_for(".index", _anchor=f"stream-{stream_id}"), 303)
    try:
        stream = lifecycle.end(current_user, stream_id, reason=reason[:500])
    except StreamError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for(".index"), 303)
    db.session.commit()
    flash(f"“{stream.title}” is {stream.state}: its viewers were told, and no token is renewed.", "success")
    return redirect(url_for(".index", _anchor=f"stream-{stream_id}"), 303)


section = Section("streams", "Streams", bp, order=55)
