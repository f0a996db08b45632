"""Configuration from the environment (twelve-factor).

Every name ARCHITECTURE.md lists is read here, and so are the product defaults of PRODUCT.md,
each as one setting. A `.env` file in the project root is read first when present.
Missing database or Redis URLs mean "use the embedded servers" outside production.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment cannot run the application (named settings are missing or wrong)."""


def _int(environ, name, default):
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _list(environ, name):
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]


def normalise_database_url(url):
    """SQLAlchemy needs the psycopg 3 driver named; hosts often hand out postgres:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _persistent_secret_key(instance_path):
    """A development secret kept in instance/ so sessions survive restarts and all processes agree."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _local_webhook_secret(instance_path, name="stripe_webhook_secret"):
    """A webhook secret test payments (and test payouts) sign with, outside production and without
    a real one.

    Kept in instance/ so the web process (which verifies) and every other process agree. Written
    through a temporary file and a hard link, so processes starting together cannot both win."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text("whsec_local_" + secrets.token_urlsafe(32))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    return path.read_text().strip()


def load_config(environ=None, instance_path=None):
    """Build the Flask config mapping. Raises ConfigError naming what is missing."""
    if environ is None:
        load_dotenv(PROJECT_ROOT / ".env")
        environ = os.environ
    instance_path = Path(instance_path or environ.get("SOULSEER_INSTANCE") or PROJECT_ROOT / "instance")
    env = environ.get("SOULSEER_ENV", "development")
    if env not in ("development", "production", "test"):
        raise ConfigError(f"SOULSEER_ENV must be development, production or test, got {env!r}")
    production = env == "production"

    if production:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY") if not environ.get(name)]
        if missing:
            raise ConfigError(
                "SOULSEER_ENV=production refuses to start without " + ", ".join(missing) + " set in the environment."
            )

    database_url = environ.get("DATABASE_URL") or ""
    redis_url = environ.get("REDIS_URL") or ""
    if not database_url or not redis_url:
        from soulseer import embedded

        if not database_url:
            database_url = embedded.postgres_url(instance_path)
        if not redis_url:
            redis_url = embedded.redis_url(instance_path)

    stripe_secret = environ.get("STRIPE_SECRET_KEY", "")
    webhook_secret = environ.get("STRIPE_WEBHOOK_SECRET", "")
    if production and stripe_secret and not webhook_secret:
        raise ConfigError("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY: top-ups are credited by webhooks.")
    if not webhook_secret and not production:
        webhook_secret = _local_webhook_secret(instance_path)
    # Connect events (connected accounts' account.updated, transfers, payouts) come to a second
    # endpoint with its own secret (docs/payouts.md).
    connect_secret = environ.get("STRIPE_CONNECT_WEBHOOK_SECRET", "")
    if production and stripe_secret and not connect_secret:
        raise ConfigError(
            "STRIPE_CONNECT_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY: payout accounts are updated by webhooks."
        )
    if not connect_secret and not production:
        connect_secret = _local_webhook_secret(instance_path, "stripe_connect_webhook_secret")
    public_url = environ.get("PUBLIC_URL") or f"http://{environ.get('HOST', '127.0.0.1')}:{environ.get('PORT', '5000')}"
    config = {
        "SOULSEER_ENV": env,
        "ENV_PRODUCTION": production,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": environ.get("SECRET_KEY") or _persistent_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "HOST": environ.get("HOST", "127.0.0.1"),
        "PORT": _int(environ, "PORT", 5000),
        # Where links in emails point when no request tells us (jobs, CLI).
        "PUBLIC_URL": public_url,
        # Email: SMTP when SMTP_HOST is set; otherwise mail stays in the outbox (see /dev/mail).
        "SMTP_HOST": environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int(environ, "SMTP_PORT", 587),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": environ.get("SMTP_STARTTLS", "true").lower() in ("1", "true", "yes"),
        "MAIL_FROM": environ.get("MAIL_FROM", "SoulSeer <no-reply@soulseer.app>"),
        # Outside services; empty means "use the embedded default".
        "AUTH0_DOMAIN": environ.get("AUTH0_DOMAIN", ""),
        "AUTH0_CLIENT_ID": environ.get("AUTH0_CLIENT_ID", ""),
        "AUTH0_CLIENT_SECRET": environ.get("AUTH0_CLIENT_SECRET", ""),
        "OIDC_METADATA_URL": environ.get("OIDC_METADATA_URL", ""),
        "STRIPE_SECRET_KEY": stripe_secret,
        # Verifies POST /webhooks/stripe. Outside production without one: a local secret kept in
        # instance/, which test payments sign with (docs/stripe.md).
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": environ.get("STRIPE_API_BASE", ""),
        # Verifies POST /webhooks/stripe/connect (Connect events); a local one outside production.
        "STRIPE_CONNECT_WEBHOOK_SECRET": connect_secret,
        "AGORA_APP_ID": environ.get("AGORA_APP_ID", ""),
        "AGORA_APP_CERTIFICATE": environ.get("AGORA_APP_CERTIFICATE", ""),
        "S3_ENDPOINT_URL": environ.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": environ.get("S3_BUCKET", ""),
        "S3_ACCESS_KEY_ID": environ.get("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": environ.get("S3_SECRET_ACCESS_KEY", ""),
        # The bucket's public address (an R2 custom domain, a CDN); unset: presigned GET URLs.
        "S3_PUBLIC_URL": environ.get("S3_PUBLIC_URL", ""),
        # Uploads: a 5 MB photo plus the rest of the form; anything larger gets the 413 page.
        "MAX_CONTENT_LENGTH": _int(environ, "SOULSEER_MAX_UPLOAD_BYTES", 6 * 1024 * 1024),
        # Test payments exist only where no real money can be involved.
        "TEST_PAYMENTS_ENABLED": not production and not stripe_secret,
        # Android Trusted Web Activity: /.well-known/assetlinks.json (docs/app-stores.md).
        "ANDROID_PACKAGE_NAME": environ.get("ANDROID_PACKAGE_NAME", ""),
        "ANDROID_SHA256_FINGERPRINTS": _list(environ, "ANDROID_SHA256_FINGERPRINTS"),
        # Reverse proxies in front of the app (Heroku, Render and Railway each add one).
        "TRUSTED_PROXIES": _int(environ, "TRUSTED_PROXIES", 1 if production else 0),
        # Cookies: HttpOnly and SameSite always, Secure in production.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Product defaults (PRODUCT.md "Defaults"), each one setting. Money in integer cents.
        "CURRENCY": environ.get("SOULSEER_CURRENCY", "USD"),
        "READER_SHARE_PERCENT": _int(environ, "SOULSEER_READER_SHARE_PERCENT", 70),
        "TOPUP_PRESETS_CENTS": [1000, 2500, 5000, 10000],
        "TOPUP_MIN_CENTS": _int(environ, "SOULSEER_TOPUP_MIN_CENTS", 500),
        "TOPUP_MAX_CENTS": _int(environ, "SOULSEER_TOPUP_MAX_CENTS", 100000),
        "READER_RATE_MIN_CENTS": _int(environ, "SOULSEER_READER_RATE_MIN_CENTS", 50),
        "READER_RATE_MAX_CENTS": _int(environ, "SOULSEER_READER_RATE_MAX_CENTS", 5000),
        "MINUTES_NEEDED_TO_START": _int(environ, "SOULSEER_MINUTES_NEEDED_TO_START", 3),
        "REQUEST_TIMEOUT_SECONDS": _int(environ, "SOULSEER_REQUEST_TIMEOUT_SECONDS", 60),
        "JOIN_TIMEOUT_SECONDS": _int(environ, "SOULSEER_JOIN_TIMEOUT_SECONDS", 120),
        "LOW_BALANCE_MINUTES": _int(environ, "SOULSEER_LOW_BALANCE_MINUTES", 2),
        "FUNDS_PAUSE_SECONDS": _int(environ, "SOULSEER_FUNDS_PAUSE_SECONDS", 120),
        "HEARTBEAT_SECONDS": _int(environ, "SOULSEER_HEARTBEAT_SECONDS", 10),
        "DISCONNECTED_AFTER_SECONDS": _int(environ, "SOULSEER_DISCONNECTED_AFTER_SECONDS", 25),
        "RECONNECT_GRACE_SECONDS": _int(environ, "SOULSEER_RECONNECT_GRACE_SECONDS", 120),
        "AGORA_TOKEN_LIFETIME_SECONDS": _int(environ, "SOULSEER_AGORA_TOKEN_LIFETIME_SECONDS", 1200),
        # A stream's viewers: 1 low latency (Broadcast Streaming, cheaper), 2 ultra-low (docs/streams.md).
        "AGORA_AUDIENCE_LATENCY_LEVEL": _int(environ, "SOULSEER_AGORA_AUDIENCE_LATENCY_LEVEL", 1),
        # Stream viewers' pages heartbeat this often; a viewer unseen for the window is not counted.
        "STREAM_HEARTBEAT_SECONDS": _int(environ, "SOULSEER_STREAM_HEARTBEAT_SECONDS", 10),
        "STREAM_VIEWER_WINDOW_SECONDS": _int(environ, "SOULSEER_STREAM_VIEWER_WINDOW_SECONDS", 25),
        "REVIEW_WINDOW_DAYS": _int(environ, "SOULSEER_REVIEW_WINDOW_DAYS", 14),
        "REVIEW_MAX_CHARS": _int(environ, "SOULSEER_REVIEW_MAX_CHARS", 2000),
        "PAYOUT_THRESHOLD_CENTS": _int(environ, "SOULSEER_PAYOUT_THRESHOLD_CENTS", 1500),
        # Earnings credited in the last N days are still clearing: not paid out yet (docs/payouts.md).
        "PAYOUT_CLEARING_DAYS": _int(environ, "SOULSEER_PAYOUT_CLEARING_DAYS", 3),
        # The daily payout run starts at this hour, UTC (docs/payouts.md).
        "PAYOUT_RUN_HOUR_UTC": _int(environ, "SOULSEER_PAYOUT_RUN_HOUR_UTC", 14),
        "DOWNLOAD_LINK_HOURS": _int(environ, "SOULSEER_DOWNLOAD_LINK_HOURS", 24),
        "DOWNLOAD_LINK_MAX_USES": _int(environ, "SOULSEER_DOWNLOAD_LINK_MAX_USES", 5),
        # The shop (docs/shop.md): a digital product's file at most this large; where physical
        # goods ship (two-letter country codes, as Stripe Checkout takes them).
        "SHOP_MAX_FILE_BYTES": _int(environ, "SOULSEER_SHOP_MAX_FILE_BYTES", 200 * 1024 * 1024),
        "SHOP_SHIPPING_COUNTRIES": _list(environ, "SOULSEER_SHOP_SHIPPING_COUNTRIES") or ["US"],
        # Length of one billed minute in seconds: 60, shortened only by tests and demos.
        "MINUTE_SECONDS": _int(environ, "SOULSEER_MINUTE_SECONDS", 60),
        # The billing tick reserves a reading's next minute this long before the reserved minutes
        # run out (at most half a minute), so the meter never waits at a boundary for the tick.
        "RESERVE_AHEAD_SECONDS": _int(environ, "SOULSEER_RESERVE_AHEAD_SECONDS", 15),
        # Readers who show no activity for this long go offline (PRODUCT.md §3).
        "READER_IDLE_OFFLINE_MINUTES": _int(environ, "SOULSEER_READER_IDLE_OFFLINE_MINUTES", 10),
        # The event stream (docs/events.md): keep-alive comment interval, and how long one stream
        # lives before the browser reconnects (and signs in again, so an ended session stops it).
        "EVENTS_KEEPALIVE_SECONDS": _int(environ, "SOULSEER_EVENTS_KEEPALIVE_SECONDS", 15),
        "EVENTS_STREAM_MAX_SECONDS": _int(environ, "SOULSEER_EVENTS_STREAM_MAX_SECONDS", 1800),
        # The browse page's shared cache (docs/marketplace.md): how long an entry lives at most.
        # Changes invalidate it at once; this bounds presigned photo URLs and memory. 0 turns it off.
        "BROWSE_CACHE_SECONDS": _int(environ, "SOULSEER_BROWSE_CACHE_SECONDS", 300),
        # Screening (docs/moderation.md): hosts whose links are not flagged; by default the site's own.
        "SCREENING_ALLOWED_HOSTS": _list(environ, "SOULSEER_SCREENING_ALLOWED_HOSTS")
        or [urlsplit(public_url).hostname],
        # Health: how old a heartbeat may be before the part counts as down.
        "HEARTBEAT_MAX_AGE_SECONDS": _int(environ, "SOULSEER_HEARTBEAT_MAX_AGE_SECONDS", 45),
    }
    if production and config["MINUTE_SECONDS"] != 60:
        raise ConfigError("SOULSEER_MINUTE_SECONDS may be changed only outside production.")
    return config
