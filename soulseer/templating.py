"""Template globals and filters shared by every blueprint."""

from soulseer.services.content import FOOTER_PAGES


def format_cents(cents, currency="USD"):
    """Integer cents as money text: 1250 -> $12.50 (never through floats)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    symbol = "$" if currency == "USD" else currency + " "
    return f"{sign}{symbol}{whole:,}.{part:02d}"


def register_template_helpers(app):
    app.jinja_env.filters["money"] = format_cents

    @app.context_processor
    def site_globals():
        return {"footer_pages": FOOTER_PAGES, "test_payments": app.config["TEST_PAYMENTS_ENABLED"]}
