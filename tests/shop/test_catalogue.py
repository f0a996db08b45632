"""The catalogue (/shop), a product's page and the home page's "From the shop"."""

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import ProductStatus, ReaderProfile, UserStatus
from soulseer.services.shop import catalogue, products
from tests.support.shop import digital_product, physical_product


def _titles(html, candidates):
    return {title for title in candidates if title in html}


def test_the_catalogue_lists_what_is_for_sale_and_filters_it(db, app, admin, make_user):
    luna = make_user(role="reader", consented=True, display_name="Luna")
    database.session.add(ReaderProfile(user_id=luna.id, display_name="Luna Starweaver", slug="luna"))
    db.session.commit()
    digital_product(admin, title="Tarot for Beginners")
    digital_product(admin, title="Moon Rituals Audio", category="audio", seller=luna)
    physical_product(admin, title="Rose Quartz Point")
    draft = digital_product(admin, title="Unfinished Draft")
    draft.status = ProductStatus.DRAFT
    db.session.commit()
    everything = {"Tarot for Beginners", "Moon Rituals Audio", "Rose Quartz Point", "Unfinished Draft"}
    visitor = app.test_client()
    html = visitor.get("/shop").get_data(as_text=True)
    assert _titles(html, everything) == everything - {"Unfinished Draft"}
    assert "3 products" in html and 'href="/readers/luna"' in html
    assert _titles(visitor.get("/shop?kind=physical").get_data(as_text=True), everything) == {"Rose Quartz Point"}
    assert _titles(visitor.get("/shop?category=audio").get_data(as_text=True), everything) == {"Moon Rituals Audio"}
    assert _titles(visitor.get("/shop?seller=luna").get_data(as_text=True), everything) == {"Moon Rituals Audio"}
    assert _titles(visitor.get("/shop?seller=soulseer").get_data(as_text=True), everything) == {
        "Tarot for Beginners", "Rose Quartz Point",
    }  # fmt: skip
    assert _titles(visitor.get("/shop?q=quartz").get_data(as_text=True), everything) == {"Rose Quartz Point"}
    nothing = visitor.get("/shop?q=100%25_").get_data(as_text=True)  # LIKE's wildcards are literal
    assert _titles(nothing, everything) == set() and "Nothing matches" in nothing
    # Made-up filter values are dropped, never an error.
    assert visitor.get("/shop?kind=lol&category=weapons&page=-3").status_code == 200
    fragment = visitor.get("/shop?kind=digital", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="shop-results"') and "<html" not in fragment


def test_pages_of_the_catalogue(db, app, admin):
    for n in range(catalogue.PER_PAGE + 1):
        products.create(admin, products.Details(kind="physical", title=f"Crystal {n:02d}", category="crystals",
                                                price="5", stock="1"), status=ProductStatus.PUBLISHED)  # fmt: skip
    db.session.commit()
    visitor = app.test_client()
    first = visitor.get("/shop").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = visitor.get("/shop?page=2").get_data(as_text=True)
    assert second.count('class="product-card card"') == 1


def test_a_products_page_shows_what_you_get(db, app, admin):
    guide = digital_product(admin, title="Tarot for Beginners", description="**Bold** <script>x</script>")
    crystal = physical_product(admin, stock=2)
    visitor = app.test_client()
    html = visitor.get(f"/shop/{guide.slug}").get_data(as_text=True)
    assert "A PDF file (" in html and "up to 5 downloads within 24 hours of the first" in html
    assert "<strong>Bold</strong>" in html and "<script>x" not in html
    assert "Sign in to buy" in html
    physical = visitor.get(f"/shop/{crystal.slug}").get_data(as_text=True)
    assert "Shipped to you for $5.00 per order" in physical and "Only 2 left." in physical


def test_what_is_not_for_sale_has_no_page(db, app, admin, make_user):
    luna = make_user(role="reader", consented=True)
    hidden = digital_product(admin, title="Hidden Guide")
    hidden.hidden_at, hidden.hidden_reason = clock.now(), "Copied from a book"
    archived = digital_product(admin, title="Old Guide")
    archived.status = ProductStatus.ARCHIVED
    suspended = digital_product(admin, title="Her Guide", seller=luna)
    luna.status = UserStatus.SUSPENDED
    db.session.commit()
    visitor = app.test_client()
    for product in (hidden, archived, suspended):
        assert visitor.get(f"/shop/{product.slug}").status_code == 404
    assert "Hidden Guide" not in visitor.get("/shop").get_data(as_text=True)


def test_the_home_page_shows_featured_products_and_follows_changes(db, app, admin):
    visitor = app.test_client()
    assert "From the shop" not in visitor.get("/").get_data(as_text=True)
    guide = digital_product(admin, title="Featured Tarot Guide", featured=True)
    assert "Featured Tarot Guide" in visitor.get("/").get_data(as_text=True)
    products.update(admin, guide, products.Details(kind="digital", title="Featured Tarot Guide", category="guides",
                                                   price="12"), status=ProductStatus.ARCHIVED)  # fmt: skip
    db.session.commit()
    assert "From the shop" not in visitor.get("/").get_data(as_text=True)


def test_the_shop_is_in_the_navigation(app):
    html = app.test_client().get("/").get_data(as_text=True)
    assert html.count('href="/shop"') >= 2  # the top bar and the bottom bar


def test_visitors_share_the_catalogue_and_it_follows_changes(db, app, admin, redis):
    """A visitor's /shop is rendered once per marketplace version (visitor_responses): a product put
    on sale, hidden by moderation, or its seller suspended is seen by the next visitor at once."""
    from soulseer.services.moderation import visibility

    visitor = app.test_client()
    guide = digital_product(admin, title="Shared Tarot Guide")
    assert "Shared Tarot Guide" in visitor.get("/shop").get_data(as_text=True)
    physical_product(admin, title="Fresh Amethyst")
    assert "Fresh Amethyst" in visitor.get("/shop").get_data(as_text=True)
    visibility.hide("product", guide.id, "Breaks the rules", admin)
    db.session.commit()
    html = visitor.get("/shop").get_data(as_text=True)
    assert "Shared Tarot Guide" not in html and "Fresh Amethyst" in html
    assert "Fresh Amethyst" in visitor.get("/shop?kind=physical").get_data(as_text=True)
