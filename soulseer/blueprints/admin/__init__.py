"""The admin area (/admin): one blueprint, one guard, one section per module (docs/admin.md).

Each section module has a nested blueprint (endpoints `admin.<section>.<view>`) and a `section`
describing it for the navigation and the overview. To add a section, write its module and add it
to SECTION_MODULES below.
"""

import json

from flask import Blueprint, abort, current_app
from flask_login import current_user

from soulseer.blueprints.admin import (
    applications,
    audit,
    bookings,
    community,
    ledger,
    marketplace,
    moderation,
    orders,
    overview,
    pages,
    payments,
    payouts,
    products,
    readings,
    streams,
    users,
)
from soulseer.blueprints.admin.registry import sections
from soulseer.models import Role
from soulseer.services.accounts import admin_users
from soulseer.services.accounts.applications import MODES, STATUS_LABELS

SECTION_MODULES = (
    overview,
    applications,
    moderation,
    users,
    marketplace,
    community,
    readings,
    bookings,
    products,
    orders,
    streams,
    ledger,
    payments,
    payouts,
    pages,
    audit,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

for module in SECTION_MODULES:
    sections.add(module.section)
    bp.register_blueprint(module.section.blueprint)


@bp.before_request
def admins_only():
    """The one guard of every admin page and action: visitors are sent to sign in, signed-in
    people who are not admins get 403. Runs before every nested section's views."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role != Role.ADMIN:
        abort(403)
    return None


@bp.context_processor
def admin_globals():
    return {
        # The navigation (admin/base.html); badges are counted when the page renders, once.
        "admin_sections": sections.sections,
        "admin_section": sections.current(),
        "admin_badges": sections.badges,
        "role_labels": admin_users.ROLE_LABELS,
        "user_status_labels": admin_users.STATUS_LABELS,
        "application_status_labels": STATUS_LABELS,
        "mode_labels": dict(MODES),
        "pretty_json": lambda value: json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True),
    }
