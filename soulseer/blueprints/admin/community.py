"""Admin → Community (/admin/community): the categories' names, descriptions and order; and the
actions admins take from a thread's page (pin, lock with a reason, move; remove the thread or a
reply). Reported threads and replies are in the one moderation queue (Admin → Moderation). Rules:
services/community and services/moderation/visibility.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.registry import Section
from soulseer.blueprints.community.forms import CategoryForm
from soulseer.extensions import db
from soulseer.services.community import categories, replies, stewardship, threads
from soulseer.services.community.moderation import post_url, thread_url
from soulseer.services.community.writing import CommunityError
from soulseer.services.moderation import visibility
from soulseer.services.moderation.items import ModerationError
from soulseer.views import id_number, refused

bp = Blueprint("community", __name__)


def _forms(failed=None, failed_id=None):
    forms = {}
    for category in categories.ordered():
        if failed is not None and category.id == failed_id:
            forms[category.id] = failed
        else:
            forms[category.id] = CategoryForm(formdata=None, obj=category, prefix=f"c{category.id}")
    return forms


def _index_page(status=200, failed=None, failed_id=None):
    return render_template(
        "admin/community/index.html",
        summaries=categories.summaries(),
        forms=_forms(failed, failed_id),
    ), status


@bp.get("/community")
def index():
    return _index_page()


@bp.post("/community/categories/<int:category_id>")
def update_category(category_id):
    form = CategoryForm(prefix=f"c{category_id}")
    try:
        category = categories.update(
            current_user, category_id, form.name.data, form.description.data, form.position.data
        )
    except CommunityError as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        return refused(error, _index_page, form, failed=form, failed_id=category_id)
    db.session.commit()
    flash(f"{category.name}: saved.", "success")
    return redirect(url_for(".index", _anchor=f"category-{category_id}"), 303)


def _back(thread_id):
    thread = threads.get(thread_id) if thread_id else None
    return redirect(thread_url(thread) if thread else url_for(".index"), 303)


ACTIONS = {
    "pin": (lambda thread_id: stewardship.pin(current_user, thread_id), "Pinned: it comes first in its category."),
    "unpin": (lambda thread_id: stewardship.unpin(current_user, thread_id), "No longer pinned."),
    "lock": (
        lambda thread_id: stewardship.lock(current_user, thread_id, request.form.get("reason")),
        "Locked: the thread takes no more replies and says why.",
    ),
    "unlock": (lambda thread_id: stewardship.unlock(current_user, thread_id), "Unlocked: replies are open again."),
    "move": (
        lambda thread_id: stewardship.move(current_user, thread_id, request.form.get("category", type=id_number)),
        "Moved.",
    ),
}


@bp.post("/community/threads/<int:thread_id>/<action>")
def thread_action(thread_id, action):
    """A thread's admin action from its page; a refusal is flashed there (no form to hold it)."""
    if action not in ACTIONS:
        abort(404)
    change, done = ACTIONS[action]
    try:
        change(thread_id)
    except CommunityError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return _back(thread_id)
    db.session.commit()
    flash(done, "success")
    return _back(thread_id)


# What an admin removes from (or shows again on) a thread's page, by the URL's word: the kind.
REMOVABLE = {"threads": "community_thread", "replies": "community_post"}
DECISIONS = {
    "remove": (visibility.hide, "Removed: others see that a moderator removed it; its author still sees it, marked."),
    "restore": (visibility.restore, "Shown again to everyone."),
}


@bp.post("/community/threads/<int:content_id>/remove", defaults={"what": "threads", "decision": "remove"})
@bp.post("/community/threads/<int:content_id>/restore", defaults={"what": "threads", "decision": "restore"})
@bp.post("/community/replies/<int:content_id>/<any(remove, restore):decision>", defaults={"what": "replies"})
def visibility_decision(what, content_id, decision):
    """An admin removes a thread or a reply they see on its page, reported or not (F-8: "when any
    admin hides it"), or shows it again: moderation's own hide and restore (audit `<kind>.hidden` /
    `.shown`; an open queue item on it is decided); others see "removed by a moderator" meanwhile.
    A refusal is flashed on the thread's page."""
    change, done = DECISIONS[decision]
    try:
        content = change(REMOVABLE[what], content_id, request.form.get("reason"), current_user)
    except ModerationError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return _back(content_id if what == "threads" else _thread_of(content_id))
    db.session.commit()
    flash(done, "success")
    if what == "threads":
        return _back(content.id)
    return redirect(post_url(content), 303)


def _thread_of(post_id):
    post = replies.get(post_id)
    return post.thread_id if post else None


section = Section("community", "Community", bp, order=45)
