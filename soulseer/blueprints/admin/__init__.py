"""The admin area: users, reader applications, invitations, the site's pages, the audit log."""

from flask import Blueprint

from soulseer.models import Role
from soulseer.views import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def admins_only():
    """Every page here is for admins: others get 403, visitors are sent to sign in."""
    return None


from soulseer.blueprints.admin import marketplace, views  # noqa: E402, F401  (routes register on bp)
