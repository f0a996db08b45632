"""Extension objects, created unbound here and bound in create_app with init_app."""

import redis
from authlib.integrations.flask_client import OAuth
from flask import current_app
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so Alembic autogenerate and hand-written migrations agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
htmx = HTMX()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


# The layers answered before Flask (quick_room.py, quick_heartbeats.py): their own few connections.
QUICK_ENGINE_KEY = "quick_engine"
QUICK_POOL_SIZE, QUICK_POOL_OVERFLOW, QUICK_POOL_TIMEOUT_SECONDS = 4, 4, 0.2


def get_quick_engine():
    """The connections of the layers answered before Flask: one statement each, in autocommit (no
    BEGIN, no ROLLBACK) and without the application pool's pre-ping, a round trip before every
    statement that was a fifth of a quick page's CPU. A connection PostgreSQL dropped fails its
    statement and the request goes to Flask, whose pool pings (the failed connection is dropped
    from this pool on its return). A full pool is not waited for long: Flask answers instead."""
    import sqlalchemy as sa

    engine = current_app.extensions.get(QUICK_ENGINE_KEY)
    if engine is None:
        engine = current_app.extensions[QUICK_ENGINE_KEY] = sa.create_engine(
            db.engine.url,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=False,
            pool_size=QUICK_POOL_SIZE,
            max_overflow=QUICK_POOL_OVERFLOW,
            pool_timeout=QUICK_POOL_TIMEOUT_SECONDS,
        )
    return engine


def init_redis(app):
    app.extensions["redis"] = redis.Redis.from_url(app.config["REDIS_URL"], health_check_interval=30)


def get_redis():
    """The application's Redis client (one connection pool per process)."""
    return current_app.extensions["redis"]


def init_oauth(app):
    """Authlib's OAuth registry, one per application: Authlib binds a registry to a single app and
    caches its clients, and tests build several apps with different providers."""
    return OAuth(app)  # keeps itself in app.extensions under Authlib's name


def get_oauth():
    return current_app.extensions["authlib.integrations.flask_client"]
