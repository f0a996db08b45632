"""Continue with Auth0: the redirect to the provider and the callback. The rules (which tokens are
accepted, which account a login opens) are in soulseer/services/accounts/auth0.py."""

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from soulseer.blueprints.auth import bp
from soulseer.blueprints.auth.views import landing_for, sign_in_user
from soulseer.extensions import db, limiter
from soulseer.services.accounts import auth0
from soulseer.views import refused, safe_next_url

NEXT_KEY = "auth0_next"

bp.add_app_template_global(auth0.configured, "auth0_enabled")


def _client():
    oauth_client = auth0.client()
    if oauth_client is None:
        abort(404)
    return oauth_client


def _refused(problem, error=None):
    current_app.logger.warning("Auth0 sign-in refused (%s): %s", problem.reason, error or problem.detail)
    return refused(problem, "auth/auth0_problem.html", problem=problem)


@bp.get("/sign-in/auth0")
@limiter.limit("20 per minute")
def auth0_sign_in():
    oauth_client = _client()
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    session.pop(NEXT_KEY, None)
    next_url = safe_next_url(request.args.get("next"))
    if next_url:
        session[NEXT_KEY] = next_url
    try:
        # Authlib adds state, nonce and the PKCE challenge, and keeps them in the session.
        return oauth_client.authorize_redirect(url_for("auth.auth0_callback", _external=True))
    except auth0.PROVIDER_ERRORS as error:
        return _refused(auth0.problem_from(error), error)


@bp.get("/sign-in/auth0/callback")
@limiter.limit("20 per minute;100 per hour")
def auth0_callback():
    oauth_client = _client()
    try:
        problem = auth0.callback_problem(request.args)
        if problem:
            raise problem
        # Checks state, exchanges the code with the PKCE verifier, then verifies the ID token's
        # RS256 signature (JWKS), issuer, audience, expiry and nonce.
        token = oauth_client.authorize_access_token(
            leeway=auth0.LEEWAY_SECONDS, claims_options=auth0.claims_options(oauth_client)
        )
        result = auth0.account_for(auth0.identity_from(oauth_client, token))
    except auth0.PROVIDER_ERRORS as error:
        return _refused(auth0.problem_from(error), error)
    db.session.commit()
    next_url = session.pop(NEXT_KEY, None)
    sign_in_user(result.user)
    session[auth0.SESSION_KEY] = True
    if result.created:
        flash(f"Welcome to SoulSeer, {result.user.display_name}!", "success")
    elif result.linked:
        message = "Your SoulSeer account is now linked with Auth0."
        if result.password_removed:
            message += " The password set before your email was confirmed was removed; set a new one any time."
        flash(message, "success")
    return redirect(next_url or landing_for(result.user))
