"""The PWA shell: manifest, service worker, offline page, and Android asset links."""

from flask import Blueprint, abort, current_app, jsonify, make_response, render_template, send_file

from soulseer.config import PROJECT_ROOT
from soulseer.extensions import limiter
from soulseer.static_files import shell_files, shell_version

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.webmanifest")
@limiter.exempt
def manifest():
    response = send_file(PROJECT_ROOT / "manifest.webmanifest", mimetype="application/manifest+json", max_age=3600)
    return response


@bp.get("/sw.js")
@limiter.exempt
def service_worker():
    body = render_template("pwa/sw.js", shell_urls=shell_files(), version=shell_version())
    response = make_response(body)
    response.mimetype = "text/javascript"
    # Browsers must always check for a new worker; the worker itself versions the shell.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    return render_template("pwa/offline.html")


@bp.get("/.well-known/assetlinks.json")
@limiter.exempt
def assetlinks():
    package = current_app.config["ANDROID_PACKAGE_NAME"]
    fingerprints = current_app.config["ANDROID_SHA256_FINGERPRINTS"]
    if not package or not fingerprints:
        abort(404)
    statement = {
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": package, "sha256_cert_fingerprints": fingerprints},
    }
    response = jsonify([statement])
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
