"""Admin → Products (/admin/products): the platform's own products — create, edit, put on sale or
withdraw, with the file buyers get and a picture. Every change is audit-logged. Rules:
services/shop/products.py."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, FileField, SelectChoice, SelectField, StringField, TextAreaField

from soulseer.blueprints.admin.registry import Section
from soulseer.extensions import db
from soulseer.models import ProductStatus
from soulseer.services.marketplace import photos
from soulseer.services.shop import files, products
from soulseer.services.shop.errors import ShopError
from soulseer.views import page_number, refused

bp = Blueprint("products", __name__)

ADMIN_STATUSES = (ProductStatus.DRAFT, ProductStatus.PUBLISHED, ProductStatus.ARCHIVED)
UPLOAD_ALLOWANCE = 8 * 1024 * 1024  # the picture and the rest of the form, beside the file


class ProductForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(value, label) for value, label in products.KIND_LABELS.items()])
    title = StringField("Title", description=f"{products.TITLE_MIN} to {products.TITLE_MAX} characters.")
    category = SelectField("Category", choices=[SelectChoice(value, label) for value, label in products.CATEGORIES])
    price = StringField("Price (USD)", description="From $1 to $1,000, like 12 or 12.50.")
    summary = StringField("Summary", description=f"One line for the cards, up to {products.SUMMARY_MAX} characters.")
    description = TextAreaField(
        "Description",
        description=f"Up to {products.DESCRIPTION_MAX:,} characters. Markdown works: **bold**, *italic*, lists, links.",
    )
    stock = StringField("In stock", description="Physical products: how many are on the shelf now.")
    shipping = StringField("Shipping (USD)", description="Physical products: a flat price per order, $0 to $100.")
    file = FileField("File buyers get", description=f"Digital products: {files.ACCEPTED}, up to 200 MB.")
    picture = FileField("Picture", description="JPEG, PNG or WebP, up to 5 MB. Shown square.")
    featured = BooleanField("Feature it on the home page")
    status = SelectField(
        "State", choices=[SelectChoice(status, products.STATUS_LABELS[status]) for status in ADMIN_STATUSES]
    )

    def details(self):
        return products.Details(
            kind=self.kind.data,
            title=self.title.data,
            category=self.category.data,
            price=self.price.data,
            summary=self.summary.data,
            description=self.description.data,
            stock=self.stock.data,
            shipping=self.shipping.data,
            featured=self.featured.data,
        )


def _upload(field):
    upload = field.data
    return upload if isinstance(upload, FileStorage) and upload.filename else None


@bp.url_value_preprocessor
def _allow_large_upload(endpoint, values):
    """An admin's product form carries a file of up to SHOP_MAX_FILE_BYTES (the site's limit is
    6 MB). Set here because URL preprocessors run before every before_request hook, and CSRF's
    reads the form in one; only for a signed-in admin, so nobody else can send that much."""
    if endpoint in ("admin.products.create", "admin.products.update") and getattr(current_user, "is_admin", False):
        request.max_content_length = files.max_bytes() + UPLOAD_ALLOWANCE


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
    form.price.data = f"{product.price_cents / 100:.2f}"
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
            file=_upload(form.file),
            picture=_upload(form.picture),
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
            current_user, product, form.details(), file=_upload(form.file), picture=_upload(form.picture),
            status=form.status.data,
        )  # fmt: skip
    except (ShopError, photos.PhotoError) as error:

        def page(status):
            return _form_page(form, _own_product(product_id), status)

        return refused(error, page, form, field_names={"photo": "picture"})
    db.session.commit()
    flash(f"{product.title}: saved ({products.STATUS_LABELS[product.status].lower()}).", "success")
    return redirect(url_for(".edit", product_id=product.id), 303)


section = Section(
    key="products", label="Products", blueprint=bp, order=75, links=(("index", None), ("new", "New product"))
)
