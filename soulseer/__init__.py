"""SoulSeer: a marketplace for live spiritual readings."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from soulseer.config import PROJECT_ROOT, load_config
from soulseer.extensions import csrf, db, htmx, init_redis, limiter, login_manager, migrate


def create_app(config=None):
    """Build the application. `config` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=False)
    settings = load_config(instance_path=(config or {}).get("INSTANCE_PATH"))
    settings.update(config or {})
    app.config.from_mapping(settings)
    if not app.config["ENV_PRODUCTION"]:
        import email_validator

        # Demo and test accounts use the reserved .test domain, which is invalid on the internet.
        email_validator.TEST_ENVIRONMENT = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    login_manager.init_app(app)
    htmx.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _limit_decorated_routes_only(app)
    init_redis(app)

    import soulseer.models  # noqa: F401  (registers the models with SQLAlchemy)
    from soulseer import (
        compression,
        quick_heartbeats,
        quick_room,
        security,
        signed_in,
        signed_in_responses,
        static_files,
        visitor_responses,
    )
    from soulseer.blueprints import register_blueprints
    from soulseer.cli import register_cli
    from soulseer.services import bookings, community, messages, moderation, payouts, shop, streams
    from soulseer.services.accounts import auth0, suspensions
    from soulseer.services.core import after_commit, header_versions
    from soulseer.services.marketplace import page_cache
    from soulseer.templating import register_template_helpers
    from soulseer.views import IdConverter, refuse_nul_characters

    auth0.init_app(app)  # Authlib's OpenID client, registered only when Auth0 is configured
    after_commit.init_app(app)  # events, jobs and cache bumps wait for the real commit
    page_cache.init_app(app)  # the browse cache's version follows committed changes
    header_versions.init_app(app)  # and each signed-in person's header version hers
    moderation.init_app(app)  # the kinds of content moderation knows
    suspensions.init_app(app)  # the queue's timed suspensions end in the tick
    messages.init_app(app)  # messages in the moderation queue and the data export
    community.init_app(app)  # and the community's two
    bookings.init_app(app)  # scheduled readings: their tick, their readings' settlement, the ledger's check
    payouts.init_app(app)  # Connect events for the Stripe events job
    streams.init_app(app)  # stream chat in the queue, the viewer count in the tick
    signed_in.init_app(app)  # the user loader: the person and their header in one statement
    shop.init_app(app)  # the buyer's orders in the data export
    security.init_app(app)
    static_files.init_app(app)
    compression.init_app(app)  # hooks run last-registered first: this one sees the blueprints' finished body
    register_template_helpers(app)
    app.url_map.converters["int"] = IdConverter  # before the routes: ids past the database's range are 404s
    app.before_request(refuse_nul_characters)
    register_blueprints(app)
    register_cli(app)
    quick_heartbeats.install(app)  # a room's heartbeat that changes nothing answered before Flask
    quick_room.install(app)  # a client's room: her kept shell around a panel rendered now
    signed_in_responses.install(app)  # a signed-in client's own browse and home pages, kept while unchanged
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    visitor_responses.install(app)  # outermost: a visitor's shared page answered before the rest
    return app


def _limit_decorated_routes_only(app):
    """Every limit SoulSeer sets is on its route (`@limiter.limit`), and the decorator checks it
    when the view runs. Flask-Limiter also checks every request in a before_request hook, for
    default and application-wide limits, which we do not set; that check costs about 0.3 ms of CPU
    on every page (docs/benchmarks.md). Flask-Limiter 4 has no option to leave it out (upstream
    issue alisaifee/flask-limiter#489), so it is taken out here, and only while no default or
    application limits are configured. tests/test_security.py proves that decorated limits still
    hold and that the hook is gone."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if getattr(hook, "__func__", None) is not type(limiter)._check_request_limit]
