"""The catalogue (/shop), a product's page (/shop/<slug>) and "Buy now" from the wallet."""

import secrets
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from wtforms import SelectChoice

from soulseer import visitor_responses
from soulseer.blueprints.shop import bp
from soulseer.blueprints.shop.forms import BuyForm, CardBuyForm
from soulseer.extensions import db, htmx, limiter
from soulseer.services import commerce
from soulseer.services.payments import wallet
from soulseer.services.payments.topups import stripe_configured, test_payments_enabled
from soulseer.services.shop import buying, catalogue, checkout, files
from soulseer.services.shop.errors import ShopError
from soulseer.services.shop.products import CATEGORIES, CATEGORY_LABELS
from soulseer.views import page_number, refused, render

COUNTRY_NAMES = {"US": "United States", "CA": "Canada", "GB": "United Kingdom", "AU": "Australia"}


@bp.app_template_global()
def shop_picture(product, size=320):
    return files.picture_url(product, size)


@bp.app_template_global()
def shop_file_type(product):
    return files.type_label(product.file_type)


@bp.app_template_filter("filesize")
def filesize(size):
    """1536 -> '1.5 KB', 5_300_000 -> '5.1 MB'."""
    size = size or 0
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


@bp.get("/shop")
def index():
    """The catalogue: filters, search and pages in the URL; HTMX swaps only the results."""
    filters = catalogue.Filters.from_args(request.args)
    page = page_number()

    def context():
        results = catalogue.browse(filters, page)
        return {
            "filters": filters,
            "results": results,
            "categories": CATEGORIES,
            "category_labels": CATEGORY_LABELS,
            "sellers": catalogue.sellers(),
            "profiles": catalogue.seller_profiles(results.items),
        }

    if htmx or filters.q:
        return render("shop/index.html", "shop/_results.html", **context())
    # A visitor's page of the catalogue (unsearched) is the same for every visitor: rendered once
    # per marketplace version and shared (visitor_responses; product changes bump the version). A
    # signed-in client's is the same list in her own layout: kept for her while neither changes.
    query = urlencode({**filters.args(), **({"page": page} if page > 1 else {})})
    return visitor_responses.page_for_visitors("shop/index.html", query or "first", context, query=query)


def _buy_form(formdata=None):
    form = BuyForm(formdata=formdata)
    form.ship_country.choices = [
        SelectChoice(code, COUNTRY_NAMES.get(code, code)) for code in buying.shipping_countries()
    ]
    if formdata is None:
        form.request_key.data = secrets.token_urlsafe(16)
    return form


def _card_form(formdata=None):
    form = CardBuyForm(formdata=formdata)
    if formdata is None:
        form.card_request_key.data = secrets.token_urlsafe(16)
    return form


def _product_page(product, form=None, status=200, card_form=None, **context):
    return render_template(
        "shop/show.html",
        countries=[COUNTRY_NAMES.get(code, code) for code in buying.shipping_countries()],
        product=product,
        form=form or _buy_form(),
        card_form=card_form or _card_form(),
        card_payments=stripe_configured() or test_payments_enabled(),
        category_labels=CATEGORY_LABELS,
        profiles=catalogue.seller_profiles([product]),
        balance=wallet.balance(current_user) if current_user.is_authenticated else None,
        **context,
    ), status


def _refused_on_product_page(error, slug, form, field_names=None, card_form=None, **context):
    """A buy form refused: 403/404 as such, anything else the product page again with the message
    on `form` (the wallet's or the card's), nothing kept."""
    if error.status in (403, 404) and isinstance(error, ShopError):
        db.session.rollback()
        abort(error.status)

    def page(status, **context):
        fresh = catalogue.product_for_sale(slug)
        if fresh is None:
            abort(404)
        wallet_form = None if card_form is not None else form
        return _product_page(fresh, wallet_form, status, card_form=card_form, **context)

    return refused(error, page, form, field_names=field_names, **context)


@bp.get("/shop/<slug>")
def product(slug):
    found = catalogue.product_for_sale(slug)
    if found is None:
        abort(404)
    return _product_page(found)


@bp.post("/shop/<slug>/buy")
@login_required
def buy(slug):
    """Buy now from the wallet: the order is paid or nothing is kept."""
    found = catalogue.product_for_sale(slug)
    if found is None:
        abort(404)
    form = _buy_form(request.form)
    try:
        order = buying.buy_from_wallet(
            current_user, found.id, form.quantity.data, form.request_key.data, form.address()
        )
    except (ShopError, commerce.NotEnoughFunds, commerce.SpendingFrozen) as error:
        return _refused_on_product_page(error, slug, form, top_up=isinstance(error, commerce.NotEnoughFunds))
    db.session.commit()
    flash(f"Thank you: order #{order.id} is paid.", "success")
    return redirect(url_for("shop.order", order_id=order.id), 303)


def _per_user():
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.post("/shop/<slug>/checkout")
@login_required
@limiter.limit("10 per minute;60 per hour", key_func=_per_user)  # each one holds stock for 30 minutes
def pay_by_card(slug):
    """Pay by card: the order is made and its stock reserved, then Stripe Checkout (or the TEST
    checkout) takes the payment; the webhook alone marks it paid."""
    found = catalogue.product_for_sale(slug)
    if found is None:
        abort(404)
    form = _card_form(request.form)
    try:
        order = checkout.start(
            current_user, found.id, form.card_quantity.data, form.card_request_key.data,
            return_url=lambda order: url_for("shop.order", order_id=order.id, _external=True),
            cancel_url=url_for("shop.product", slug=found.slug, _external=True),
            test_checkout_url=lambda order: url_for("shop.test_checkout", order_id=order.id),
        )  # fmt: skip
    except ShopError as error:
        return _refused_on_product_page(error, slug, form, card_form=form, field_names={"quantity": "card_quantity"})
    if order.payment_status != "pending" or not order.checkout_url:
        return redirect(url_for("shop.order", order_id=order.id), 303)  # this form was paid (or given up)
    return redirect(order.checkout_url, 303)
