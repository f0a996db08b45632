"""One blueprint per area, each a sub-package with its templates under templates/<area>/."""


def register_blueprints(app):
    from soulseer.blueprints.account import bp as account_bp
    from soulseer.blueprints.admin import bp as admin_bp
    from soulseer.blueprints.applications import bp as applications_bp
    from soulseer.blueprints.auth import bp as auth_bp
    from soulseer.blueprints.bookings import bp as bookings_bp
    from soulseer.blueprints.community import bp as community_bp
    from soulseer.blueprints.dashboard import bp as dashboard_bp
    from soulseer.blueprints.errors import bp as errors_bp
    from soulseer.blueprints.events import bp as events_bp
    from soulseer.blueprints.health import bp as health_bp
    from soulseer.blueprints.invitations import bp as invitations_bp
    from soulseer.blueprints.main import bp as main_bp
    from soulseer.blueprints.media import bp as media_bp
    from soulseer.blueprints.messages import bp as messages_bp
    from soulseer.blueprints.moderation import bp as moderation_bp
    from soulseer.blueprints.notifications import bp as notifications_bp
    from soulseer.blueprints.pwa import bp as pwa_bp
    from soulseer.blueprints.reader import bp as reader_bp
    from soulseer.blueprints.readers import bp as readers_bp
    from soulseer.blueprints.readings import bp as readings_bp
    from soulseer.blueprints.shop import bp as shop_bp
    from soulseer.blueprints.streams import bp as streams_bp
    from soulseer.blueprints.wallet import bp as wallet_bp
    from soulseer.blueprints.webhooks import bp as webhooks_bp

    for blueprint in (
        errors_bp,
        health_bp,
        main_bp,
        pwa_bp,
        auth_bp,
        account_bp,
        dashboard_bp,
        applications_bp,
        invitations_bp,
        reader_bp,
        readers_bp,
        media_bp,
        readings_bp,
        bookings_bp,
        messages_bp,
        streams_bp,
        community_bp,
        shop_bp,
        moderation_bp,
        admin_bp,
        wallet_bp,
        webhooks_bp,
        events_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
    if not app.config["ENV_PRODUCTION"]:
        from soulseer.blueprints.dev import bp as dev_bp

        app.register_blueprint(dev_bp)

    @app.after_request
    def vary_on_htmx(response):
        # Pages and fragments may share a URL; caches must keep them apart.
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response
