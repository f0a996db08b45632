"""Template globals and filters shared by every blueprint."""

from soulseer.money import format_cents
from soulseer.services.core.content import FOOTER_PAGES
from soulseer.services.moderation import screening
from soulseer.services.readings import agora


def register_template_helpers(app):
    app.jinja_env.filters["money"] = format_cents  # integer cents -> "$12.50"
    # The crisis banner's text and the rules notice, for partials/_crisis_banner.html and friends.
    app.jinja_env.globals["screening"] = screening

    @app.template_global()
    def canonical_url(endpoint, **values):
        """A page's one public address (`<link rel="canonical">`): PUBLIC_URL and its path."""
        from flask import url_for

        return app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)

    @app.context_processor
    def site_globals():
        return {
            "footer_pages": FOOTER_PAGES,
            "test_payments": app.config["TEST_PAYMENTS_ENABLED"],
            # Pages promise voice and video only where they work (Agora configured).
            "voice_video": agora.configured(app.config),
            "header_balance": _header_balance(),
        }


def _header_balance():
    """The signed-in client's wallet balance for the header (None for everyone else)."""
    from flask_login import current_user

    from soulseer.services.payments import wallet

    if current_user and current_user.is_authenticated and current_user.is_client:
        return wallet.balance(current_user)
    return None
