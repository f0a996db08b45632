"""The /live pages. The rules are services/streams/'s; refusals are answered with views.refused."""

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from soulseer import clock
from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.blueprints.streams import bp
from soulseer.extensions import db, htmx
from soulseer.models import Gift
from soulseer.models.stream import INVITATIONS_MAX, MESSAGE_MAX
from soulseer.services import commerce
from soulseer.services.readings import agora
from soulseer.services.streams import (
    access,
    chat,
    gifts,
    invitations,
    lifecycle,
    reminders,
    restrictions,
    tickets,
    viewers,
)
from soulseer.services.streams.lifecycle import StreamError
from soulseer.views import commit_keeping_what_was_read, refused, safe_next_url


@bp.app_context_processor
def streaming():
    """Whether streams can be broadcast here (Agora configured): "Go live" is offered only then."""
    return {"streaming_configured": agora.configured()}


@bp.app_template_global()
def new_gift_key():
    """A gift button's own key (services/streams/gifts.py): new in every tray rendered."""
    return str(gifts.fresh_key())


@bp.app_template_global()
def live_stream_of(reader_id):
    """The reader's stream live now, or None (her page says she is live)."""
    return lifecycle.live_stream_of(reader_id)


@bp.app_template_global()
def live_streams_now():
    return lifecycle.live_now()


@bp.app_template_global()
def stream_earnings(reader):
    return lifecycle.earnings(reader)


@bp.app_template_global()
def stream_removed_by_reader():
    return chat.REMOVED_BY_READER


@bp.app_template_global()
def banned_message():
    return restrictions.BANNED_MESSAGE


@bp.app_template_global()
def muted_message():
    return restrictions.MUTED_MESSAGE


@bp.get("")
def index():
    live_now, upcoming = lifecycle.live_now(current_user), lifecycle.upcoming(current_user)
    context = {
        "live_now": live_now,
        "upcoming": upcoming,
        "profiles": lifecycle.profiles_of(live_now + upcoming),
        "counts": {stream.id: viewers.count(stream.id) for stream in live_now},
        "reminded": {s.id for s in upcoming if reminders.wants_reminder(s, current_user)},
    }
    if htmx and not htmx.boosted:
        return render_template("streams/_listing.html", **context)
    return render_template("streams/index.html", **context)


def _stream_or_404(stream_id):
    stream = lifecycle.get(stream_id)
    if stream is None or not (access.is_host(stream, current_user) or access.may_see(stream, current_user)):
        abort(404)
    return stream


def _page(stream, status=200, **extra):
    host = access.is_host(stream, current_user)
    moderator = restrictions.may_moderate(stream, current_user)
    context = {
        "stream": stream,
        "host": host,
        "moderator": moderator,
        "page_state": access.page_state(stream, current_user),
        "restriction": restrictions.of(stream, current_user),
        "restricted": restrictions.listed(stream) if moderator else [],
        **(_invitation_context(stream) if host and stream.kind == "private" else {}),
        "admitted": host or access.admitted(stream, current_user),
        "ticket": tickets.ticket_of(stream, current_user),
        "reminded": reminders.wants_reminder(stream, current_user),
        "profile": lifecycle.profiles_of([stream]).get(stream.reader_id),
        "lines": chat.recent(stream),
        "standings": gifts.board(stream.id),
        "viewers": viewers.count(stream.id),
        "gift_catalogue": gifts.catalogue(),
        "body_max": MESSAGE_MAX,
        "host_window_open": access.host_window_open(stream),
        "audience_level": access.audience_level(stream),
        "figures": gifts.totals(stream.id) if host or stream.over else None,
        "reader_share": commerce.share_percent(commerce.share_for(lifecycle.reader_of(stream))),
    }
    context.update(extra)
    return render_template("streams/show.html", **context), status


@bp.get("/<int:stream_id>")
@login_required
def show(stream_id):
    return _page(_stream_or_404(stream_id))


@bp.post("/<int:stream_id>/start")
@login_required
def start(stream_id):
    try:
        lifecycle.go_live(current_user, stream_id)
    except StreamError as error:
        stream = lifecycle.get(stream_id)
        if stream is None or not access.is_host(stream, current_user):
            abort(404)
        return refused(error, lambda status, **context: _page(lifecycle.get(stream_id), status, **context),
                       problem=error.message)  # fmt: skip
    db.session.commit()
    return _back_to(stream_id)


@bp.post("/<int:stream_id>/end")
@login_required
def end(stream_id):
    try:
        lifecycle.end(current_user, stream_id)
    except StreamError as error:
        if error.status in (403, 404):
            abort(404)
        raise
    db.session.commit()
    return _back_to(stream_id)


def _back_to(stream_id):
    url = url_for("streams.show", stream_id=stream_id)
    if htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


@bp.get("/<int:stream_id>/token")
@login_required
def token(stream_id):
    stream = lifecycle.get(stream_id)
    if stream is None:
        abort(404)
    try:
        credentials = access.token(stream, current_user)
    except StreamError as error:
        if error.status == 404:
            abort(404)
        return jsonify(error=error.message), error.status
    response = jsonify(
        app_id=credentials.app_id,
        channel=credentials.channel,
        uid=credentials.uid,
        token=credentials.token,
        role="host" if access.is_host(stream, current_user) else "audience",
        audience_level=access.audience_level(stream),
        host_uid=stream.reader_id,
        expires_in=int((credentials.expires_at - clock.now()).total_seconds()),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:stream_id>/heartbeat")
@login_required
def heartbeat(stream_id):
    stream = _stream_or_404(stream_id)
    if access.admitted(stream, current_user):
        viewers.seen(stream, current_user)
    return "", 204, {"X-Stream-State": access.page_state(stream, current_user)}


@bp.post("/<int:stream_id>/leave")
@login_required
def leave(stream_id):
    stream = _stream_or_404(stream_id)
    viewers.left(stream, current_user)
    return "", 204


@bp.post("/<int:stream_id>/messages")
@login_required
def post_message(stream_id):
    stream = _stream_or_404(stream_id)
    body = request.form.get("body", "")
    try:
        message = chat.post(stream, current_user, body)
    except StreamError as error:
        return refused(
            error,
            lambda status, **context: _page(
                lifecycle.get(stream_id), status, chat_body=body, chat_error=context["chat_error"]
            ),
            fragment="streams/_chat_form.html",
            stream=stream,
            chat_body=body,
            chat_error=error.message,
            body_max=MESSAGE_MAX,
        )
    db.session.commit()
    if htmx:
        return render_template(
            "streams/_chat_form.html", stream=stream, chat_body="", body_max=MESSAGE_MAX, screened=message.screening
        )
    tell_writer(message)
    return redirect(url_for("streams.show", stream_id=stream_id) + "#stream-chat")


@bp.post("/<int:stream_id>/messages/<int:message_id>/remove")
@login_required
def remove_message(stream_id, message_id):
    stream = _stream_or_404(stream_id)
    try:
        chat.remove(stream, current_user, message_id)
    except StreamError as error:
        abort(error.status)
    db.session.commit()
    if htmx:
        return "", 200
    return redirect(url_for("streams.show", stream_id=stream_id) + "#stream-chat")


@bp.post("/<int:stream_id>/viewers/<int:user_id>")
@login_required
def restrict_viewer(stream_id, user_id):
    """The reader or an admin mutes, bans or lets back a viewer (action=mute|ban|lift)."""
    stream = _stream_or_404(stream_id)
    if not restrictions.may_moderate(stream, current_user):
        abort(404)
    try:
        restrictions.apply(current_user, stream, user_id, request.form.get("action", ""))
    except StreamError as error:
        if error.status == 404:
            abort(404)
        return refused(error, lambda status, problem, **_: _page(lifecycle.get(stream_id), status, problem=problem),
                       fragment="streams/_restrictions.html", stream=stream,
                       restricted=restrictions.listed(stream), problem=error.message)  # fmt: skip
    db.session.commit()
    if htmx:
        return render_template("streams/_restrictions.html", stream=stream, restricted=restrictions.listed(stream))
    return redirect(url_for("streams.show", stream_id=stream_id) + "#stream-restrictions")


def _invitation_context(stream):
    return {"invitees": invitations.invitees(stream), "eligible": invitations.eligible(stream),
            "invitations_max": INVITATIONS_MAX}  # fmt: skip


@bp.post("/<int:stream_id>/invitations")
@login_required
def invite(stream_id):
    """The reader of a private stream invites one of her clients, or takes it back (action=uninvite)."""
    stream = _stream_or_404(stream_id)
    if not access.is_host(stream, current_user):
        abort(404)
    client_id = request.form.get("client", type=int)
    try:
        if request.form.get("action") == "uninvite":
            invitations.uninvite(current_user, stream_id, client_id)
        else:
            invitations.invite(current_user, stream_id, client_id)
    except StreamError as error:
        if error.status == 404 and client_id is None:
            abort(404)
        return refused(error, lambda status, invite_problem, **_: _page(lifecycle.get(stream_id), status,
                                                                          invite_problem=invite_problem),
                       fragment="streams/_invitations.html", stream=lifecycle.get(stream_id),
                       **_invitation_context(lifecycle.get(stream_id)), invite_problem=error.message)  # fmt: skip
    db.session.commit()
    if htmx:
        return render_template("streams/_invitations.html", stream=stream, **_invitation_context(stream))
    return redirect(url_for("streams.show", stream_id=stream_id) + "#stream-invitations")


@bp.post("/<int:stream_id>/gifts")
@login_required
def send_gift(stream_id):
    """One tray, one button per gift; each button carries `<gift id>:<its own key>:<its price>`,
    the key new in every tray the server renders, so a double tap sends that key twice and is
    charged once; the price is the one shown (a changed price is refused, never charged)."""
    stream = _stream_or_404(stream_id)
    gift_text, _, rest = request.form.get("pick", "").partition(":")
    key, _, shown_text = rest.partition(":")  # "<gift id>:<key>:<price the tray showed>"
    gift_id = int(gift_text) if gift_text.isdigit() else None
    shown_price = int(shown_text) if shown_text.isdigit() else None
    anonymous = request.form.get("anonymous") == "yes"
    tray = {"stream": stream, "gift_catalogue": gifts.catalogue(), "anonymous": anonymous}
    try:
        sent = gifts.send(
            stream,
            current_user,
            gift_id,
            key,
            anonymous=anonymous,
            confirmed=request.form.get("confirm") == "yes",
            shown_price_cents=shown_price,
        )
    except gifts.ConfirmGift as error:
        return refused(error, _tray_page(stream), fragment="streams/_gift_tray.html", **tray,
                       confirm=db.session.get(Gift, gift_id), confirm_key=key, problem=error.message)  # fmt: skip
    except commerce.NotEnoughFunds as error:
        return refused(error, _tray_page(stream), fragment="streams/_gift_tray.html", **tray,
                       topup=True, problem=error.message)  # fmt: skip
    except (StreamError, commerce.SpendingFrozen) as error:
        return refused(error, _tray_page(stream), fragment="streams/_gift_tray.html", **tray,
                       problem=error.message)  # fmt: skip
    if htmx:
        # The new tray shows what this request read (the catalogue) and wrote (the gift sent).
        commit_keeping_what_was_read()
        return render_template("streams/_gift_tray.html", **tray, sent=sent.row)
    db.session.commit()
    return redirect(url_for("streams.show", stream_id=stream_id) + "#gifts")


def _tray_page(stream):
    def page(status, **context):
        context.pop("stream", None)
        context.pop("gift_catalogue", None)
        return _page(lifecycle.get(stream.id), status, **context)

    return page


@bp.post("/<int:stream_id>/ticket")
@login_required
def buy_ticket(stream_id):
    """Premium entry: paid into a hold; the page then opens the stream (re-entry is free)."""
    stream = _stream_or_404(stream_id)
    try:
        tickets.buy(stream, current_user)
    except commerce.NotEnoughFunds as error:
        return refused(error, lambda status, **context: _page(lifecycle.get(stream_id), status, **context),
                       entry_problem=error.message, entry_topup=True)  # fmt: skip
    except (StreamError, commerce.SpendingFrozen) as error:
        return refused(error, lambda status, **context: _page(lifecycle.get(stream_id), status, **context),
                       entry_problem=error.message)  # fmt: skip
    db.session.commit()
    return _back_to(stream_id)


@bp.post("/<int:stream_id>/remind")
@login_required
def remind(stream_id):
    stream = _stream_or_404(stream_id)
    try:
        if request.form.get("action") == "cancel":
            reminders.cancel(stream, current_user)
        else:
            reminders.ask(stream, current_user)
    except StreamError as error:
        return refused(error)
    db.session.commit()
    if htmx:
        return render_template(
            "streams/_remind.html", stream=stream, reminded=reminders.wants_reminder(stream, current_user)
        )
    return redirect(safe_next_url(request.form.get("next")) or url_for("streams.show", stream_id=stream_id))


@bp.get("/<int:stream_id>/board")
@login_required
def board(stream_id):
    stream = _stream_or_404(stream_id)
    top, mine = gifts.board_for(stream.id, current_user.id)
    template = "streams/_board_full.html" if htmx else "streams/board.html"
    return render_template(template, stream=stream, top=top, mine=mine)
