"""The community (/community; docs/community.md): public to read, sign-in to write."""

from flask import Blueprint

bp = Blueprint("community", __name__, url_prefix="/community")

from soulseer.blueprints.community import views, writing  # noqa: E402, F401  (routes register on bp)
