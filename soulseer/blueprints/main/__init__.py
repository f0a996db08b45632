"""The home page and the content pages."""

from flask import Blueprint, abort, render_template

from soulseer import visitor_responses
from soulseer.services.community import authors
from soulseer.services.community import threads as community_threads
from soulseer.services.core import content
from soulseer.services.marketplace import page_cache, search
from soulseer.services.shop import catalogue
from soulseer.views import render

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The readers online now and the latest community threads are the same for everyone: a
    visitor's whole page is rendered once per marketplace version (community writes bump it too)."""

    def context():
        online = page_cache.html(
            "main/_online_readers.html",
            "",
            lambda: render_template("main/_online_readers.html", online_readers=search.online_now()),
        )
        latest = community_threads.latest()
        featured = catalogue.featured()
        return {
            "online_readers_html": online,
            "latest_threads": latest,
            "thread_authors": authors.authors(thread.author_id for thread in latest),
            "featured_products": featured,
            "profiles": catalogue.seller_profiles(featured),
        }

    return visitor_responses.page_for_visitors("main/home.html", "", context)


@bp.get("/pages/<slug>")
def page(slug):
    found = content.get_page(slug)
    if found is None:
        abort(404)
    return render("main/page.html", page=found, body=content.render_markdown(found.body_markdown))
