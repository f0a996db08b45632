"""Admin → Audit log: every admin action, newest first, filterable by action."""

from flask import Blueprint, render_template, request

from soulseer.blueprints.admin.registry import Section
from soulseer.services.core import audit_log
from soulseer.views import page_number

bp = Blueprint("audit", __name__)


@bp.get("/audit")
def index():
    action = request.args.get("action", "").strip() or None
    results = audit_log.entries(page_number(), action)
    return render_template("admin/audit/index.html", results=results, action=action, actions=audit_log.actions())


section = Section("audit", "Audit log", bp, order=100)
