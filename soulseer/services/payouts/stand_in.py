"""Test payouts: a stand-in for Stripe Connect when no Stripe key is set (never in production).

Like the TEST checkout of top-ups (services/payments/stripe_stand_in.py), it lets SoulSeer run its
whole payout path without Stripe: the payouts service makes **the same calls** through
`stripe.StripeClient` (the same form-encoded requests, idempotency keys and JSON answers), but the
client's transport hands them to the small WSGI app below, in this process, instead of sending
them to api.stripe.com. Its records (accounts, account links, transfers) live in Redis, so the
web, worker and cron processes share them. The hosted pages Stripe would show (onboarding, the
Express dashboard) are TEST pages of ours (blueprints/reader/payouts.py), and they send the signed
Connect events Stripe would send, over HTTP, to our own Connect webhook: the onboarding page
`account.updated`; the dashboard, on the reader's choice, what Stripe sends when it pays her
Stripe balance into her bank, `payout.paid` or `payout.failed` (`bank_payout`).

It answers only what the payouts area asks: accounts (create, retrieve), account links, login
links, transfers (create with an idempotency key, list by transfer group) and the platform's
balance (TEST_BALANCE less what it transferred; a transfer beyond it is refused as Stripe refuses
one: `balance_insufficient`).
"""

import json
import secrets
import time
from urllib.parse import parse_qsl, urlsplit

import stripe
from flask import current_app
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from soulseer.extensions import get_redis
from soulseer.services.payments import stripe_stand_in

API_KEY = "sk_test_soulseer_stand_in"
PREFIX = "soulseer:stripe-stand-in:"
TEST_BALANCE = 1_000_000  # the stand-in platform's available balance before any transfer: $10,000.00
LINK_SECONDS = 300  # Stripe's account links expire after a few minutes and work once
ONBOARDING_PATH = "/reader/payouts/test-onboarding/"  # the TEST page of the reader blueprint
DASHBOARD_PATH = "/reader/payouts/test-dashboard"
# What Stripe asks a new US Express account for (a sample of its real requirement names).
NEW_ACCOUNT_DUE = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "individual.address.city",
    "individual.address.line1",
    "individual.address.postal_code",
    "individual.address.state",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.email",
    "individual.first_name",
    "individual.last_name",
    "individual.phone",
    "individual.ssn_last_4",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


def _key(*parts):
    return PREFIX + ":".join(parts)


def _load(key):
    raw = get_redis().get(key)
    return json.loads(raw) if raw else None


def _save(key, value, seconds=None):
    get_redis().set(key, json.dumps(value), ex=seconds)


def _json(body, status=200):
    return Response(json.dumps(body), status, mimetype="application/json", headers={"Request-Id": "req_stand_in"})


def _error(status, message, code=None, error_type="invalid_request_error"):
    return _json({"error": {"type": error_type, "code": code, "message": message}}, status)


def _form(request):
    """Stripe's form encoding ("a[b][c]=v") as the flat dict of names the handlers read."""
    return dict(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))


def _public_url(path, like=None):
    """An address on this site: on the host of `like` (the return URL: the host the browser used),
    else PUBLIC_URL."""
    if like:
        parts = urlsplit(like)
        return f"{parts.scheme}://{parts.netloc}{path}"
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


# --- the accounts --------------------------------------------------------------------------------


def _new_account(form):
    account_id = "acct_test_" + secrets.token_hex(8)
    return {
        "id": account_id,
        "object": "account",
        "business_type": None,
        "capabilities": {"transfers": "inactive"},
        "charges_enabled": False,
        "controller": {
            "fees": {"payer": form.get("controller[fees][payer]")},
            "losses": {"payments": form.get("controller[losses][payments]")},
            "requirement_collection": form.get("controller[requirement_collection]"),
            "stripe_dashboard": {"type": form.get("controller[stripe_dashboard][type]")},
            "type": "application",
        },
        "country": form.get("country", "US"),
        "created": int(time.time()),
        "default_currency": "usd",
        "details_submitted": False,
        "email": form.get("email"),
        "livemode": False,
        "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
        "payouts_enabled": False,
        "requirements": {
            "currently_due": list(NEW_ACCOUNT_DUE),
            "eventually_due": list(NEW_ACCOUNT_DUE),
            "past_due": list(NEW_ACCOUNT_DUE),
            "pending_verification": [],
            "disabled_reason": "requirements.past_due",
        },
        "settings": {"payouts": {"schedule": {"interval": "daily", "delay_days": 2}}},
        "type": "express",
    }


def account(account_id):
    """The stand-in's record of a connected account, or None."""
    return _load(_key("account", account_id))


def finish_onboarding(account_id):
    """What Stripe's onboarding does once the reader has given everything: transfers active,
    payouts enabled, nothing due. Returns the account."""
    record = account(account_id)
    record.update(details_submitted=True, payouts_enabled=True, capabilities={"transfers": "active"})
    record["requirements"] = {
        "currently_due": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
        "disabled_reason": None,
    }
    _save(_key("account", account_id), record)
    return record


# --- the API ---------------------------------------------------------------------------------------


def _idempotent(request, create):
    """Stripe's idempotency: the same key answers the first answer again (for 24 hours), also to
    requests at the same moment (one at a time per key)."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        body, status = create()
        return _json(body, status)
    with get_redis().lock(_key("lock", key), timeout=30, blocking_timeout=30):
        kept = _load(_key("idempotency", key))
        if kept is not None:
            return _json(kept["body"], kept["status"])
        body, status = create()
        _save(_key("idempotency", key), {"body": body, "status": status}, 24 * 3600)
    return _json(body, status)


def _create_account(request):
    form = _form(request)

    def create():
        record = _new_account(form)
        _save(_key("account", record["id"]), record)
        return record, 200

    return _idempotent(request, create)


def _create_account_link(request):
    form = _form(request)
    if account(form.get("account", "")) is None:
        return _error(400, f"No such account: '{form.get('account')}'", "resource_missing")
    token = secrets.token_urlsafe(24)
    now = int(time.time())
    link = {
        "account": form["account"],
        "refresh_url": form.get("refresh_url"),
        "return_url": form.get("return_url"),
        "expires_at": now + LINK_SECONDS,
    }
    _save(_key("link", token), link, LINK_SECONDS)
    body = {"object": "account_link", "created": now, "expires_at": link["expires_at"],
            "url": _public_url(ONBOARDING_PATH + token, like=link["return_url"])}  # fmt: skip
    return _json(body)


def _create_login_link(account_id):
    if account(account_id) is None:
        return _error(404, f"No such account: '{account_id}'", "resource_missing")
    return _json({"object": "login_link", "created": int(time.time()), "url": _public_url(DASHBOARD_PATH)})


def _create_transfer(request):
    form = _form(request)

    def create():
        destination = account(form.get("destination", ""))
        if destination is None:
            return {"error": {"type": "invalid_request_error", "code": "resource_missing",
                              "message": f"No such destination: '{form.get('destination')}'"}}, 400  # fmt: skip
        if destination["capabilities"].get("transfers") != "active":
            return {"error": {"type": "invalid_request_error", "code": "insufficient_capabilities_for_transfer",
                              "message": "Your destination account needs to have the transfers capability "
                                         "enabled."}}, 400  # fmt: skip
        transfer = {
            "id": "tr_test_" + secrets.token_hex(10),
            "object": "transfer",
            "amount": int(form["amount"]),
            "amount_reversed": 0,
            "created": int(time.time()),
            "currency": form.get("currency", "usd"),
            "destination": destination["id"],
            "livemode": False,
            "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0},
            "reversed": False,
            "transfer_group": form.get("transfer_group"),
        }
        if transfer["amount"] > balance():
            return {"error": {"type": "invalid_request_error", "code": "balance_insufficient",
                              "message": "You have insufficient funds in your Stripe account."}}, 400  # fmt: skip
        _save(_key("transfer", transfer["id"]), transfer)
        get_redis().rpush(_key("transfers"), transfer["id"])
        get_redis().incrby(_key("transferred"), transfer["amount"])
        return transfer, 200

    return _idempotent(request, create)


def balance():
    """The stand-in platform's available balance: TEST_BALANCE less what it transferred."""
    return TEST_BALANCE - int(get_redis().get(_key("transferred")) or 0)


def transfers(destination=None, transfer_group=None):
    """The stand-in's transfers, newest first."""
    ids = [raw.decode() for raw in get_redis().lrange(_key("transfers"), 0, -1)]
    found = [_load(_key("transfer", transfer_id)) for transfer_id in reversed(ids)]
    return [
        t
        for t in found
        if t
        and (destination is None or t["destination"] == destination)
        and (transfer_group is None or t["transfer_group"] == transfer_group)
    ]


def _list_transfers(request):
    data = transfers(request.args.get("destination"), request.args.get("transfer_group"))
    limit = int(request.args.get("limit", 10))
    return _json({"object": "list", "url": "/v1/transfers", "has_more": len(data) > limit, "data": data[:limit]})


@Request.application
def api(request):
    """Stripe's API, the part the payouts area uses."""
    if request.headers.get("Authorization") != f"Bearer {API_KEY}":
        return _error(401, "Invalid API Key provided.")
    parts = request.path.strip("/").split("/")
    method = request.method
    if method == "POST" and parts == ["v1", "accounts"]:
        return _create_account(request)
    if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "accounts"]:
        found = account(parts[2])
        return _json(found) if found else _error(404, f"No such account: '{parts[2]}'", "resource_missing")
    if method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "accounts"] and parts[3] == "login_links":
        return _create_login_link(parts[2])
    if method == "POST" and parts == ["v1", "account_links"]:
        return _create_account_link(request)
    if method == "POST" and parts == ["v1", "transfers"]:
        return _create_transfer(request)
    if method == "GET" and parts == ["v1", "transfers"]:
        return _list_transfers(request)
    if method == "GET" and parts == ["v1", "balance"]:
        available = [{"amount": balance(), "currency": "usd", "source_types": {"card": balance()}}]
        return _json({"object": "balance", "available": available, "pending": [], "livemode": False})
    return _error(404, f"Unrecognized request URL ({method}: {request.path}).")


class Transport(stripe.HTTPClient):
    """The StripeClient's HTTP client for test payouts: each request goes to `api` in this process."""

    name = "soulseer-stand-in"

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = url.split("://", 1)[-1]
        path = path[path.index("/") :] if "/" in path else "/"
        response = Client(api).open(path, method=method.upper(), headers=dict(headers or {}), data=post_data or None)
        return response.get_data(as_text=True), response.status_code, dict(response.headers)

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("the stand-in does not stream")

    def close(self):
        pass


def client():
    return stripe.StripeClient(API_KEY, http_client=Transport(), max_network_retries=0)


# --- the hosted onboarding page's work --------------------------------------------------------------


def link(token):
    """The account link behind a TEST onboarding URL, or None when it expired or was used."""
    return _load(_key("link", token))


def use_link(token):
    """Account links work once: the first use takes it (None if it is gone already)."""
    raw = get_redis().getdel(_key("link", token))
    return json.loads(raw) if raw else None


# What a failed bank payout says in the TEST dashboard's simulation (a code of Stripe's list).
TEST_BANK_FAILURE = "account_closed"


def bank_payout(account_id, arrives):
    """Stripe paying everything SoulSeer transferred to her into her bank, as the Connect event it
    sends then (`payout.paid`, or `payout.failed` with TEST_BANK_FAILURE). None when nothing was
    transferred to her yet."""
    amount = sum(transfer["amount"] - transfer["amount_reversed"] for transfer in transfers(destination=account_id))
    if amount <= 0:
        return None
    payout = {
        "id": "po_test_" + secrets.token_hex(10),
        "object": "payout",
        "amount": amount,
        "arrival_date": int(time.time()),
        "currency": "usd",
        "livemode": False,
        "method": "standard",
        "status": "paid" if arrives else "failed",
        "failure_code": None if arrives else TEST_BANK_FAILURE,
        "failure_message": None if arrives else "The bank account has been closed.",
    }
    return connect_event("payout.paid" if arrives else "payout.failed", payout, account_id)


def connect_event(event_type, data_object, account_id):
    """A Connect event as Stripe sends it: the connected account in `account`."""
    return stripe_stand_in.envelope(event_type, data_object, account=account_id)


def deliver(event, webhook_url):
    """POST the event, signed with the Connect endpoint's secret, to `webhook_url` (our own Connect
    webhook). Raises stripe_stand_in.DeliveryError."""
    return stripe_stand_in.deliver(event, webhook_url, current_app.config["STRIPE_CONNECT_WEBHOOK_SECRET"])
