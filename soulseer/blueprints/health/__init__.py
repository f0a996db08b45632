"""GET /healthz: database, Redis, worker and cron, as JSON; 503 names what fails."""

from flask import Blueprint, jsonify

from soulseer.extensions import csrf, limiter
from soulseer.services.core import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    report = health.report()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
