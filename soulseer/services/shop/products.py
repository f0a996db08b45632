"""The rules of a product (next-areas.md SH-1): what a product is and how admins (and, later,
readers) create and change one. The one home of these rules: forms only show them.

- Kind: digital (a file; no stock, no shipping) or physical (stock and a flat shipping price).
  Physical goods are the platform's only: a reader must never see a client's address.
- Price $1–$1,000 (100–100,000 cents); shipping $0–$100; stock 0–100,000.
- Title 3–120 characters, a summary of up to 200 for cards, a Markdown description of up to
  10,000 (rendered once, sanitised: community/rendering.py, F-3).
- A product is published only when it can be sold: a digital product needs its file.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from soulseer import clock
from soulseer.extensions import db
from soulseer.models import Product, ProductKind, ProductStatus
from soulseer.money import price_between
from soulseer.services.community.rendering import to_html, without_direction_controls
from soulseer.services.core import audit
from soulseer.services.marketplace import page_cache
from soulseer.services.marketplace.profiles import slugify
from soulseer.services.shop import files
from soulseer.services.shop.errors import ShopError

CATEGORIES = (
    ("guides", "Guides"),
    ("audio", "Audio"),
    ("courses", "Courses"),
    ("spreads", "Spreads"),
    ("crystals", "Crystals and tools"),
)
CATEGORY_LABELS = dict(CATEGORIES)
KIND_LABELS = {ProductKind.DIGITAL: "Digital", ProductKind.PHYSICAL: "Physical"}
STATUS_LABELS = {
    ProductStatus.DRAFT: "Draft",
    ProductStatus.PENDING: "Waiting for approval",
    ProductStatus.PUBLISHED: "For sale",
    ProductStatus.REJECTED: "Not approved",
    ProductStatus.ARCHIVED: "Withdrawn",
}
PRICE_MIN, PRICE_MAX = 100, 100_000
SHIPPING_MAX = 10_000
STOCK_MAX = 100_000
TITLE_MIN, TITLE_MAX = 3, 120
SUMMARY_MAX = 200
DESCRIPTION_MAX = 10_000


@dataclass(frozen=True)
class Details:
    """What a seller typed, as text (the service parses and checks it)."""

    kind: str
    title: str
    category: str
    price: str
    summary: str = ""
    description: str = ""
    stock: str = ""
    shipping: str = ""
    featured: bool = False


def _cents(text, field, low, high, what):
    return price_between(
        (text or "").strip(), low, high, lambda message: ShopError(message, field=field),
        "Enter an amount in dollars, like 12 or 12.50.", what + " is from {low} to {high}.",
    )  # fmt: skip


def _text(text):
    return without_direction_controls((text or "").strip())


def check(details, seller_id=None):
    """The product's columns from what was typed, or ShopError on the first wrong field."""
    if details.kind not in (ProductKind.DIGITAL, ProductKind.PHYSICAL):
        raise ShopError("Choose digital or physical.", field="kind")
    if details.kind == ProductKind.PHYSICAL and seller_id is not None:
        raise ShopError("Readers sell digital products only.", field="kind")
    title = re.sub(r"\s+", " ", _text(details.title))
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ShopError(f"Write a title of {TITLE_MIN} to {TITLE_MAX} characters.", field="title")
    if details.category not in CATEGORY_LABELS:
        raise ShopError("Choose a category.", field="category")
    summary = re.sub(r"\s+", " ", _text(details.summary))
    if len(summary) > SUMMARY_MAX:
        raise ShopError(f"Keep the summary to {SUMMARY_MAX} characters.", field="summary")
    description = _text(details.description)
    if len(description) > DESCRIPTION_MAX:
        raise ShopError(f"Keep the description to {DESCRIPTION_MAX:,} characters.", field="description")
    columns = {
        "kind": details.kind,
        "title": title,
        "category": details.category,
        "summary": summary,
        "description": description,
        "description_html": to_html(description) if description else "",
        "price_cents": _cents(details.price, "price", PRICE_MIN, PRICE_MAX, "The price"),
        "featured": bool(details.featured),
        "stock": None,
        "shipping_cents": 0,
    }
    if details.kind == ProductKind.PHYSICAL:
        stock_text = (details.stock or "").strip()
        if not stock_text.isdigit() or int(stock_text) > STOCK_MAX:
            raise ShopError(f"Enter how many are in stock, 0 to {STOCK_MAX:,}.", field="stock")
        columns["stock"] = int(stock_text)
        shipping = (details.shipping or "").strip() or "0"
        columns["shipping_cents"] = 0 if shipping == "0" else _cents(shipping, "shipping", 0, SHIPPING_MAX, "Shipping")
    return columns


def unique_slug(title, product_id=None):
    base = slugify(title)[:80].strip("-") or "product"
    taken = set(
        db.session.execute(
            sa.select(Product.slug).where(Product.slug.like(f"{base}%"), Product.id != (product_id or 0))
        ).scalars()
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _apply_uploads(product, file, picture):
    """Store a new file or picture (the old ones are removed once the row points at the new)."""
    old_key = old_prefix = None
    if file is not None:
        if product.kind != ProductKind.DIGITAL:
            raise ShopError("Only digital products have a file.", field="file")
        stored = files.store_file(product, file)
        old_key = product.file_key
        product.file_key, product.file_name = stored.key, stored.name
        product.file_type, product.file_size = stored.file_type.content_type, stored.size
    if picture is not None:
        old_prefix = product.image_prefix
        product.image_prefix = files.store_picture(product, picture)
    return old_key, old_prefix


def _check_sellable(product, status):
    if status == ProductStatus.PUBLISHED and product.kind == ProductKind.DIGITAL and not product.file_key:
        raise ShopError("Add the file buyers get before putting it on sale.", field="file")


def create(actor, details, seller=None, file=None, picture=None, status=ProductStatus.DRAFT):
    """A new product (the platform's when `seller` is None). Flushes to get its id (its files are
    stored under it); the caller commits. Raises ShopError, photos.PhotoError."""
    seller_id = seller.id if seller is not None else None
    product = Product(seller_id=seller_id, status=ProductStatus.DRAFT, **check(details, seller_id))
    product.slug = unique_slug(product.title)
    db.session.add(product)
    db.session.flush()
    _apply_uploads(product, file, picture)
    _set_status(product, status)
    audit.record(actor, "shop.product_created", product, after={"title": product.title, "status": product.status})
    page_cache.changed()  # visitors' shared home page shows featured products
    return product


def update(actor, product, details, file=None, picture=None, status=None):
    """Change a product; a new file or picture replaces the old one. Orders keep their snapshot
    (title and price as bought). Raises ShopError, photos.PhotoError."""
    before = {"title": product.title, "price_cents": product.price_cents, "status": product.status}
    columns = check(details, product.seller_id)
    if columns["kind"] != product.kind:
        raise ShopError("A product's kind cannot change once it exists: create a new product.", field="kind")
    for name, value in columns.items():
        setattr(product, name, value)
    old_key, old_prefix = _apply_uploads(product, file, picture)
    _set_status(product, status or product.status)
    audit.record(actor, "shop.product_updated", product, before=before, after={
        "title": product.title, "price_cents": product.price_cents, "status": product.status,
    })  # fmt: skip
    files.remove_file(old_key)
    files.remove_picture(old_prefix)
    page_cache.changed()
    return product


def _set_status(product, status):
    if status not in STATUS_LABELS:
        raise ShopError("Choose a state.", field="status")
    _check_sellable(product, status)
    if status == ProductStatus.PUBLISHED and product.published_at is None:
        product.published_at = clock.now()
    product.status = status


def get(product_id):
    return db.session.get(Product, product_id)


def platform_products(page, per_page=30):
    return db.paginate(
        sa.select(Product).where(Product.seller_id.is_(None)).order_by(Product.created_at.desc(), Product.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


# Readers' products: digital only, approved by an admin before they are for sale ----------------


def _screen(product):
    from soulseer.services.moderation import automatic

    automatic.screen("product", product)


def submit(reader, details, file=None, picture=None):
    """A reader's new digital product, waiting for an admin's approval; its text is screened.
    Raises ShopError, photos.PhotoError."""
    if details.kind != ProductKind.DIGITAL:
        raise ShopError("Readers sell digital products only.", field="kind")
    if file is None:
        raise ShopError("Add the file buyers get.", field="file")
    product = create(reader, details, seller=reader, file=file, picture=picture, status=ProductStatus.PENDING)
    _screen(product)
    return product


def own(reader, product_id):
    """The reader's own product, or ShopError 404 (another reader's is as good as missing)."""
    product = db.session.get(Product, product_id)
    if product is None or product.seller_id != reader.id:
        raise ShopError("There is no such product.", status=404)
    return product


def revise(reader, product_id, details, file=None, picture=None):
    """The reader changes her product: it waits for approval again (and leaves the shop meanwhile),
    unless she withdrew it. Its text is screened again."""
    product = own(reader, product_id)
    details = Details(**{**vars(details), "kind": ProductKind.DIGITAL, "featured": product.featured})
    status = product.status if product.status == ProductStatus.ARCHIVED else ProductStatus.PENDING
    update(reader, product, details, file=file, picture=picture, status=status)
    product.review_note = None
    _screen(product)
    return product


def withdraw(reader, product_id):
    """The reader takes her product out of the shop (orders and downloads of it go on)."""
    product = own(reader, product_id)
    product.status = ProductStatus.ARCHIVED
    audit.record(reader, "shop.product_withdrawn", product)
    page_cache.changed()
    return product


def of_seller(reader):
    return list(
        db.session.execute(
            sa.select(Product).where(Product.seller_id == reader.id).order_by(Product.created_at.desc())
        ).scalars()
    )


def waiting(page, per_page=30):
    """Readers' products waiting for an admin's decision, oldest first."""
    return db.paginate(
        sa.select(Product).where(Product.status == ProductStatus.PENDING).order_by(Product.updated_at, Product.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def waiting_count():
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.status == ProductStatus.PENDING)
    )


def decide(admin, product_id, approve, note=None):
    """An admin approves a reader's waiting product (it goes on sale) or refuses it with a reason
    the reader reads. The reader is notified. Raises ShopError (404, 409 not waiting, 422 reason)."""
    from soulseer.services.core import notifications

    product = db.session.execute(
        sa.select(Product).where(Product.id == product_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if product is None or product.seller_id is None:
        raise ShopError("There is no such product.", status=404)
    if product.status != ProductStatus.PENDING:
        raise ShopError("This product is not waiting for a decision.", status=409)
    note = " ".join((note or "").split())
    if approve:
        _set_status(product, ProductStatus.PUBLISHED)
        product.review_note = None
        text = f"Your product “{product.title}” is approved and in the shop."
    else:
        if not 5 <= len(note) <= 500:
            raise ShopError("Tell the reader why, in 5 to 500 characters.", field="note")
        product.status, product.review_note = ProductStatus.REJECTED, note
        text = f"Your product “{product.title}” was not approved: {note}"
    audit.record(admin, "shop.product_approved" if approve else "shop.product_rejected", product, reason=note or None)
    notifications.notify(product.seller_id, "system", text, link=notifications.path_for("reader.products_page"))
    page_cache.changed()
    return product
