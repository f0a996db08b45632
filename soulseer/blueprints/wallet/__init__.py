"""The wallet: the wallet page with its history (history.py), and top-ups."""

from flask import Blueprint

bp = Blueprint("wallet", __name__, url_prefix="/wallet")

from soulseer.blueprints.wallet import history  # noqa: E402, F401  (routes register on bp)
