"""Admin → Products (/admin/products): the platform's own products — create, edit, put on sale or
withdraw, with the file buyers get and a picture — and readers' products waiting for approval
(approve, or refuse with a reason the reader reads). Every change is audit-logged. Rules:
services/shop/products.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField

from soulseer.blueprints.admin.registry import Badge, Section
from soulseer.blueprints.shop.forms import ProductFields, allow_product_files, upload
from soulseer.extensions import db
from soulseer.models import ProductStatus
from soulseer.services.marketplace import photos
from soulseer.services.shop import products
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number, refused

bp = Blueprint("products", __name__)

ADMIN_STATUSES = (ProductStatus.DRAFT, ProductStatus.PUBLISHED, ProductStatus.ARCHIVED)


class ProductForm(ProductFields):
    kind = SelectField("Kind", choices=[SelectChoice(value, label) for value, label in products.KIND_LABELS.items()])
    stock = StringField("In stock", description="Physical products: how many are on the shelf now.")
    shipping = StringField("Shipping (USD)", description="Physical products: a flat price per order, $0 to $100.")
    featured = BooleanField("Feature it on the home page")
    status = SelectField(
        "State", choices=[SelectChoice(status, products.STATUS_LABELS[status]) for status in ADMIN_STATUSES]
    )

    def details(self):
        return super().details(
            kind=self.kind.data, stock=self.stock.data, shipping=self.shipping.data, featured=self.featured.data
        )


allow_product_files(bp, ("admin.products.create", "admin.products.update"), lambda user: user.is_admin)


@bp.get("/products")
def index():
    return render_template(
        "admin/products/index.html",
        results=products.platform_products(page_number()),
        product_status_labels=products.STATUS_LABELS,
    )


def _form_page(form, product=None, status=200):
    return render_template("admin/products/form.html", form=form, product=product), status


def _form_for(product):
    form = ProductForm(formdata=None, obj=product)
    form.fill_from(product)
    form.stock.data = "" if product.stock is None else str(product.stock)
    form.shipping.data = f"{product.shipping_cents / 100:.2f}" if product.shipping_cents else ""
    return form


@bp.get("/products/new")
def new():
    return _form_page(ProductForm(formdata=None, status=ProductStatus.DRAFT))


@bp.post("/products")
def create():
    form = ProductForm()
    try:
        product = products.create(
            current_user,
            form.details(),
            file=upload(form.file),
            picture=upload(form.picture),
            status=form.status.data,
        )
    except (ShopError, photos.PhotoError) as error:
        return refused(error, lambda status: _form_page(form, status=status), form, field_names={"photo": "picture"})
    db.session.commit()
    flash(f"{product.title}: saved ({products.STATUS_LABELS[product.status].lower()}).", "success")
    return redirect(url_for(".edit", product_id=product.id), 303)


def _own_product(product_id):
    product = products.get(product_id)
    if product is None or product.seller_id is not None:
        abort(404)
    return product


@bp.get("/products/<int:product_id>")
def edit(product_id):
    product = _own_product(product_id)
    return _form_page(_form_for(product), product)


@bp.post("/products/<int:product_id>")
def update(product_id):
    product = _own_product(product_id)
    form = ProductForm()
    try:
        products.update(
            current_user, product, form.details(), file=upload(form.file), picture=upload(form.picture),
            status=form.status.data,
        )  # fmt: skip
    except (ShopError, photos.PhotoError) as error:

        def page(status):
            return _form_page(form, _own_product(product_id), status)

        return refused(error, page, form, field_names={"photo": "picture"})
    db.session.commit()
    flash(f"{product.title}: saved ({products.STATUS_LABELS[product.status].lower()}).", "success")
    return redirect(url_for(".edit", product_id=product.id), 303)


class DecisionForm(FlaskForm):
    note = TextAreaField("Why not (for the reader)", description="5 to 500 characters; needed to refuse.")


@bp.get("/products/waiting")
def waiting():
    """Readers' products waiting for approval, oldest first, each with its decision form."""
    return render_template(
        "admin/products/waiting.html",
        results=products.waiting(page_number()),
        form=DecisionForm(formdata=None),
        category_labels=products.CATEGORY_LABELS,
    )


@bp.post("/products/<int:product_id>/decide")
def decide(product_id):
    form = DecisionForm()
    approve = request.form.get("decision") == "approve"
    try:
        product = products.decide(current_user, product_id, approve, form.note.data)
    except ShopError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for(".waiting", _anchor=f"product-{product_id}"), 303)
    db.session.commit()
    flash(
        f"“{product.title}”: {'approved, now in the shop' if approve else 'refused'}; the reader was told.", "success"
    )
    return redirect(url_for(".waiting"), 303)


section = Section(
    key="products",
    label="Products",
    blueprint=bp,
    order=75,
    links=(("index", None), ("waiting", "Readers' products"), ("new", "New product")),
    badge=Badge(products.waiting_count, "waiting"),
)
