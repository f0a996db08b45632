"""The shop's forms. The rules (quantity, address, product fields) are the service's
(services/shop/buying.py, products.py); the hints say them."""

from flask import request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import FileField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from soulseer.services.shop import buying, files, products

QUANTITIES = [SelectChoice(str(n)) for n in range(1, buying.QUANTITY_MAX + 1)]


class AddressFields(FlaskForm):
    """Where a physical order goes (BuyForm; the TEST checkout, standing in for Stripe's)."""

    ship_name = StringField("Full name")
    ship_line1 = StringField("Street address")
    ship_line2 = StringField("Apartment, suite (optional)")
    ship_city = StringField("City")
    ship_region = StringField("State")
    ship_postal_code = StringField("ZIP code")
    ship_country = SelectField("Country")

    def address(self):
        return buying.Address(
            name=self.ship_name.data,
            line1=self.ship_line1.data,
            line2=self.ship_line2.data,
            city=self.ship_city.data,
            region=self.ship_region.data,
            postal_code=self.ship_postal_code.data,
            country=self.ship_country.data,
        )


class BuyForm(AddressFields):
    """Buy now from the wallet."""

    request_key = HiddenField()
    quantity = SelectField("Quantity", choices=QUANTITIES)


class CardBuyForm(FlaskForm):
    """Pay by card (Stripe Checkout asks where to ship). It sits on the product page beside the
    wallet's form, so its fields have names (and ids) of their own."""

    card_request_key = HiddenField()
    card_quantity = SelectField("How many", choices=QUANTITIES)


class TestCheckoutForm(AddressFields):
    """The TEST checkout of a card order (test payments): the address, as Checkout would ask it."""


class ProductFields(FlaskForm):
    """What every seller writes about a product (the admin's form adds kind, stock and the rest)."""

    title = StringField("Title", description=f"{products.TITLE_MIN} to {products.TITLE_MAX} characters.")
    category = SelectField("Category", choices=[SelectChoice(value, label) for value, label in products.CATEGORIES])
    price = StringField("Price (USD)", description="From $1 to $1,000, like 12 or 12.50.")
    summary = StringField("Summary", description=f"One line for the cards, up to {products.SUMMARY_MAX} characters.")
    description = TextAreaField(
        "Description",
        description=f"Up to {products.DESCRIPTION_MAX:,} characters. Markdown works: **bold**, *italic*, lists, links.",
    )
    file = FileField("File buyers get", description=f"{files.ACCEPTED}, up to 200 MB.")
    picture = FileField("Picture", description="JPEG, PNG or WebP, up to 5 MB. Shown square.")

    def details(self, kind="digital", **more):
        return products.Details(
            kind=kind,
            title=self.title.data,
            category=self.category.data,
            price=self.price.data,
            summary=self.summary.data,
            description=self.description.data,
            **more,
        )

    def fill_from(self, product):
        """The form as the product is (a GET of its editor)."""
        self.price.data = f"{product.price_cents / 100:.2f}"


def upload(field):
    """The file chosen in a FileField, or None when none was."""
    data = field.data
    return data if isinstance(data, FileStorage) and data.filename else None


UPLOAD_ALLOWANCE = 8 * 1024 * 1024  # the picture and the rest of the form, beside the file


def allow_product_files(blueprint, endpoints, may_upload):
    """A product form carries a file of up to SHOP_MAX_FILE_BYTES (the site's limit is 6 MB). The
    limit is raised in a URL preprocessor because those run before every before_request hook, and
    CSRF's reads the form in one; only for `endpoints` and a signed-in `may_upload(user)`, so
    nobody else can send that much."""

    @blueprint.url_value_preprocessor
    def _allow(endpoint, values):
        if endpoint in endpoints and current_user.is_authenticated and may_upload(current_user):
            request.max_content_length = files.max_bytes() + UPLOAD_ALLOWANCE
