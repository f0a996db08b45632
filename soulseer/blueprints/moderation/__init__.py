"""Reports: anyone signed in reports content they can see, or a problem with a finished reading
(docs/moderation.md). The admin queue is the admin area's moderation section."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from soulseer.blueprints.moderation import notices, views  # noqa: E402, F401  (routes register on bp)
