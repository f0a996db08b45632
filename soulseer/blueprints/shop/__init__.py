"""The shop (/shop, /orders; docs/shop.md): the catalogue and product pages are public; buying,
orders and downloads are the signed-in buyer's."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from soulseer.blueprints.shop import orders, views  # noqa: E402, F401  (routes register on bp)
