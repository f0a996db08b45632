"""The wallet: top-ups (topups.py) and the wallet page with its history (history.py)."""

from flask import Blueprint

bp = Blueprint("wallet", __name__, url_prefix="/wallet")

from soulseer.blueprints.wallet import history, topups  # noqa: E402, F401  (routes register on bp)
