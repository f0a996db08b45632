"""Admin → Pages: the site's footer pages, edited as Markdown, previewed, saved as versions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from soulseer.blueprints.admin.forms import PageForm
from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.services.accounts import ChangeRefused
from soulseer.services.core import content, content_editing
from soulseer.views import refused, render

bp = Blueprint("pages", __name__)


@bp.get("/pages")
def index():
    return render_template("admin/pages/index.html", pages=content_editing.pages())


def _page_or_404(slug):
    page = content_editing.page_or_default(slug)
    if page is None:
        abort(404)
    return page


def _editor(page, form, status=200, preview=None):
    return render_template("admin/pages/edit.html", page=page, form=form, preview=preview), status


@bp.route("/pages/<slug>", methods=["GET", "POST"])
def edit_page(slug):
    page = _page_or_404(slug)
    if request.method == "GET":
        form = PageForm(formdata=None, title=page.title, body_markdown=page.body_markdown, version=page.version)
        return _editor(page, form)
    form = PageForm()
    if not form.validate():
        return _editor(page, form, 422)
    try:
        saved = content_editing.save(current_user, slug, form.title.data, form.body_markdown.data, form.version.data)
    except ChangeRefused as error:  # 409: someone saved since, nothing changed, or a field is wrong
        preview = content.render_markdown(form.body_markdown.data)
        return refused(error, _editor, form, page=page, form=form, preview=preview)
    db.session.commit()
    message = f"{saved.title} saved as version {saved.version}."
    if slug == "terms":
        message += " Everyone, you included, is asked to accept the new Terms at their next visit."
    flash(message, "success")
    return redirect(url_for(".edit_page", slug=slug))


@bp.post("/pages/<slug>/preview")
def preview_page(slug):
    """The sanitised rendering of the text being edited; nothing is saved."""
    page = _page_or_404(slug)
    form = PageForm()
    form.validate()
    preview = content.render_markdown(form.body_markdown.data or "")
    return render("admin/pages/edit.html", "admin/pages/_preview.html", page=page, form=form, preview=preview)


section = Section("pages", "Pages", bp, order=90)
