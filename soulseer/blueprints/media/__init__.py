"""Uploaded files from the local storage backend (the embedded default; S3/R2 serve their own)."""

import mimetypes

from flask import Blueprint, abort, current_app, send_file

from soulseer.services.core.storage import LocalStorage, StorageError, storage

bp = Blueprint("media", __name__, url_prefix="/media")

ONE_YEAR = 365 * 24 * 3600


@bp.get("/<path:key>")
def file(key):
    backend = storage()
    if not isinstance(backend, LocalStorage):
        abort(404)
    try:
        path = backend.path(key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    # Keys never change meaning (a new upload gets a new key), so the file can be cached for good.
    response = send_file(
        path,
        mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        max_age=ONE_YEAR,
        conditional=True,
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    current_app.logger.debug("media %s", key)
    return response
