"""Writing in the community (sign-in required): starting a thread, replying, previewing, editing
within 24 hours, deleting. Refusals come back on the form (soulseer.views.refused) with their
status: 422 a size, 403 not yours or Announcements, 404 gone, 409 locked, 429 too fast (with
Retry-After). What screening found is told to the writer only (moderation notices)."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from soulseer.blueprints.community import bp
from soulseer.blueprints.community.forms import ReplyForm, ThreadForm
from soulseer.blueprints.community.views import _category_or_404, thread_page
from soulseer.blueprints.moderation.notices import tell_writer
from soulseer.extensions import db, htmx
from soulseer.services.community import authors, categories, rendering, replies, threads, writing
from soulseer.services.community.moderation import post_url, thread_url
from soulseer.services.community.writing import CommunityError
from soulseer.views import id_number, refused


def _previewing():
    return request.form.get("action") == "preview"


@bp.post("/preview")
@login_required
def preview():
    """The Markdown as it will read (HTMX swaps it under the form)."""
    text = request.form.get("body", "")[: writing.TOPIC_MAX * 2]
    return render_template("community/_preview.html", preview_html=rendering.to_html(text))


def _new_thread_page(category, form, status=200, preview_html=None):
    if not categories.may_start_thread(current_user, category):
        abort(403)
    return render_template("community/new_thread.html", category=category, form=form, preview_html=preview_html), status


@bp.route("/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug):
    category = _category_or_404(slug)
    form = ThreadForm() if request.method == "POST" else ThreadForm(formdata=None)

    def save(form):
        return threads.start(current_user, category, form.title.data, form.body.data)

    return _write(form, _new_thread_page, save, thread_url, category=category)


def _write(form, page, save, done, **context):
    """The house pattern of the community's forms. GET, or the Preview button without HTMX: the
    page (with the preview). Posted: `save(form)` (a service call), then the writer is told what
    screening found and sent to `done(content)`; a refusal comes back on the form."""
    if request.method == "GET" or _previewing():
        preview_html = rendering.to_html(form.body.data) if _previewing() and form.body.data else None
        return page(form=form, preview_html=preview_html, **context)
    if not form.validate():
        abort(400)
    try:
        content = save(form)
    except CommunityError as error:
        return refused(error, page, form, form=form, **context)
    db.session.commit()
    tell_writer(content)
    return redirect(done(content), 303)


def _delete(content, remove, done):
    try:
        remove(current_user, content)
    except CommunityError as error:
        db.session.rollback()
        abort(error.status)
    db.session.commit()
    return redirect(done, 303)


def _check_editable(content):
    """Opening the edit page: someone else's is 403, past the 24 hours or deleted 409."""
    if not writing.can_edit(current_user, content):
        abort(403 if content.author_id != current_user.id else 409)


def _thread_or_404(thread_id):
    thread = threads.get(thread_id)
    if thread is None or not threads.can_read(current_user, thread):
        abort(404)
    return thread


@bp.post("/t/<int:thread_id>/replies")
@login_required
def reply(thread_id):
    thread = _thread_or_404(thread_id)
    form = ReplyForm()
    if not form.validate():
        abort(400)
    parent_id = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    try:
        post = replies.create(current_user, thread, form.body.data, parent_id=parent_id)
    except CommunityError as error:
        if error.status == 404:
            db.session.rollback()
            abort(404)
        return refused(error, thread_page, form, thread_id=thread_id, reply_form=form, reply_to=parent_id)
    db.session.commit()
    tell_writer(post)
    return redirect(post_url(post), 303)


@bp.get("/t/<int:thread_id>/reply-form")
@login_required
def reply_form(thread_id):
    """The reply form under one reply, loaded in place (HTMX); without HTMX the thread page."""
    thread = _thread_or_404(thread_id)
    to = request.args.get("to", type=id_number)
    if not htmx:
        return redirect(url_for(".thread", **threads.path_args(thread), reply_to=to, _anchor="reply"), 303)
    parent = replies.get(to) if to else None
    if parent is None or parent.thread_id != thread.id or not replies.can_see_text(current_user, parent):
        abort(404)
    parent = replies.get(parent.parent_id) if parent.parent_id else parent
    form = ReplyForm(formdata=None, parent_id=parent.id)
    return render_template(
        "community/_reply_form.html",
        thread=thread,
        form=form,
        replying_to=parent,
        replying_to_name=authors.name_of(parent.author_id),
        inline=True,
    )


def _edit_thread_page(thread, form, status=200, preview_html=None):
    return render_template("community/edit_thread.html", thread=thread, form=form, preview_html=preview_html), status


@bp.route("/t/<int:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit_thread(thread_id):
    thread = _thread_or_404(thread_id)
    if request.method == "GET":
        _check_editable(thread)
    form = ThreadForm() if request.method == "POST" else ThreadForm(formdata=None, obj=thread)

    def save(form):
        return threads.edit(current_user, thread, form.title.data, form.body.data)

    return _write(form, _edit_thread_page, save, thread_url, thread=thread)


@bp.post("/t/<int:thread_id>/delete")
@login_required
def delete_thread(thread_id):
    thread = _thread_or_404(thread_id)
    return _delete(thread, threads.delete, url_for(".category", slug=thread.category.slug))


def _reply_or_404(post_id):
    post = replies.get(post_id)
    if post is None or not threads.can_read(current_user, post.thread) or not replies.can_see_text(current_user, post):
        abort(404)
    return post


def _edit_reply_page(post, form, status=200, preview_html=None):
    page = render_template(
        "community/edit_reply.html", post=post, thread=post.thread, form=form, preview_html=preview_html
    )
    return page, status


@bp.route("/replies/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_reply(post_id):
    post = _reply_or_404(post_id)
    if request.method == "GET":
        _check_editable(post)
    form = ReplyForm() if request.method == "POST" else ReplyForm(formdata=None, obj=post)

    def save(form):
        return replies.edit(current_user, post, form.body.data)

    return _write(form, _edit_reply_page, save, post_url, post=post)


@bp.post("/replies/<int:post_id>/delete")
@login_required
def delete_reply(post_id):
    post = _reply_or_404(post_id)
    return _delete(post, replies.delete, post_url(post))
