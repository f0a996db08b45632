"""Sign-up, sign-in (email and password, or Auth0), sign-out, email verification, password reset,
and the consent step."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from soulseer.blueprints.auth import auth0, views  # noqa: E402, F401  (routes register on bp)
