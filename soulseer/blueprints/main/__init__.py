"""The home page and the content pages."""

from flask import Blueprint, abort

from soulseer.services import content, marketplace
from soulseer.views import render

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render("main/home.html", online_readers=marketplace.online_now())


@bp.get("/pages/<slug>")
def page(slug):
    found = content.get_page(slug)
    if found is None:
        abort(404)
    return render("main/page.html", page=found, body=content.render_markdown(found.body_markdown))
