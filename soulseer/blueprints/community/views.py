"""Reading the community: the categories, a category's threads, a thread with its replies. Public
and indexable: each page has its canonical URL, a title and a description; a thread's URL with
another slug (a renamed thread, a mistyped link) redirects to the canonical one."""

import functools

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from soulseer import visitor_responses
from soulseer.blueprints.community import bp
from soulseer.blueprints.community.forms import ReplyForm
from soulseer.extensions import htmx
from soulseer.services.community import authors, categories, live, replies, stewardship, threads, writing
from soulseer.views import id_number, page_number, render

DESCRIPTION_LENGTH = 155


def viewer():
    return current_user if current_user.is_authenticated else None


def user_is_admin():
    return current_user.is_authenticated and current_user.is_admin


def _excerpt(html_text, length=DESCRIPTION_LENGTH):
    """A plain-text description of a post for search engines and link previews."""
    text = " ".join(Markup(html_text).striptags().split())  # noqa: S704 (our sanitised HTML; only its text is kept)
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


@bp.app_template_global()
def community_slug(thread):
    return writing.slug_for(thread.title)


@bp.app_template_global()
def community_author(found, user_id):
    return authors.of(found, user_id)


@bp.app_template_global()
def community_can_see_text(post):
    return replies.can_see_text(viewer(), post)


@bp.app_template_global()
def community_listed(thread):
    return threads.is_listed(thread)


@bp.get("")
def index():
    """The categories; an open tab reloads their list (the fragment) when a reply is posted. The
    whole page is the same for everyone but the layout: shared by visitors, kept for a signed-in
    client (visitor_responses.page_for_visitors; every change to a count bumps the version)."""

    def context():
        return {"summaries": categories.summaries(), "live_event": live.CATEGORIES_EVENT}

    if htmx:  # the fragment an open tab reloads (or, boosted, the whole page): rendered as asked
        return render("community/index.html", "community/_categories.html", **context())
    return visitor_responses.page_for_visitors("community/index.html", "index", context)


def _category_or_404(slug):
    category = categories.by_slug(slug)
    if category is None:
        abort(404)
    return category


@bp.get("/<slug>")
def category(slug):
    """A category's threads. Visitors share one rendering per page (visitor_responses); a page past
    the end is 404 before anything is stored."""
    category = _category_or_404(slug)
    page = page_number()

    def context():
        results = threads.listing(category, page)
        if page > 1 and page > results.pages:
            abort(404)
        return {
            "category": category,
            "results": results,
            "authors": authors.authors(t.author_id for t in results.items),
            "may_start": categories.may_start_thread(viewer(), category),
        }

    return visitor_responses.page_for_visitors(
        "community/category.html", f"{category.slug}:{page}", context, query=_page_query(page)
    )


def _page_query(page):
    return f"page={page}" if page > 1 else ""


def thread_page(thread_id, slug=None, status=200, reply_form=None, reply_to=None):
    """The thread with a page of its replies; the reply form (with its errors, after a refusal)."""
    thread = threads.get(thread_id)
    if thread is None or not threads.can_read(viewer(), thread):
        abort(404)
    canonical = threads.path_args(thread)
    page = page_number()
    if slug is not None and slug != canonical["slug"]:
        return redirect(url_for(".thread", **canonical, page=page if page > 1 else None), 301)
    if reply_form is None and reply_to is None:
        # A visitor's thread page is the same for every visitor: shared, like the home page. A
        # signed-in client's is kept for her until her Edit links change with time (below).
        context = functools.partial(_thread_context, thread, page, None, None)
        return visitor_responses.page_for_visitors(
            "community/thread.html", f"{thread.id}:{page}", context, query=_page_query(page), keep_until=_editable_until
        ), status
    return render_template("community/thread.html", **_thread_context(thread, page, reply_form, reply_to)), status


def _editable_until(context):
    """When the first of her own posts on this page stops being editable (None: she may edit none)."""
    shown = [context["thread"], *context["top"].items, *(a for group in context["answers"].values() for a in group)]
    return writing.edit_window_closes(viewer(), shown)


def _thread_context(thread, page, reply_form, reply_to):
    top, answers = replies.page(thread, page)
    if page > 1 and page > top.pages:
        abort(404)
    shown = [
        thread.author_id,
        *(p.author_id for p in top.items),
        *(a.author_id for group in answers.values() for a in group),
    ]
    parent = replies.get(reply_to) if reply_to else None
    if parent is not None and (parent.thread_id != thread.id or not replies.can_see_text(viewer(), parent)):
        parent = None
    if parent is not None and parent.parent_id:
        parent = replies.get(parent.parent_id)
    form = reply_form or ReplyForm(formdata=None, parent_id=parent.id if parent else None)
    return {
        "thread": thread,
        "category": thread.category,
        "top": top,
        "answers": answers,
        "authors": authors.authors(shown),
        "form": form,
        "replying_to": parent,
        "replying_to_name": authors.name_of(parent.author_id) if parent else None,
        "description": _excerpt(thread.body_html) if thread.body_html else thread.title,
        "open_problem": _open_problem(thread),
        "may": _permissions,
        "all_categories": categories.ordered() if user_is_admin() else (),
        "closed_by_reports": stewardship.CLOSED_BY_REPORTS,
        "newest_reply_id": replies.newest_id(thread),
        "live_event": live.thread_event(thread.id),
    }


def _open_problem(thread):
    """Why the thread takes no reply now (None: it does)."""
    try:
        replies.check_open(viewer(), thread)
    except writing.CommunityError as error:
        return error.message
    return None


def _permissions(content):
    user = viewer()
    return {"edit": writing.can_edit(user, content), "delete": writing.can_delete(user, content)}


@bp.get("/t/<int:thread_id>-<slug>")
def thread(thread_id, slug):
    return thread_page(thread_id, slug, reply_to=request.args.get("reply_to", type=id_number))


@bp.get("/t/<int:thread_id>/new-replies")
def new_replies(thread_id):
    """The "N new replies — show" line an open thread asks for when it hears of a reply (HTMX)."""
    thread = threads.get(thread_id)
    if thread is None or not threads.can_read(viewer(), thread):
        abort(404)
    count, first_id = live.new_replies(viewer(), thread, request.args.get("since", 0, type=id_number))
    return render_template("community/_new_replies.html", count=count, first_id=first_id)


@bp.get("/t/<int:thread_id>")
def thread_without_slug(thread_id):
    thread = threads.get(thread_id)
    if thread is None or not threads.can_read(viewer(), thread):
        abort(404)
    return redirect(url_for(".thread", **threads.path_args(thread)), 301)


@bp.get("/replies/<int:post_id>")
def reply_link(post_id):
    """A reply's permanent link: to the page of its thread that shows it."""
    from soulseer.services.community.moderation import post_url

    post = replies.get(post_id)
    if post is None or not threads.can_read(viewer(), post.thread):
        abort(404)
    return redirect(post_url(post), 303)
