"""The account page: profile, security (password, email, sessions), export, deletion."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from soulseer.blueprints.account import views  # noqa: E402, F401  (routes register on bp)
