"""Uploaded files from the local storage backend (the embedded default; S3/R2 serve their own):
public files by key, private ones (bought products) only through a signed download link."""

import mimetypes

from flask import Blueprint, abort, current_app, send_file

from soulseer.blueprints.errors import render_error
from soulseer.services.core.storage import LocalStorage, StorageError, is_private, read_download_token, storage

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
    if is_private(key) or not path.is_file():
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


@bp.get("/download/<token>")
def download(token):
    """A private file through its short-lived signed link (storage.download_url), saved under its
    name. The link itself was handed out only after the shop counted the download."""
    backend = storage()
    if not isinstance(backend, LocalStorage):
        abort(404)
    try:
        key, filename, content_type = read_download_token(token)
    except StorageError as error:
        return render_error(error.status, error.message)
    path = backend.path(key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=filename, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
