from flask import abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from soulseer import clock, quick_room, signed_in
from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.readings import bp
from soulseer.extensions import db, htmx
from soulseer.models import ReaderProfile, Role
from soulseer.models.reading import Reading, ReadingState
from soulseer.money import AmountError, parse_cents
from soulseer.services.payments import wallet
from soulseer.services.readings import agora, chat, lifecycle, metering, publishing, reviews, room
from soulseer.views import id_number, refused, role_required

S = ReadingState


# The reader's alert on every page ---------------------------------------------------------------


@bp.app_template_global()
def request_seconds_left(reading):
    return room._seconds_until(reading.request_expires_at, clock.now())


@bp.app_template_global()
def reading_request_panel(profile):
    """The "Start a reading" panel for a reader's page (readers/show.html includes it)."""
    html = render_template("readings/_request_panel.html", **_panel_context(profile))
    return Markup(html)  # noqa: S704 (rendered by Jinja, which escaped everything in it)


# The request buttons: one tap from the reader's page to the request.
MODE_NOW = {"chat": "Chat now", "voice": "Voice call now", "video": "Video call now"}


def _panel_context(profile, error=None, error_field=None, mode=None, spend_cap=""):
    offered = room.modes_offered(profile)
    offered_codes = {code for code, _ in offered}
    all_rates = [(code, profile.rate_for(code)) for code in ("chat", "voice", "video") if profile.rate_for(code)]
    missing_av = [code for code, _ in all_rates if code not in offered_codes]
    user = current_user if current_user.is_authenticated else None
    balance = wallet.balance(user) if user is not None and user.is_client else None
    unavailable = lifecycle.why_unavailable(profile)
    return {
        "profile": profile,
        "offered": offered,
        "missing_av": missing_av,
        "unavailable": unavailable,
        "online": unavailable is None,
        "balance": balance,
        "minutes_needed": current_app.config["MINUTES_NEEDED_TO_START"],
        "error": error,
        "error_field": error_field,
        "chosen_mode": mode,
        "mode_now": MODE_NOW,
        "spend_cap": spend_cap,
        "open_reading": room.open_reading_for(user) if user is not None and user.is_client else None,
    }


def _listed_profile(profile_id=None, slug=None):
    if profile_id is not None:
        profile = db.session.get(ReaderProfile, profile_id)
    else:
        profile = db.session.query(ReaderProfile).filter_by(slug=slug).one_or_none()
    if profile is None or getattr(profile, "hidden", False) or not profile.user.is_active:
        abort(404)
    return profile


# Requesting -------------------------------------------------------------------------------------


@bp.get("/readings/new")
@login_required
def new():
    """The request form on its own page (the reader's page embeds the same panel)."""
    profile = _listed_profile(slug=request.args.get("reader", ""))
    return render_template("readings/new.html", **_panel_context(profile, mode=request.args.get("mode")))


@bp.post("/readings")
@role_required(Role.CLIENT)
def create():
    profile = _listed_profile(profile_id=request.form.get("reader", type=id_number))
    mode = request.form.get("mode", "")
    cap_text = request.form.get("spend_cap", "").strip()
    try:
        cap = None
        if cap_text:
            try:
                cap = parse_cents(cap_text)
            except AmountError as error:
                message = "Write the spend cap in dollars, like 20 or 12.50."
                raise lifecycle.ReadingError(message, "spend_cap", 422) from error
        reading = lifecycle.request(current_user, profile, mode, cap)
        publishing.request_created(reading)
        db.session.commit()
    except lifecycle.ReadingError as error:
        db.session.rollback()  # before the panel reads the balance again
        context = _panel_context(profile, error.message, error.field, mode, cap_text)
        return refused(error, "readings/new.html", fragment="readings/_request_panel.html", **context)
    return _go(url_for("readings.show", reading_id=reading.id))


def _go(url):
    """HTMX gets HX-Redirect (a full page load), a plain form a 303."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


# The reading's page: waiting, room, summary ----------------------------------------------------


def _participant_or_404(reading_id, options=()):
    reading = db.session.get(Reading, reading_id, options=options)
    if reading is None or current_user.id not in (reading.client_id, reading.reader_id):
        abort(404)
    return reading


def _locked_or_404(reading_id):
    reading = lifecycle.for_participant(reading_id, current_user)
    if reading is None:
        abort(404)
    return reading


@bp.get("/readings/<int:reading_id>")
@login_required
def show(reading_id):
    # With both people, whose names the page shows: one statement.
    reading = _participant_or_404(reading_id, options=[joinedload(Reading.reader), joinedload(Reading.client)])
    messages = chat.messages(reading)
    # The client's balance as her header read it with her (signed_in.py): the panel's own figure.
    wallet_cents = signed_in.header().balance if current_user.id == reading.client_id else None
    context = {
        "reading": reading,
        "s": room.status(reading, current_user.id, wallet_cents=wallet_cents),
        "ended_text": room.ended_text,
        "messages": messages,
        "guidance_ids": chat.guidance_for(reading, current_user.id, [m.id for m in messages]),
        "message_max": chat.MESSAGE_MAX,
        "review_refusal": reviews.why_no_review(current_user, reading) if reading.state in room.OVER_STATES else None,
        "reader_status": room.reader_status_now(reading) if current_user.id == reading.reader_id else None,
        "av": reading.mode != "chat" and agora.configured(),
    }
    response = make_response(quick_room.render_room(context, messages, current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readings/<int:reading_id>/status")
@login_required
def status(reading_id):
    reading = _participant_or_404(reading_id)
    return room.render_status(reading, current_user.id)


@bp.post("/readings/<int:reading_id>/heartbeat")
@login_required
def heartbeat(reading_id):
    """Every 10 s from the room (and once on opening it): this side is here. Answers the fresh
    panel, or 204 when the page says it has the panel's current version (`X-Panel-Version`) and the
    heartbeat changed nothing but the time it was heard (kept in Redis: services/readings/presence.py),
    with the meter's limit (`X-Limit-Ms`), which the panel's version leaves out."""
    reading = _participant_or_404(reading_id)
    heard = room.heard(reading, current_user.id, request.headers.get("X-Panel-Version"), wallet.balance)
    if heard == room.HEARD_UNCHANGED:
        return "", 204, {"X-Limit-Ms": str(metering.limit_ms(reading))}
    if heard == room.HEARD_CHANGED:
        return room.render_status(reading, current_user.id)
    reading = _locked_or_404(reading_id)  # a join or a resume: on the locked row
    if reading.state in room.ROOM_STATES:
        metering.seen(reading, current_user.id)
    db.session.commit()
    return room.render_status(reading, current_user.id)


@bp.post("/readings/<int:reading_id>/leave")
@login_required
def leave(reading_id):
    """navigator.sendBeacon on pagehide: this side left; the meter stops until they are back."""
    reading = _locked_or_404(reading_id)
    if reading.state in room.ROOM_STATES:
        metering.left(reading, current_user.id)
    db.session.commit()
    return "", 204


@bp.post("/readings/<int:reading_id>/accept")
@role_required(Role.READER)
def accept(reading_id):
    reading = _locked_or_404(reading_id)
    try:
        lifecycle.accept(reading, current_user)
        db.session.commit()
    except lifecycle.ReadingError as error:
        db.session.commit()  # an expired request is cancelled on the way
        if htmx:
            return render_template("readings/_alert.html", reading=None, alert_error=error.message)
        abort(error.status)
    return _go(url_for("readings.show", reading_id=reading.id))


@bp.post("/readings/<int:reading_id>/decline")
@role_required(Role.READER)
def decline(reading_id):
    reading = _locked_or_404(reading_id)
    try:
        lifecycle.decline(reading, current_user)
        db.session.commit()
    except lifecycle.ReadingError as error:
        db.session.rollback()
        if not htmx:
            abort(error.status)
    if htmx:
        return render_template("readings/_alert.html", reading=None)
    return redirect(url_for("reader.dashboard"), 303)


@bp.post("/readings/<int:reading_id>/end")
@login_required
def end(reading_id):
    """End (either side, confirmed in the page), or withdraw a request not yet accepted."""
    reading = _locked_or_404(reading_id)
    try:
        lifecycle.finish(reading, current_user)
        db.session.commit()
    except lifecycle.ReadingError:
        db.session.rollback()  # already over: show what there is
    return _go(url_for("readings.show", reading_id=reading_id))


# Chat --------------------------------------------------------------------------------------------


@bp.post("/readings/<int:reading_id>/messages")
@login_required
def post_message(reading_id):
    reading = _locked_or_404(reading_id)
    body = request.form.get("body", "")
    try:
        message = chat.post_message(reading, current_user, body)
        db.session.commit()
    except chat.ChatError as error:  # HTMX: the form again with the message; else the message
        return refused(error, fragment="readings/_chat_form.html", reading=reading, body=body, chat_error=error.message)
    if htmx:  # the line itself arrives over the event stream, for both; screening's news only here
        return render_template(
            "readings/_chat_form.html", reading=reading, body="", chat_error=None, screened=message.screening
        )
    tell_writer(message)
    return redirect(url_for("readings.show", reading_id=reading.id), 303)


@bp.get("/readings/<int:reading_id>/transcript")
@login_required
def transcript(reading_id):
    reading = _participant_or_404(reading_id)
    return render_template(
        "readings/transcript.html",
        reading=reading,
        messages=chat.messages(reading),
        s=room.status(reading, current_user.id),
    )


# Voice and video ---------------------------------------------------------------------------------


@bp.get("/readings/<int:reading_id>/rtc-token")
@login_required
def rtc_token(reading_id):
    reading = _participant_or_404(reading_id)
    if not agora.configured():
        abort(404)
    try:
        credentials = agora.rtc_token(reading, current_user)
    except agora.TokenRefused as problem:
        return jsonify(error=problem.message), problem.status
    lifetime = int((credentials.expires_at - clock.now()).total_seconds())
    response = jsonify(
        app_id=credentials.app_id,
        channel=credentials.channel,
        uid=credentials.uid,
        token=credentials.token,
        expires_in=lifetime,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
