"""RQ jobs. Each job takes ids, opens its own app context, and is idempotent (ARCHITECTURE.md)."""

import functools

from flask import current_app
from rq import Queue

_app = None


def job_app():
    """One application per worker process, built on first use from the environment."""
    global _app
    if _app is None:
        from soulseer import create_app

        _app = create_app()
    return _app


def with_app_context(func):
    """Run the job inside an app context; reuse the caller's when there is one (tests, CLI)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if current_app:
            return func(*args, **kwargs)
        with job_app().app_context():
            return func(*args, **kwargs)

    return wrapper


def get_queue(name="default"):
    from soulseer.extensions import get_redis

    return Queue(name, connection=get_redis())
