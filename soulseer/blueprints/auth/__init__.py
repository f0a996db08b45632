"""Sign-up, sign-in, sign-out, email verification, password reset, and the consent step."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from soulseer.blueprints.auth import views  # noqa: E402, F401  (routes register on bp)
