"""The PWA shell: manifest, service worker, offline page, asset links."""

import json
import os
import re

from soulseer import create_app


def test_manifest_has_what_installation_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["name"].startswith("SoulSeer") and manifest["short_name"] == "SoulSeer"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/") and manifest["scope"] == "/"
    assert manifest["theme_color"] == manifest["background_color"] == "#0A0A0F"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_precaches_a_shell_that_exists(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    urls = json.loads(re.search(r"const SHELL_URLS = (\[.*?\]);", script).group(1))
    assert "/offline" in urls
    assert any("htmx.min.js" in url for url in urls) and any(".woff2" in url for url in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_service_worker_never_stores_pages_or_fragments(client):
    script = client.get("/sw.js").get_data(as_text=True)
    # Pages come from the network only; the cache is written only at install, from the shell list.
    assert script.count("cache.addAll(SHELL_URLS)") == 1
    assert "cache.put" not in script
    assert 'request.headers.get("HX-Request")' in script
    assert 'request.method !== "GET"' in script


def test_static_urls_are_versioned_and_cached_long(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_offline_page(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "You are offline" in response.get_data(as_text=True)


def test_assetlinks_is_404_until_configured(client):
    assert client.get("/.well-known/assetlinks.json").status_code == 404


def test_assetlinks_from_configuration(app):
    fingerprint = ":".join(["AB"] * 32)
    configured = create_app({"ANDROID_PACKAGE_NAME": "com.soulseer.app", "ANDROID_SHA256_FINGERPRINTS": [fingerprint]})
    response = configured.test_client().get("/.well-known/assetlinks.json")
    assert response.status_code == 200
    assert response.get_json() == [
        {
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {
                "namespace": "android_app",
                "package_name": "com.soulseer.app",
                "sha256_cert_fingerprints": [fingerprint],
            },
        }
    ]


def test_a_static_files_version_follows_its_content_rechecked_at_most_every_second(tmp_path, monkeypatch):
    from soulseer import static_files

    monkeypatch.setattr(static_files, "STATIC_ROOT", tmp_path)
    monkeypatch.setattr(static_files, "_checked", {})
    now = [1000.0]
    monkeypatch.setattr(static_files, "_monotonic", lambda: now[0])
    sheet = tmp_path / "app.css"
    sheet.write_text("body { color: pink }")
    first = static_files.file_version("app.css")
    sheet.write_text("body { color: gold }")
    os.utime(sheet, ns=(sheet.stat().st_mtime_ns + 10**9,) * 2)
    assert static_files.file_version("app.css") == first  # no stat() within the second
    now[0] += static_files.RECHECK_SECONDS
    assert static_files.file_version("app.css") != first  # the edit shows after it


def _shell_urls(client):
    script = client.get("/sw.js").get_data(as_text=True)
    return json.loads(re.search(r"const SHELL_URLS = (\[.*?\]);", script).group(1))


def test_the_shell_holds_every_stylesheet_script_font_and_icon_any_template_names(client):
    """Every static file a template asks for (by static_url) is in the service worker's list, at
    the same versioned URL, except Agora's SDK (1.6 MB, loaded only for voice and video)."""
    from pathlib import Path

    from soulseer.static_files import static_url

    shell = set(_shell_urls(client))
    templates = Path(__file__).resolve().parents[1] / "soulseer" / "templates"
    named = {
        name
        for path in templates.rglob("*.html")
        for name in re.findall(r"static_url\('([^']+)'\)", path.read_text())
        if not name.startswith("vendor/agora/")
    }
    assert {"css/app.css", "css/readings.css", "js/reading-room.js", "js/app.js"} <= named
    with client.application.test_request_context():
        missing = {name for name in named if static_url(name) not in shell}
    assert missing == set()
    assert not any("agora" in url for url in shell)


def test_stylesheets_ask_for_fonts_by_the_versioned_url_the_shell_caches(client):
    """A url() in a stylesheet carries the file's version, so the font is fetched once (the page's
    preload, the stylesheet and the service worker ask for the same URL) and works offline."""
    from soulseer.static_files import STATIC_ROOT, file_version

    shell = set(_shell_urls(client))
    found = []
    for css in (STATIC_ROOT / "css").glob("*.css"):
        for ref in re.findall(r'url\("([^"]+)"\)', css.read_text()):
            if ref.startswith("data:"):
                continue
            name, _, version = ref.removeprefix("../").partition("?v=")
            assert version == file_version(name), f"{css.name}: {ref} (the file's version is {file_version(name)})"
            assert f"/static/{name}?v={version}" in shell
            found.append(name)
    assert len([name for name in found if name.endswith(".woff2")]) == 4
