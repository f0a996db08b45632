"""Template globals and filters shared by every blueprint."""

from flask import current_app, request, url_for

from soulseer.money import format_cents
from soulseer.services.core.content import FOOTER_PAGES
from soulseer.services.moderation import screening
from soulseer.services.readings import agora


def renderer():
    """`render(template_name, **context)` for a batch of renders in one context (a tick's emails,
    the panels published after its commit): the context processors run once for the batch instead
    of once per render (in one context they give the same values every time), so a batch costs its
    templates alone. The same text as render_template."""
    base = {}
    current_app.update_template_context(base)
    env = current_app.jinja_env

    def render(template_name, **context):
        return env.get_template(template_name).render({**base, **context})

    return render


def register_template_helpers(app):
    app.jinja_env.filters["money"] = format_cents  # integer cents -> "$12.50"
    # The crisis banner's text and the rules notice, for partials/_crisis_banner.html and friends.
    app.jinja_env.globals["screening"] = screening

    app.jinja_env.globals["url_for"] = remembered_url_for

    @app.template_global()
    def canonical_url(endpoint, **values):
        """A page's one public address (`<link rel="canonical">`): PUBLIC_URL and its path."""
        from flask import url_for

        return app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)

    @app.context_processor
    def site_globals():
        return {
            "footer_pages": FOOTER_PAGES,
            "test_payments": app.config["TEST_PAYMENTS_ENABLED"],
            # Pages promise voice and video only where they work (Agora configured).
            "voice_video": agora.configured(app.config),
        }


# Values a remembered address may be built from: plain values, never objects (an object's hash is
# its identity, which a later object may reuse with other contents).
_PLAIN = (str, int, bool, type(None))
REMEMBERED_URLS_MAX = 4096


def remembered_url_for(endpoint, **values):
    """`url_for`, remembered per process (templates' `url_for` and `static_url`). Every page builds
    some forty addresses for its layout alone (navigation, footer, account menu, stylesheets), the
    same on every request, and building them through Werkzeug's routing cost more than the rest of
    a signed-in `/readers` (docs/benchmarks.md, "Signed-in pages"). A path depends only on the
    routes (fixed once the app is built), the endpoint, its values and the request's script root,
    which make the key; anything else (an anchor, a scheme, an external address, a relative
    endpoint, a value that is not plain, a url_defaults function) is built as Flask builds it."""
    app = current_app._get_current_object()
    if (
        endpoint[:1] == "."
        or any(name[:1] == "_" or type(value) not in _PLAIN for name, value in values.items())
        or any(app.url_default_functions.values())
    ):
        return url_for(endpoint, **values)
    remembered = app.extensions.setdefault("remembered_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = remembered.get(key)
    if found is None:
        if len(remembered) >= REMEMBERED_URLS_MAX:
            remembered.clear()  # a bound, not a policy: the layout's addresses come back at once
        found = remembered[key] = url_for(endpoint, **values)
    return found
