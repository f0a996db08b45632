"""The inbox, a thread, writing a message and starting a conversation. The rules are
services/messages/'s; refusals are answered with views.refused (a page, or the form in place)."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer import clock
from soulseer.blueprints.messages import bp
from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.extensions import db, htmx
from soulseer.models import Message, Role, User
from soulseer.models.message import BODY_MAX
from soulseer.services import commerce
from soulseer.services.messages import conversations, paid, sending, unread
from soulseer.services.messages.conversations import MessageError
from soulseer.views import id_number, page_number, refused, role_required

participants_only = role_required(Role.CLIENT, Role.READER)


def _conversation_or_404(conversation_id):
    try:
        return conversations.of(current_user, conversation_id)
    except MessageError:
        abort(404)


@bp.get("")
@participants_only
def inbox():
    return render_template("messages/inbox.html", results=conversations.inbox(current_user, page_number()))


def _thread_context(conversation):
    messages, earlier = conversations.thread(conversation)
    other = conversation.other(current_user)
    return {
        "conversation": conversation,
        "messages": messages,
        "earlier": earlier,
        "other": other,
        "other_profile": conversations.profile_of(other.id) if other.role == Role.READER else None,
        "body_max": BODY_MAX,
    }


def _thread_page(conversation_id, status=200, conversation=None, **form):
    """The thread (marked read up to its newest message); `form`: the compose form's body, error,
    error_field, reply, price, screened; or unlock_problem for a paid reply's refusal."""
    conversation = _conversation_or_404(conversation_id)
    context = _thread_context(conversation)
    if context["messages"]:
        unread.mark_read(conversation, current_user, context["messages"][-1].id)
        db.session.commit()
    return render_template("messages/thread.html", **form, **context), status


@bp.get("/<int:conversation_id>")
@participants_only
def thread(conversation_id):
    before = request.args.get("before", type=id_number)
    if before:  # "Earlier messages": the page of messages before that one
        conversation = _conversation_or_404(conversation_id)
        messages, earlier = conversations.thread(conversation, before_id=before)
        template = "messages/_earlier.html" if htmx else "messages/earlier.html"
        return render_template(template, conversation=conversation, messages=messages, earlier=earlier)
    return _thread_page(conversation_id)


@bp.post("/<int:conversation_id>")
@participants_only
def send(conversation_id):
    conversation = _conversation_or_404(conversation_id)
    body, reply, price = request.form.get("body", ""), request.form.get("reply"), request.form.get("price", "")
    try:
        price_cents = paid.price_for(reply, price)
        message = sending.send(conversation, current_user, body, price_cents=price_cents)
    except MessageError as error:
        return refused(
            error, _thread_page, fragment="messages/_compose.html", swap_errors=error.status == 429,
            conversation_id=conversation_id, conversation=conversation, body=body, error=error.message,
            error_field=error.field, reply=reply, price=price,
        )  # fmt: skip
    db.session.commit()
    if htmx:
        return render_template(
            "messages/_sent.html", conversation=conversation, message=message, body="", screened=message.screening
        )
    return _to_the_thread_after_writing(message)


def _message_answer(message, status=200, **context):
    """A paid reply's card re-rendered in place (HTMX), or the thread at it (a plain form)."""
    if htmx:
        return render_template("messages/_message_item.html", message=message, **context), 200
    if status >= 400:
        return _thread_page(message.conversation_id, status=status, **context)
    return redirect(url_for(".thread", conversation_id=message.conversation_id, _anchor=f"message-{message.id}"), 303)


@bp.post("/replies/<int:message_id>/unlock")
@participants_only
def unlock(message_id):
    """The client pays for a paid reply (M-4): one debit however often it is sent."""
    try:
        message = paid.unlock(current_user, message_id)
    except (MessageError, commerce.NotEnoughFunds, commerce.SpendingFrozen) as error:
        db.session.rollback()
        if isinstance(error, MessageError) and error.status in (403, 404):  # not theirs, or their own
            abort(error.status)
        message = db.session.get(Message, message_id)
        problem = (message.id, error.message, isinstance(error, commerce.NotEnoughFunds))
        return _message_answer(message, status=error.status, unlock_problem=problem)
    db.session.commit()
    return _message_answer(message)


@bp.post("/replies/<int:message_id>/withdraw")
@participants_only
def withdraw(message_id):
    """The reader takes back a paid reply nobody has unlocked."""
    try:
        message = paid.withdraw(current_user, message_id)
    except MessageError as error:
        db.session.rollback()
        abort(error.status)
    db.session.commit()
    return _message_answer(message)


@bp.app_template_global()
def paid_reply_figures(reader_id):
    """A reader's paid replies (their dashboard, the admin's reader page)."""
    return paid.figures(db.session.get(User, reader_id))


@bp.app_template_global()
def paid_contest_open(message):
    return paid.contest_open(message)


@bp.post("/<int:conversation_id>/read")
@participants_only
def mark_read(conversation_id):
    """A message arrived in an open thread (live): it has been seen."""
    conversation = _conversation_or_404(conversation_id)
    upto = request.form.get("upto", type=id_number)
    if not upto:
        abort(400)
    unread.mark_read(conversation, current_user, upto)
    db.session.commit()
    if htmx:
        return render_template("messages/_unread_badge.html", messages_unread=unread.total(current_user), oob=True)
    return redirect(url_for(".thread", conversation_id=conversation.id), 303)


def _recipient():
    """Whom a new conversation is with: `reader` (a profile's slug, from the reader's page) or
    `to` (a user id: a reader writing to a client they have read for)."""
    return conversations.recipient(request.values.get("reader"), request.values.get("to", type=id_number))


def _new_page(other, status=200, body="", error=None):
    return render_template("messages/new.html", other=other, body=body, error=error, body_max=BODY_MAX), status


@bp.get("/new")
@participants_only
def new():
    other = _recipient()
    try:
        pair = conversations.pair_for(current_user, other)
    except MessageError as error:
        abort(error.status)
    existing = conversations.between(pair.client.id, pair.reader.id)
    if existing is not None:
        return redirect(url_for(".thread", conversation_id=existing.id))
    return _new_page(other)


@bp.post("/new")
@participants_only
def start():
    other = _recipient()
    body = request.form.get("body", "")
    try:
        message, _ = sending.start(current_user, other, body)
    except MessageError as error:
        if error.status in (403, 404):
            db.session.rollback()
            abort(error.status)
        return refused(error, _new_page, other=other, body=body, error=error.message)
    db.session.commit()
    return _to_the_thread_after_writing(message)


def _to_the_thread_after_writing(message):
    """After a plain form: the thread at the new message, or at its top when screening has news
    for the writer (the rules notice, the crisis banner), which is shown above the thread."""
    anchor = None if tell_writer(message) else f"message-{message.id}"
    return redirect(url_for(".thread", conversation_id=message.conversation_id, _anchor=anchor), 303)


@bp.app_template_global()
def messages_waiting():
    """The signed-in reader's conversations waiting for an answer (the dashboard's card)."""
    return conversations.waiting_for(current_user)


@bp.app_template_filter()
def inbox_time(moment):
    """When a conversation's last message was written: the time today, else the day."""
    return moment.strftime("%H:%M") if moment.date() == clock.now().date() else moment.strftime("%-d %b")


@bp.app_template_filter()
def waited(since):
    """How long since `since`, as a reader reads it: "5 minutes", "3 hours", "2 days"."""
    seconds = max(0, int((clock.now() - since).total_seconds()))
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"
