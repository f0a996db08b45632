"""Security headers on every response (PRODUCT.md §15, ARCHITECTURE.md "HTMX and the page").

Kept in our own small after-request hook rather than a library: the policy is short, and
every later area that needs a new source (Agora, Stripe) adds it here, in one place.
"""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()"


# Voice and video (docs/readings.md): the Agora Web SDK talks to Agora's gateways and edge servers
# over HTTPS and WebSockets. Added only when Agora is configured.
AGORA_CONNECT_SOURCES = "https://*.agora.io wss://*.agora.io https://*.sd-rtn.com wss://*.sd-rtn.com"


# The top-up form redirects to Stripe Checkout when Stripe is configured (docs/stripe.md).
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def content_security_policy(app):
    """The policy, plus the identity provider as a form target when Auth0 is on: POST /sign-out
    redirects there to end the Auth0 session, and browsers apply form-action to that redirect.
    The same goes for Stripe Checkout, where POST /wallet/topups redirects."""
    from soulseer.services.accounts import auth0
    from soulseer.services.readings import agora

    policy = CONTENT_SECURITY_POLICY
    if agora.configured(app.config):
        policy = policy.replace("connect-src 'self'", f"connect-src 'self' {AGORA_CONNECT_SOURCES}")
        policy = policy.replace("worker-src 'self'", "worker-src 'self' blob:")
    origins = auth0.form_action_origins(app)
    if app.config.get("STRIPE_SECRET_KEY"):
        origins = [*origins, STRIPE_CHECKOUT_ORIGIN]
    if not origins:
        return policy
    return policy.replace("form-action 'self'", " ".join(["form-action 'self'", *origins]))


def headers(app):
    """[(name, value)] every response of this app carries (unless its view set its own): also sent
    by the heartbeats answered before Flask (soulseer/quick_heartbeats.py)."""
    found = [
        ("Content-Security-Policy", content_security_policy(app)),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config["ENV_PRODUCTION"]:
        found.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return found


def init_app(app):
    security_headers = headers(app)

    @app.after_request
    def set_security_headers(response):
        for name, value in security_headers:
            response.headers.setdefault(name, value)
        return response
