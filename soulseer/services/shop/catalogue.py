"""What everyone sees of the shop: the catalogue with its filters, search and pages; one product;
the featured products of the home page. Only products for sale (published, not hidden by
moderation, and from an active seller) are ever listed or shown to buyers."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from soulseer.extensions import db
from soulseer.models import Product, ProductKind, ProductStatus, ReaderProfile, User, UserStatus
from soulseer.services.shop.products import CATEGORY_LABELS

PER_PAGE = 24
SEARCH_MAX = 80
PLATFORM_SELLER = "soulseer"  # the seller filter's value for the platform's own products


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    category: str = ""
    seller: str = ""  # PLATFORM_SELLER, or a reader's profile slug
    q: str = ""

    @classmethod
    def from_args(cls, args):
        """Unknown values are dropped, never an error: a shared or edited URL still shows products."""
        kind = args.get("kind", "")
        category = args.get("category", "")
        return cls(
            kind=kind if kind in (ProductKind.DIGITAL, ProductKind.PHYSICAL) else "",
            category=category if category in CATEGORY_LABELS else "",
            seller=(args.get("seller", "") or "")[:90],
            q=" ".join((args.get("q", "") or "").split())[:SEARCH_MAX],
        )

    def active(self):
        return any((self.kind, self.category, self.seller, self.q))

    def args(self):
        return {name: value for name, value in vars(self).items() if value}


def for_sale():
    """The condition of a product buyers may see and buy."""
    seller_active = sa.or_(
        Product.seller_id.is_(None),
        sa.exists().where(User.id == Product.seller_id, User.status == UserStatus.ACTIVE),
    )
    return sa.and_(Product.status == ProductStatus.PUBLISHED, Product.hidden_at.is_(None), seller_active)


def _seller_condition(seller):
    if seller == PLATFORM_SELLER:
        return Product.seller_id.is_(None)
    return Product.seller_id == sa.select(ReaderProfile.user_id).where(ReaderProfile.slug == seller).scalar_subquery()


def _search_condition(q):
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(Product.title.ilike(pattern), Product.summary.ilike(pattern))


def browse(filters, page):
    """A page of products for sale matching `filters`, newest first."""
    # The cards show no description: leave the two longest columns in the table.
    statement = (
        sa.select(Product)
        .where(for_sale())
        .options(joinedload(Product.seller), defer(Product.description), defer(Product.description_html))
    )
    if filters.kind:
        statement = statement.where(Product.kind == filters.kind)
    if filters.category:
        statement = statement.where(Product.category == filters.category)
    if filters.seller:
        statement = statement.where(_seller_condition(filters.seller))
    if filters.q:
        statement = statement.where(_search_condition(filters.q))
    statement = statement.order_by(Product.published_at.desc(), Product.id.desc())
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)


def featured(limit=4):
    """The home page's "From the shop": featured products for sale, newest first."""
    return list(
        db.session.execute(
            sa.select(Product)
            .where(for_sale(), Product.featured.is_(True))
            .options(joinedload(Product.seller))
            .order_by(Product.published_at.desc(), Product.id.desc())
            .limit(limit)
        ).scalars()
    )


def sellers():
    """The seller filter's choices: the platform, then readers with a product for sale, by name."""
    rows = db.session.execute(
        sa.select(ReaderProfile.slug, ReaderProfile.display_name)
        .where(ReaderProfile.user_id.in_(sa.select(Product.seller_id).where(for_sale())))
        .order_by(ReaderProfile.display_name)
    ).all()
    return [(PLATFORM_SELLER, "SoulSeer"), *((slug, name) for slug, name in rows)]


def product_for_sale(slug):
    """The product at /shop/<slug>, or None when it is not for sale (a 404 for everyone)."""
    return db.session.execute(
        sa.select(Product).where(Product.slug == slug, for_sale()).options(joinedload(Product.seller))
    ).scalar_one_or_none()


def seller_profiles(products):
    """{reader user id: ReaderProfile} for the readers among these products' sellers (one query):
    cards and pages link a reader's product to her page."""
    ids = {product.seller_id for product in products if product.seller_id is not None}
    if not ids:
        return {}
    profiles = db.session.execute(sa.select(ReaderProfile).where(ReaderProfile.user_id.in_(ids))).scalars()
    return {profile.user_id: profile for profile in profiles}
