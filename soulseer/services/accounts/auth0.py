"""Auth0 (or any OpenID provider) through Authlib's OpenID Connect client.

The client exists only when AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are all set.
This module holds the rules: which ID tokens are accepted, how a verified identity becomes an
account, where logout leads. The redirect and callback steps (which need the request and the
session) are in soulseer/blueprints/auth/auth0.py. docs/auth0.md explains the set-up.
"""

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App
from flask import current_app
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from soulseer import clock
from soulseer.config import ConfigError
from soulseer.errors import DomainError
from soulseer.extensions import db, get_oauth, init_oauth
from soulseer.models import Role, TokenPurpose, User, UserStatus
from soulseer.services import accounts
from soulseer.services.accounts import suspensions, tokens

log = logging.getLogger(__name__)

CLIENT_NAME = "auth0"
SCOPE = "openid profile email"
# ID tokens are RS256 and checked against the provider's JWKS, whatever else it advertises.
SIGNING_ALGORITHMS = ["RS256"]
# Clock skew allowed on exp/iat/nbf (Authlib's default is 120 s; we keep it short).
LEEWAY_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10
WELL_KNOWN = "/.well-known/openid-configuration"
# In the session: this sign-in came through Auth0, so signing out also ends the Auth0 session.
SESSION_KEY = "signed_in_with_auth0"

REASONS = {
    "cancelled": "The sign-in was cancelled or refused at Auth0",
    "incomplete": "This sign-in link is incomplete",
    "state": "This sign-in attempt expired or did not start here",
    "provider": "Auth0 did not complete the sign-in",
    "unreachable": "Auth0 could not be reached",
    "signature": "The identity token's signature is not valid",
    "issuer": "The identity token comes from an unexpected issuer",
    "audience": "The identity token was issued for another application",
    "expired": "The identity token has expired or is not valid yet",
    "nonce": "The identity token belongs to another sign-in attempt",
    "claims": "The identity token is incomplete",
    "email": "Your email address is not verified",
    "suspended": "This account is suspended",
    "deleted": "This account was deleted",
}


class SignInProblem(DomainError):
    """A refused Auth0 sign-in: `reason` is a key of REASONS (the page's heading), the message
    (`detail`) says what to do, `retry` whether trying again can help."""

    status = 400

    def __init__(self, reason, detail, status=None, retry=True):
        super().__init__(detail, status=status)
        self.reason = reason
        self.retry = retry

    @property
    def detail(self):
        return self.message

    @property
    def label(self):
        return REASONS[self.reason]


SETTINGS_ADVICE = "Please try again; if it keeps happening, tell us through the Help page."

# What the provider round trip can raise; anything else is a bug and stays a 500.
PROVIDER_ERRORS = (SignInProblem, AuthlibBaseError, JoseError, requests.RequestException, ValueError, RuntimeError)


class Auth0App(FlaskOAuth2App):
    """Authlib's Flask client with two rules pinned at discovery: the document must name the
    issuer it was fetched for (OpenID Connect Discovery §4.3), and ID tokens are RS256 only."""

    def load_server_metadata(self):
        if "_loaded_at" in self.server_metadata:
            return self.server_metadata
        metadata = super().load_server_metadata()
        issuer = metadata.get("issuer")
        url = self._server_metadata_url or ""
        # Auth0's issuer has a trailing slash that its discovery URL lacks.
        expected = url.removesuffix(WELL_KNOWN).rstrip("/") if url.endswith(WELL_KNOWN) else None
        if not issuer or (expected is not None and issuer.rstrip("/") != expected):
            metadata.pop("_loaded_at", None)  # look again next time rather than trust it
            raise SignInProblem("issuer", "The provider's discovery document names another issuer.", 502)
        metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS
        return metadata


def metadata_url(config):
    return config["OIDC_METADATA_URL"] or f"https://{config['AUTH0_DOMAIN']}{WELL_KNOWN}"


def init_app(app):
    """Bind Authlib's registry to the app; register the Auth0 client when all three settings are set."""
    oauth = init_oauth(app)
    config = app.config
    names = ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET")
    missing = [name for name in names if not config.get(name)]
    if missing:
        if len(missing) < len(names):
            app.logger.warning("Auth0 sign-in is off: %s not set.", ", ".join(missing))
        return
    url = metadata_url(config)
    if config["ENV_PRODUCTION"] and not url.startswith("https://"):
        raise ConfigError("OIDC_METADATA_URL must be an https:// URL in production.")
    oauth.register(
        CLIENT_NAME,
        client_id=config["AUTH0_CLIENT_ID"],
        client_secret=config["AUTH0_CLIENT_SECRET"],
        server_metadata_url=url,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT_SECONDS},
        client_cls=Auth0App,
    )


def client():
    """The Auth0 client of the current app, or None when Auth0 is not configured."""
    return get_oauth().create_client(CLIENT_NAME)


def configured():
    return client() is not None


def form_action_origins(app):
    """Origins a form may lead to: POST /sign-out redirects to the provider's logout, and browsers
    apply the page's CSP form-action to that redirect."""
    config = app.config
    if not all(config.get(name) for name in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET")):
        return []
    origins = [f"https://{config['AUTH0_DOMAIN']}"]
    if config["OIDC_METADATA_URL"]:
        parts = urlsplit(config["OIDC_METADATA_URL"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def claims_options(oauth_client):
    """What the ID token must say besides its signature, expiry and nonce (which Authlib checks):
    our provider as issuer and our client id as audience. Authlib checks `aud` only when told."""
    issuer = oauth_client.load_server_metadata()["issuer"]
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": oauth_client.client_id},
        "sub": {"essential": True},
    }


def identity_from(oauth_client, token):
    """The verified claims of the ID token, completed from /userinfo when it left out the email."""
    claims = token.get("userinfo")
    if not claims:
        raise SignInProblem("provider", "Auth0 sent no identity token. Please try again.")
    identity = dict(claims)
    if not identity.get("email"):
        extra = oauth_client.userinfo(token=token)
        if extra.get("sub") == identity["sub"]:
            for key in ("email", "email_verified", "name", "nickname"):
                if key in extra and key not in identity:
                    identity[key] = extra[key]
    return identity


def problem_from(error):
    """Name the category of a failed round trip for the page the user sees."""
    if isinstance(error, SignInProblem):
        return error
    if isinstance(error, MismatchingStateError):
        return SignInProblem("state", "Start again from the sign-in page; each attempt can be used once.")
    if isinstance(error, ExpiredTokenError):
        return SignInProblem("expired", "Check that your device's date and time are right, then try again.")
    if isinstance(error, ClaimError):
        claim = error.claim
        if claim == "iss":
            return SignInProblem("issuer", SETTINGS_ADVICE)
        if claim in ("aud", "azp"):
            return SignInProblem("audience", SETTINGS_ADVICE)
        if claim == "nonce":
            return SignInProblem("nonce", "Please start again from the sign-in page.")
        if claim in ("exp", "iat", "nbf"):
            return SignInProblem("expired", "Check that your device's date and time are right, then try again.")
        return SignInProblem("claims", f"Its “{claim}” claim is missing or wrong. {SETTINGS_ADVICE}")
    if isinstance(error, JoseError):
        return SignInProblem("signature", SETTINGS_ADVICE)
    if isinstance(error, OAuthError):
        return SignInProblem("provider", "Auth0 refused to exchange the sign-in code. Please try again.")
    if isinstance(error, requests.RequestException | AuthlibBaseError | ValueError | RuntimeError):
        return SignInProblem("unreachable", "Please try again in a moment, or sign in with your email.", 502)
    raise error


# Auth0's `error` codes (OAuth 2.0 §4.1.2.1, OpenID Connect §3.1.2.6) said in words. Its
# error_description is never shown: anyone can put text in a link to the callback.
CANCELLED_WORDS = {
    "access_denied": "You chose not to continue at Auth0, or Auth0 refused the sign-in.",
    "unauthorized": "Auth0 refused the sign-in for this account.",
    "login_required": "Auth0 needs you to sign in there first.",
    "consent_required": "Auth0 needs you to allow SoulSeer to see your profile and email.",
    "interaction_required": "Auth0 needs you to finish a step there first.",
}
PROVIDER_FAILURES = {"server_error", "temporarily_unavailable"}


def callback_problem(args):
    """What makes a callback unusable before any exchange with Auth0: the `error` it carries (the
    user cancelled, or Auth0 refused or failed), or no `code` (a truncated or bookmarked link,
    the caller's error, not an outage). None when the exchange can go ahead."""
    error_code = args.get("error")
    if error_code:
        code = error_code if re.fullmatch(r"[a-z_]{1,40}", error_code) else "error"
        if code in PROVIDER_FAILURES:
            return SignInProblem("provider", f"Auth0 had a problem ({code}). Please try again in a moment.", 502)
        said = f"{CANCELLED_WORDS[code]} (Auth0: “{code}”.)" if code in CANCELLED_WORDS else f"Auth0 answered “{code}”."
        return SignInProblem("cancelled", f"{said} You can try again or sign in with your email.")
    if not args.get("code"):
        return SignInProblem("incomplete", "Start again from the sign-in page.")
    return None


@dataclass
class SignIn:
    user: User
    created: bool = False
    linked: bool = False
    password_removed: bool = False


def _email_verified(identity):
    return identity.get("email_verified") in (True, "true")  # some providers send a string


def _display_name(identity, email):
    """The name Auth0 shares; its `name` is often just the email address, which we do not show."""
    for key in ("name", "nickname"):
        value = (identity.get(key) or "").strip()
        if value and "@" not in value:
            return value[:80]
    return email.partition("@")[0][:80] or "SoulSeer client"


def _by_subject(subject):
    return db.session.execute(sa.select(User).filter_by(auth0_subject=subject)).scalar_one_or_none()


def _refuse_inactive(user):
    if user is not None:
        suspensions.end_if_over(user)  # its time has come: no need to wait for the tick
    if user is not None and user.status == UserStatus.SUSPENDED:
        detail = suspensions.when_it_ends(user) or "Contact support if you think this is a mistake."
        raise SignInProblem("suspended", detail, status=403, retry=False)
    if user is not None and user.status != UserStatus.ACTIVE:
        raise SignInProblem("deleted", "Create a new account if you want to use SoulSeer again.", 403, retry=False)


def account_for(identity):
    """The account a verified identity signs into: the one linked to its subject, else the one with
    its verified email (linked now), else a new client account. Changes nothing when it raises.
    The 18+ and Terms step follows through the consent gate. The caller commits."""
    subject = identity.get("sub")
    email = accounts.normalise_email(identity.get("email"))
    if not subject:
        raise SignInProblem("claims", "The token names no user.")
    if not email or "@" not in email or len(email) > 254:
        raise SignInProblem("email", "Auth0 did not share an email address. Allow SoulSeer to see it and try again.")
    if not _email_verified(identity):
        raise SignInProblem("email", f"Auth0 has not verified {email} yet. Confirm it there, then sign in again.")

    now = clock.now()
    user = _by_subject(subject)
    result = SignIn(user)
    if user is None:
        user = accounts.find_by_email(email)
        _refuse_inactive(user)
        if user is None:
            return _create(subject, email, identity, now)
        result = SignIn(user, linked=True)
        user.auth0_subject = subject  # a different Auth0 login with the same verified email moves the link
        # An invited reader or admin who chose Auth0: the invitation link has done its job. The
        # consent gate still asks for 18+, the Terms and (readers) the Reader agreement.
        tokens.retire(user, TokenPurpose.INVITATION)
        if user.email_verified_at is None:
            # Whoever registered this address earlier never proved it; Auth0 just did. A password
            # they set must not keep a way into the account of the address's owner.
            result.password_removed = user.password_hash is not None
            user.password_hash = None
            user.session_epoch += 1
            user.email_verified_at = now
    _refuse_inactive(user)
    user.last_login_at = now
    return result


def _create(subject, email, identity, now):
    user = User(
        email=email,
        display_name=_display_name(identity, email),
        role=Role.CLIENT,
        auth0_subject=subject,
        email_verified_at=now,
        last_login_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except sa.exc.IntegrityError:  # the same person's other tab got there first
        user = _by_subject(subject)
        if user is None:
            raise SignInProblem("provider", "Please try again.") from None
        user.last_login_at = now
        return SignIn(user)
    return SignIn(user, created=True)


def logout_url(return_to):
    """Where signing out sends someone who signed in through Auth0: the provider's
    end_session_endpoint from discovery, else Auth0's /v2/logout. None when Auth0 is off."""
    oauth_client = client()
    if oauth_client is None:
        return None
    try:
        endpoint = oauth_client.load_server_metadata().get("end_session_endpoint")
    except PROVIDER_ERRORS as error:
        log.warning("Auth0 discovery failed at sign-out: %s", error)
        endpoint = None
    if endpoint:
        return add_params_to_uri(endpoint, {"client_id": oauth_client.client_id, "post_logout_redirect_uri": return_to})
    query = urlencode({"client_id": oauth_client.client_id, "returnTo": return_to})
    return f"https://{current_app.config['AUTH0_DOMAIN']}/v2/logout?{query}"
