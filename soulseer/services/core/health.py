"""Health of the four parts /healthz reports: database, Redis, worker and cron."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from rq import Worker

from soulseer import clock
from soulseer.extensions import db, get_redis

CRON = "cron"
_HEARTBEAT_KEY = "soulseer:heartbeat:{}"


def record_heartbeat(part, at):
    get_redis().set(_HEARTBEAT_KEY.format(part), at.astimezone(UTC).isoformat(), ex=3600)


def _age_seconds(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:  # RQ stores naive UTC
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (clock.now() - moment).total_seconds())


def _fresh(age):
    return age is not None and age <= current_app.config["HEARTBEAT_MAX_AGE_SECONDS"]


def check_database():
    try:
        db.session.execute(sa.text("SELECT 1"))
        return {"ok": True}
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def check_redis():
    try:
        get_redis().ping()
        return {"ok": True}
    except Exception as exc:  # any Redis or socket failure means "down"
        return {"ok": False, "error": type(exc).__name__}


def check_worker():
    """The freshest RQ worker heartbeat (RQ writes one every few seconds while a worker lives)."""
    try:
        workers = Worker.all(connection=get_redis())
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    ages = [_age_seconds(w.last_heartbeat) for w in workers if w.last_heartbeat]
    age = min(ages) if ages else None
    return {"ok": _fresh(age), "workers": len(workers), "last_heartbeat_seconds_ago": _round(age)}


def check_cron():
    """When the cron last enqueued its heartbeat job (and a worker ran it)."""
    try:
        raw = get_redis().get(_HEARTBEAT_KEY.format(CRON))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    age = _age_seconds(datetime.fromisoformat(raw.decode())) if raw else None
    return {"ok": _fresh(age), "last_heartbeat_seconds_ago": _round(age)}


def _round(age):
    return None if age is None else round(age, 1)


def report():
    checks = {
        "database": check_database(),
        "redis": check_redis(),
        "worker": check_worker(),
        "cron": check_cron(),
    }
    failing = [name for name, result in checks.items() if not result["ok"]]
    return {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
