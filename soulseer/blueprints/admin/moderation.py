"""Admin → Moderation (/admin/moderation): the one queue of every kind of content (docs/moderation.md).

A list filtered by state and kind, in queue order (urgent, score, age); one item with its content
in context, its flags and screening's hits (the matched spans highlighted); decisions: hide,
restore, dismiss, warn the author, suspend the author (penalty steps), refund. The rules are
services/moderation/queue.py's.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectChoice, SelectField, TextAreaField

from soulseer.blueprints.admin.registry import Badge, Figure, Section
from soulseer.extensions import db
from soulseer.models import UserStatus
from soulseer.services.core import audit_log
from soulseer.services.moderation import kinds, penalties, queue
from soulseer.services.moderation.items import ModerationError
from soulseer.services.moderation.screening import Detector
from soulseer.views import page_number, refused

bp = Blueprint("moderation", __name__)

STATES = (("open", "Open"), ("actioned", "Actioned"), ("dismissed", "Dismissed"), ("all", "All"))


class DecisionForm(FlaskForm):
    # The service checks it (5–500 characters; optional for a dismissal).
    reason = TextAreaField("Reason", description="Kept with the decision and in the audit log (5–500 characters).")


class SuspendForm(DecisionForm):
    # The service checks the choice (penalties.LENGTHS); empty: the author's next penalty step.
    length = SelectField(
        "For how long",
        choices=[SelectChoice(length.code, length.label) for length in penalties.LENGTHS.values()],
        validate_choice=False,
    )


FORMS = {"suspend": SuspendForm}


def highlight(text, hits):
    """`text` escaped, with each hit's span (offsets into it) in a <mark>."""
    parts, last = [], 0
    for hit in sorted(hits, key=lambda hit: hit.start_offset):
        if hit.start_offset < last or hit.end_offset > len(text):
            continue  # overlapping or out of range: shown unmarked rather than wrong
        parts.append(escape(text[last : hit.start_offset]))
        label = escape(Detector(hit.detector).label)
        parts.append(Markup('<mark title="{}">{}</mark>').format(label, text[hit.start_offset : hit.end_offset]))
        last = hit.end_offset
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.app_template_global()
def moderation_item_link(kind_name, target_id):
    """Admin pages that show content (a reading's review, a reader's profile) link to its queue item."""
    item_id = queue.item_id_for(kind_name, target_id)
    return url_for("admin.moderation.item", item_id=item_id) if item_id else None


@bp.get("/moderation")
def index():
    state = request.args.get("state", "open")
    state = state if state in dict(STATES) else "open"
    kind = request.args.get("kind", "")
    kind = kind if kinds.get(kind) else ""
    results = queue.listing(None if state == "all" else state, kind or None, page_number())
    return render_template(
        "admin/moderation/index.html",
        results=results,
        state=state,
        kind=kind,
        states=STATES,
        kinds=[(each.name, each.label) for each in kinds.all_kinds()],
        reason_labels=kinds.REASON_LABELS,
    )


def _item_page(item_id, status=200, forms=None):
    entry = queue.entry(item_id)
    if entry is None:
        abort(404)
    forms = forms or {}
    target = entry.target
    author = entry.item.author
    history = audit_log.for_target("ModerationItem", entry.item.id)
    if target is not None and entry.kind is not None:
        history = sorted(
            history + audit_log.for_target(type(target).__name__, target.id),
            key=lambda e: (e.created_at, e.id),
            reverse=True,
        )
    return render_template(
        "admin/moderation/item.html",
        entry=entry,
        item=entry.item,
        kind=entry.kind,
        target=target,
        context=entry.kind.context(target) if target is not None and entry.kind else {},
        forms={name: _labelled(forms.get(name) or _blank(name, author), name) for name in ACTIONS},
        author_active=author is not None and author.status == UserStatus.ACTIVE,
        earlier_suspensions=penalties.earlier_suspensions(author.id) if author is not None else 0,
        reason_labels=kinds.REASON_LABELS,
        highlight=highlight,
        history=history,
        refundable=queue.refundable(entry),
    ), status


LABELS = {
    "hide": "Why hide it",
    "restore": "Why show it again",
    "dismiss": "Why dismiss the reports (optional)",
    "warn": "The warning the author reads",
    "suspend": "Why suspend the author",
    "refund": "Why refund it",
}


def _blank(action, author):
    """An empty decision form; suspending offers the author's next penalty step first."""
    form = FORMS.get(action, DecisionForm)(formdata=None, prefix=action)
    if action == "suspend" and author is not None:
        form.length.data = penalties.next_step(author.id).code
    return form


def _labelled(form, action):
    form.reason.label.text = LABELS[action]
    return form


@bp.get("/moderation/<int:item_id>")
def item(item_id):
    return _item_page(item_id)


ACTIONS = {
    "hide": (queue.hide, "Hidden. The author still sees it, marked hidden."),
    "restore": (queue.restore, "Shown again."),
    "dismiss": (queue.dismiss, "Dismissed: the reports are closed."),
    "warn": (queue.warn_author, "The author is warned: it is in their notifications."),
    "suspend": (queue.suspend_author, "The author's account is suspended; their sessions have ended."),
    "refund": (queue.refund, "Refunded to the client's wallet; the reader's and the platform's shares were reversed."),
}


@bp.post("/moderation/<int:item_id>/<action>")
def decide(item_id, action):
    if action not in ACTIONS:
        abort(404)
    form = FORMS.get(action, DecisionForm)(prefix=action)
    if not form.validate():
        abort(400)
    change, done = ACTIONS[action]
    chosen = {"length": form.length.data} if action == "suspend" else {}
    try:
        change(current_user, item_id, form.reason.data, **chosen)
    except ModerationError as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        # Every refusal here is about the decision: shown on its reason.
        return refused(error, _item_page, form, field_names={None: "reason"}, item_id=item_id, forms={action: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".item", item_id=item_id), 303)


section = Section(
    "moderation",
    "Moderation",
    bp,
    order=25,
    badge=Badge(queue.open_count, "open"),
    figures=(
        Figure.waiting(
            "open_flags", "item to moderate", "items to moderate", queue.open_count, 105, "admin.moderation.index"
        ),
    ),
)
