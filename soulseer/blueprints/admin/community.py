"""Admin → Community (/admin/community): the categories' names, descriptions and order; and the
thread actions admins take from a thread's page (pin, lock with a reason, move). Reported threads
and replies are in the one moderation queue (Admin → Moderation). Rules: services/community."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.registry import Section
from soulseer.blueprints.community.forms import CategoryForm
from soulseer.extensions import db
from soulseer.services.community import categories, stewardship, threads
from soulseer.services.community.moderation import thread_url
from soulseer.services.community.writing import CommunityError
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
    thread = threads.get(thread_id)
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


section = Section("community", "Community", bp, order=45)
