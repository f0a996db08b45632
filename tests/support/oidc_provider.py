"""A small OpenID Connect provider on loopback, speaking the real protocol, for Auth0 tests.

Discovery, /authorize (consents at once for `provider.user`), /token (client credentials, one-use
code, redirect_uri and the PKCE S256 verifier all checked; an RS256 ID token), /jwks, /userinfo and
/logout (RP-initiated logout). `provider.scenario` makes it misbehave the ways a real attacker or a
broken tenant would: sign with a key that is not in the JWKS, name another audience or issuer, send
a wrong nonce, an expired token, an unverified email, and so on (see SCENARIOS).

Run it alone for trying the app by hand:
    .venv/bin/python -m tests.support.oidc_provider --port 5067 --client-id soulseer --client-secret dev-secret
"""

import argparse
import base64
import contextlib
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from werkzeug.datastructures import Authorization
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from tests.support.servers import serve_in_background

SCENARIOS = {
    "good": "a valid ID token",
    "other_key": "signed by a key that is not in the JWKS, under the published key id",
    "unknown_kid": "signed by a key that is not in the JWKS, under its own key id",
    "hs256": "HMAC-signed with the client secret (discovery then lists HS256 too)",
    "alg_none": "an unsigned token (alg none)",
    "other_audience": "issued for another client",
    "other_audience_with_azp": "issued for another client, with our client id as azp",
    "other_issuer": "an iss that is not the provider's",
    "wrong_nonce": "a nonce from another attempt",
    "no_nonce": "no nonce claim",
    "expired": "exp ten minutes ago",
    "issued_in_future": "iat ten minutes ahead",
    "email_unverified": "email_verified false",
    "email_in_userinfo_only": "no email in the ID token; /userinfo has it",
    "token_error": "the token endpoint answers invalid_grant",
    "no_id_token": "the token endpoint sends an access token only",
    "no_end_session": "discovery has no end_session_endpoint",
    "discovery_other_issuer": "discovery names an issuer other than its own address",
}


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier):
    return _b64url(hashlib.sha256(verifier.encode()).digest())


class OpenIDProvider:
    def __init__(self, client_id="soulseer-test", client_secret=None, host="127.0.0.1", port=0):
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(32)
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "rogue-key", "use": "sig", "alg": "RS256"})
        self.scenario = "good"
        self.user = {
            "sub": "auth0|alice",
            "email": "alice@example.com",
            "email_verified": True,
            "name": "Alice Moon",
            "nickname": "alice",
        }
        self.codes = {}  # code -> what /authorize saw
        self.access_tokens = {}
        self.authorize_requests = []
        self.token_requests = []
        self.logout_requests = []
        self.url_map = Map(
            [
                Rule("/.well-known/openid-configuration", endpoint="discovery"),
                Rule("/authorize", endpoint="authorize"),
                Rule("/token", endpoint="token", methods=["POST"]),
                Rule("/jwks", endpoint="jwks"),
                Rule("/userinfo", endpoint="userinfo"),
                Rule("/logout", endpoint="logout"),
            ]
        )
        self._server = make_server(host, port, self.wsgi_app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self.issuer = self.url + "/"  # Auth0's issuer ends with a slash; its discovery URL does not
        self.metadata_url = self.url + "/.well-known/openid-configuration"
        self._thread = None

    # -- running ---------------------------------------------------------------------------------

    def start(self):
        self._thread = serve_in_background(self._server, name="oidc-provider")
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def reset(self):
        self.scenario = "good"
        self.authorize_requests.clear()
        self.token_requests.clear()
        self.logout_requests.clear()

    def wsgi_app(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, values = self.url_map.bind_to_environ(environ).match()
            response = getattr(self, endpoint)(request, **values)
        except HTTPException as error:
            response = error
        return response(environ, start_response)

    # -- endpoints -------------------------------------------------------------------------------

    def discovery(self, request):
        metadata = {
            "issuer": self.issuer,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "userinfo_endpoint": self.url + "/userinfo",
            "end_session_endpoint": self.url + "/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "profile", "email"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
        if self.scenario == "hs256":
            metadata["id_token_signing_alg_values_supported"] = ["RS256", "HS256"]
        if self.scenario == "no_end_session":
            del metadata["end_session_endpoint"]
        if self.scenario == "discovery_other_issuer":
            metadata["issuer"] = "https://evil.example/"
        return _json(metadata)

    def authorize(self, request):
        args = request.args
        self.authorize_requests.append(dict(args))
        problems = []
        if args.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if args.get("response_type") != "code":
            problems.append("response_type must be code")
        if "openid" not in args.get("scope", "").split():
            problems.append("scope must include openid")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            problems.append("PKCE with S256 is required")
        if not args.get("redirect_uri") or not args.get("state") or not args.get("nonce"):
            problems.append("redirect_uri, state and nonce are required")
        if problems:
            return Response("; ".join(problems), status=400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": args["redirect_uri"],
            "nonce": args["nonce"],
            "code_challenge": args["code_challenge"],
            "user": dict(self.user),
            "issued": time.time(),
        }
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}")

    def token(self, request):
        form = request.form
        client_id, client_secret = self._client_credentials(request)
        self.token_requests.append({"form": dict(form), "client_id": client_id})
        if client_id != self.client_id or not secrets.compare_digest(client_secret or "", self.client_secret):
            return _json({"error": "invalid_client"}, 401)
        if form.get("grant_type") != "authorization_code":
            return _json({"error": "unsupported_grant_type"}, 400)
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or time.time() - grant["issued"] > 60:
            return _json({"error": "invalid_grant", "error_description": "unknown or used code"}, 400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant", "error_description": "redirect_uri differs"}, 400)
        verifier = form.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(s256(verifier), grant["code_challenge"]):
            return _json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        if self.scenario == "token_error":
            return _json({"error": "invalid_grant", "error_description": "scenario"}, 400)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant["user"]
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid profile email",
        }
        if self.scenario != "no_id_token":
            body["id_token"] = self.id_token(grant["user"], grant["nonce"])
        return _json(body)

    def jwks(self, request):
        return _json(KeySet([self.signing_key]).as_dict(private=False))

    def userinfo(self, request):
        auth = request.headers.get("Authorization", "")
        user = self.access_tokens.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
        if user is None:
            return _json({"error": "invalid_token"}, 401)
        return _json(user)

    def logout(self, request):
        self.logout_requests.append(dict(request.args))
        target = request.args.get("post_logout_redirect_uri")
        if target:
            return redirect(target)
        return Response("You are signed out of the test provider.", mimetype="text/plain")

    # -- tokens ----------------------------------------------------------------------------------

    def id_token(self, user, nonce):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user["sub"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 600,
            "nonce": nonce,
            "email": user.get("email"),
            "email_verified": user.get("email_verified"),
            "name": user.get("name"),
            "nickname": user.get("nickname"),
        }
        scenario = self.scenario
        if scenario == "other_audience":
            claims["aud"] = "someone-else"
        elif scenario == "other_audience_with_azp":
            claims["aud"] = "someone-else"
            claims["azp"] = self.client_id
        elif scenario == "other_issuer":
            claims["iss"] = "https://evil.example/"
        elif scenario == "wrong_nonce":
            claims["nonce"] = "n-" + secrets.token_urlsafe(12)
        elif scenario == "no_nonce":
            del claims["nonce"]
        elif scenario == "expired":
            claims["iat"], claims["exp"] = now - 1200, now - 600
        elif scenario == "issued_in_future":
            claims["iat"] = now + 600
        elif scenario == "email_unverified":
            claims["email_verified"] = False
        elif scenario == "email_in_userinfo_only":
            for key in ("email", "email_verified", "name", "nickname"):
                claims.pop(key)

        if scenario == "other_key":
            return jwt.encode({"alg": "RS256", "kid": self.signing_key.kid}, claims, self.rogue_key)
        if scenario == "unknown_kid":
            return jwt.encode({"alg": "RS256", "kid": self.rogue_key.kid}, claims, self.rogue_key)
        if scenario == "hs256":
            key = OctKey.import_key(self.client_secret.encode())
            return jwt.encode({"alg": "HS256", "kid": self.signing_key.kid}, claims, key)
        if scenario == "alg_none":
            header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64url(json.dumps(claims).encode())}."
        return jwt.encode({"alg": "RS256", "kid": self.signing_key.kid}, claims, self.signing_key)

    def _client_credentials(self, request):
        auth = request.authorization
        if isinstance(auth, Authorization) and auth.type == "basic":
            return auth.username, auth.password
        return request.form.get("client_id"), request.form.get("client_secret")


def _json(data, status=200):
    return Response(json.dumps(data), status=status, mimetype="application/json")


def main():
    parser = argparse.ArgumentParser(description="A local OpenID provider for trying Auth0 sign-in by hand.")
    parser.add_argument("--port", type=int, default=5067)
    parser.add_argument("--client-id", default="soulseer")
    parser.add_argument("--client-secret", default="dev-secret-not-for-production")
    parser.add_argument("--email", default="alice@example.com")
    parser.add_argument("--name", default="Alice Moon")
    parser.add_argument("--scenario", default="good", choices=sorted(SCENARIOS))
    options = parser.parse_args()
    provider = OpenIDProvider(options.client_id, options.client_secret, port=options.port)
    provider.user.update(sub=f"auth0|{options.email}", email=options.email, name=options.name)
    provider.scenario = options.scenario
    print(f"OpenID provider at {provider.url}  (OIDC_METADATA_URL={provider.metadata_url})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        provider._server.serve_forever()


if __name__ == "__main__":
    main()
