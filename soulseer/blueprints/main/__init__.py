"""The home page and the content pages."""

from flask import Blueprint, abort, render_template

from soulseer import visitor_responses
from soulseer.services import content
from soulseer.services.marketplace import page_cache, search
from soulseer.views import render

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The readers online now are the same for everyone: rendered once per marketplace version
    (and a visitor's whole page with them)."""

    def context():
        online = page_cache.html(
            "main/_online_readers.html",
            "",
            lambda: render_template("main/_online_readers.html", online_readers=search.online_now()),
        )
        return {"online_readers_html": online}

    return visitor_responses.page_for_visitors("main/home.html", "", context)


@bp.get("/pages/<slug>")
def page(slug):
    found = content.get_page(slug)
    if found is None:
        abort(404)
    return render("main/page.html", page=found, body=content.render_markdown(found.body_markdown))
