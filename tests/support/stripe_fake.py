"""A loopback fake of the Stripe API, and Stripe's webhook signing scheme, for the tests.

`StripeFake` is a real HTTP server (werkzeug, in a thread, on 127.0.0.1) that answers
POST /v1/checkout/sessions the way Stripe does (top-ups, and shop orders with their quantity,
shipping and expiry; retrieve and expire), and the Connect calls of payouts: accounts
(create, retrieve), account links, login links, transfers (create with idempotency keys, list by
transfer group) and the balance. `script(method, path, *steps)` makes the next requests to a path
misbehave as a network does: "drop" (the connection closes before Stripe sees the request),
"lose_answer" (Stripe does the work, then the connection drops: a lost answer), "hold" (Stripe
does the work, sets `holding`, and answers nothing until `release` is set: a caller that dies
meanwhile never learns of it), or an error
answer `(status, type, code, message)`. It checks what the app sent (the bearer key, the
form-encoded fields) and records every request, so tests assert on the wire format, not on mocks.
The app is pointed at it with STRIPE_API_BASE.

`signature_header` / `signed_delivery` sign event bodies exactly as Stripe does:
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>`.
"""

import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.servers import serve_in_background

API_KEY = "sk_test_soulseer_fake_4eC39HqLyjWDarjtT1zdp7dc"


# --- webhook signing ---------------------------------------------------------------------------


def signature_header(body, secret, timestamp=None):
    """Stripe's scheme: t=<timestamp>,v1=<HMAC-SHA256(secret, f"{t}.{body}") in hex>."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    if isinstance(body, str):
        body = body.encode()
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_delivery(event, secret, timestamp=None):
    """(body bytes, headers) for POSTing `event` (a dict) to the webhook endpoint, as Stripe sends it."""
    body = json.dumps(event, indent=2).encode()  # Stripe pretty-prints; the signature covers the raw bytes
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature_header(body, secret, timestamp),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    return body, headers


_event_numbers = itertools.count(1)


def event(event_type, data_object, event_id=None):
    """A Stripe event envelope (API version 2025-01-27) around `data_object`."""
    return {
        "id": event_id or f"evt_test_{next(_event_numbers):04d}{secrets.token_hex(8)}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def checkout_session(session_id, amount, user_id, topup_id=None, payment_status="paid", payment_intent=None):
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "client_reference_id": str(user_id),
        "currency": "usd",
        "customer_details": {"email": "client@example.test"},
        "livemode": False,
        "metadata": {"topup_id": str(topup_id)} if topup_id else {},
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete" if payment_status == "paid" else "open",
    }


def charge(charge_id, payment_intent, amount, amount_refunded):
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "currency": "usd",
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": amount_refunded == amount,
        "status": "succeeded",
    }


def dispute(dispute_id, charge_id, payment_intent, amount, reason="fraudulent"):
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "charge": charge_id,
        "currency": "usd",
        "payment_intent": payment_intent,
        "reason": reason,
        "status": "needs_response",
    }


# --- the API fake ------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    form: dict


def account_snapshot(account_id, transfers="inactive", payouts_enabled=False, details_submitted=False,
                     currently_due=(), past_due=(), disabled_reason=None, user_id=None):  # fmt: skip
    """A v1 Account object as Stripe returns it and sends it in `account.updated`."""
    return {
        "id": account_id,
        "object": "account",
        "capabilities": {"transfers": transfers},
        "charges_enabled": False,
        "controller": {"stripe_dashboard": {"type": "express"}, "type": "application"},
        "country": "US",
        "created": int(time.time()),
        "default_currency": "usd",
        "details_submitted": details_submitted,
        "livemode": False,
        "metadata": {"user_id": str(user_id)} if user_id else {},
        "payouts_enabled": payouts_enabled,
        "requirements": {
            "currently_due": list(currently_due),
            "eventually_due": list(currently_due),
            "past_due": list(past_due),
            "pending_verification": [],
            "disabled_reason": disabled_reason,
        },
        "type": "express",
    }


def connect_event(event_type, data_object, account_id, created=None, event_id=None, livemode=False):
    """A Connect event: as `event`, with the connected account it is about and its own time."""
    envelope = event(event_type, data_object, event_id)
    envelope.update(account=account_id, livemode=livemode)
    if created is not None:
        envelope["created"] = int(created)
    return envelope


NEW_ACCOUNT_DUE = ["external_account", "individual.dob.day", "individual.ssn_last_4", "tos_acceptance.date"]


@dataclass
class StripeFake:
    api_key: str = API_KEY
    requests: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    fail_with: tuple | None = None  # (status, error type, message) for the next requests
    accounts: dict = field(default_factory=dict)
    transfers: dict = field(default_factory=dict)  # id -> transfer, in the order made
    balance_available: int = 10_000_000  # the platform's available balance, in cents
    refunds: dict = field(default_factory=dict)  # id -> refund, in the order made
    charged: dict = field(default_factory=dict)  # payment intent -> cents paid (refunds are checked against it)
    _idempotent: dict = field(default_factory=dict)  # key -> (params, status, body)
    _scripts: dict = field(default_factory=dict)  # (method, path) -> steps for the next requests
    _lock: threading.Lock = field(default_factory=threading.Lock)
    holding: threading.Event = field(default_factory=threading.Event)  # a "hold" step has done its work
    release: threading.Event = field(default_factory=threading.Event)  # ... and may answer now

    def script(self, method, path, *steps):
        """The next requests to `method path` behave as `steps` say, one step each (see the module)."""
        self._scripts.setdefault((method, path), []).extend(steps)

    def requests_to(self, method, path):
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = serve_in_background(self._server)
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(5)

    @Request.application
    def _wsgi(self, request):
        form = request.form.to_dict()
        self.requests.append(RecordedRequest(request.method, request.path, dict(request.headers), form))
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self._error(401, "invalid_request_error", "Invalid API Key provided.")
        if self.fail_with:
            return self._error(*self.fail_with)
        with self._lock:
            steps = self._scripts.get((request.method, request.path)) or []
            step = steps.pop(0) if steps else None
        if step == "drop":
            return self._drop(request)
        if isinstance(step, tuple):
            status, error_type, code, message = step
            return self._error(status, error_type, message, code)
        response = self._route(request, form)
        if step == "lose_answer":
            return self._drop(request)
        if step == "hold":
            self.holding.set()
            self.release.wait(30)
            return self._drop(request)
        return response

    def _route(self, request, form):
        method, path = request.method, request.path
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._idempotently(request, form, self._create_checkout_session)
        if len(parts) >= 4 and parts[:3] == ["v1", "checkout", "sessions"] and parts[3] in self.sessions:
            session = self.sessions[parts[3]]
            if method == "POST" and parts[4:] == ["expire"]:
                if session["status"] != "open":
                    return self._error(400, "invalid_request_error", "Only Checkout Sessions with a status "
                                       "in [\"open\"] can be expired.")  # fmt: skip
                session["status"] = "expired"
            return self._json(session)
        if method == "POST" and path == "/v1/accounts":
            return self._idempotently(request, form, self._create_account)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "accounts"]:
            found = self.accounts.get(parts[2])
            return self._json(found) if found else self._error(404, "invalid_request_error", "No such account")
        if method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "accounts"] and parts[3] == "login_links":
            if parts[2] not in self.accounts:
                return self._error(404, "invalid_request_error", "No such account")
            url = f"https://connect.stripe.com/express/{parts[2]}/{secrets.token_hex(6)}"
            return self._json({"object": "login_link", "created": int(time.time()), "url": url})
        if method == "POST" and path == "/v1/account_links":
            return self._create_account_link(form)
        if method == "POST" and path == "/v1/refunds":
            return self._idempotently(request, form, self._create_refund)
        if method == "POST" and path == "/v1/transfers":
            return self._idempotently(request, form, self._create_transfer)
        if method == "GET" and path == "/v1/transfers":
            return self._list_transfers(request.args)
        if method == "GET" and path == "/v1/balance":
            available = [{"amount": self.balance_available, "currency": "usd"}]
            return self._json({"object": "balance", "available": available, "pending": [], "livemode": False})
        return self._error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _drop(request):
        """Close the connection without an answer, as a network failure does."""
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return Response("", 500)

    def _idempotently(self, request, form, create):
        """Stripe's idempotency: the same key with the same parameters answers the first answer again;
        with other parameters it is an error."""
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            if key in self._idempotent:
                params, status, body = self._idempotent[key]
                if params != form:
                    return self._error(400, "idempotency_error", "Keys for idempotent requests can only be used "
                                       "with the same parameters they were first used with.")  # fmt: skip
                return Response(body, status, mimetype="application/json", headers={"Idempotent-Replayed": "true"})
            response = create(form)
            if key:
                self._idempotent[key] = (form, response.status_code, response.get_data())
            return response

    def _create_account(self, form):
        problems = []
        for name, expected in (
            ("country", "US"),
            ("controller[stripe_dashboard][type]", "express"),
            ("controller[fees][payer]", "application"),
            ("controller[losses][payments]", "application"),
            ("controller[requirement_collection]", "stripe"),
            ("capabilities[transfers][requested]", "true"),
        ):
            if form.get(name) != expected:
                problems.append(f"{name}={form.get(name)!r}")
        if any(name.startswith("capabilities[card_payments]") for name in form):
            problems.append("card_payments requested")
        if problems:
            return self._error(400, "invalid_request_error", "Invalid parameters: " + ", ".join(problems))
        account_id = "acct_1" + secrets.token_hex(8)
        account = account_snapshot(account_id, currently_due=NEW_ACCOUNT_DUE, past_due=NEW_ACCOUNT_DUE,
                                   disabled_reason="requirements.past_due",
                                   user_id=form.get("metadata[user_id]"))  # fmt: skip
        self.accounts[account_id] = account
        return self._json(account)

    def _create_account_link(self, form):
        if form.get("account") not in self.accounts:
            return self._error(400, "invalid_request_error", "No such account")
        for name in ("return_url", "refresh_url"):
            if not (form.get(name) or "").startswith("http"):
                return self._error(400, "invalid_request_error", f"Invalid {name}")
        if form.get("type") not in ("account_onboarding", "account_update"):
            return self._error(400, "invalid_request_error", "Invalid type")
        now = int(time.time())
        url = f"https://connect.stripe.com/setup/e/{form['account']}/{secrets.token_urlsafe(12)}"
        return self._json({"object": "account_link", "created": now, "expires_at": now + 300, "url": url})

    def _create_refund(self, form):
        payment_intent, amount = form.get("payment_intent"), int(form.get("amount") or 0)
        if payment_intent not in self.charged:
            return self._error(400, "invalid_request_error", f"No such payment_intent: '{payment_intent}'",
                               "resource_missing")  # fmt: skip
        before = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == payment_intent)
        if amount <= 0 or before + amount > self.charged[payment_intent]:
            return self._error(400, "invalid_request_error", f"Refund amount (${amount / 100:.2f}) is greater "
                               "than unrefunded amount on charge", "amount_too_large")  # fmt: skip
        refund = {
            "id": "re_1" + secrets.token_hex(10),
            "object": "refund",
            "amount": amount,
            "charge": "ch_1" + payment_intent.removeprefix("pi_"),
            "created": int(time.time()),
            "currency": "usd",
            "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_intent": payment_intent,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return self._json(refund)

    def refunded(self, payment_intent):
        """What the fake refunded of a payment so far (Stripe's cumulative amount_refunded)."""
        return sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == payment_intent)

    def _create_transfer(self, form):
        destination = self.accounts.get(form.get("destination"))
        if destination is None:
            return self._error(400, "invalid_request_error", "No such destination", "resource_missing")
        if destination["capabilities"].get("transfers") != "active":
            return self._error(400, "invalid_request_error", "Your destination account needs to have the transfers "
                               "capability enabled.", "insufficient_capabilities_for_transfer")  # fmt: skip
        amount = int(form.get("amount") or 0)
        if amount > self.balance_available:
            return self._error(400, "invalid_request_error", "You have insufficient funds in your Stripe account.",
                               "balance_insufficient")  # fmt: skip
        self.balance_available -= amount
        transfer = {
            "id": "tr_1" + secrets.token_hex(10),
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "created": int(time.time()),
            "currency": form.get("currency"),
            "destination": destination["id"],
            "livemode": False,
            "metadata": {k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")},
            "reversed": False,
            "transfer_group": form.get("transfer_group"),
        }
        self.transfers[transfer["id"]] = transfer
        return self._json(transfer)

    def _list_transfers(self, args):
        found = [
            t for t in reversed(self.transfers.values())
            if all(t.get(name) == args[name] for name in ("destination", "transfer_group") if name in args)
        ]  # fmt: skip
        limit = int(args.get("limit", 10))
        return self._json({"object": "list", "url": "/v1/transfers", "has_more": len(found) > limit,
                           "data": found[:limit]})  # fmt: skip

    @staticmethod
    def _json(body):
        return Response(json.dumps(body), 200, mimetype="application/json", headers={"Request-Id": "req_fake"})

    def _create_checkout_session(self, form):
        problems = []

        def need(name, check=lambda value: bool(value)):
            if not check(form.get(name)):
                problems.append(f"{name}={form.get(name)!r}")

        order = form.get("metadata[order_id]")  # a shop order (any quantity), else a top-up
        need("mode", lambda v: v == "payment")
        need("line_items[0][quantity]", lambda v: v == "1" or (order and v and v.isdigit() and int(v) > 0))
        need("line_items[0][price_data][currency]", lambda v: v == "usd")
        need("line_items[0][price_data][unit_amount]", lambda v: v is not None and v.isdigit() and int(v) > 0)
        need("line_items[0][price_data][product_data][name]")
        need("client_reference_id", lambda v: v is not None and v.isdigit())
        need("metadata[order_id]" if order else "metadata[topup_id]", lambda v: v is not None and v.isdigit())
        if order:
            need("expires_at", lambda v: v is not None and v.isdigit())
            if "shipping_address_collection[allowed_countries][0]" in form:
                need("shipping_options[0][shipping_rate_data][fixed_amount][amount]", lambda v: v and v.isdigit())
        need("success_url", lambda v: v is not None and v.startswith("http"))
        need("cancel_url", lambda v: v is not None and v.startswith("http"))
        if problems:
            return self._error(400, "invalid_request_error", "Invalid parameters: " + ", ".join(problems))

        session_id = "cs_test_a1" + secrets.token_hex(24)
        amount = int(form["line_items[0][price_data][unit_amount]"]) * int(form["line_items[0][quantity]"])
        amount += int(form.get("shipping_options[0][shipping_rate_data][fixed_amount][amount]") or 0)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": form["cancel_url"],
            "client_reference_id": form["client_reference_id"],
            "created": int(time.time()),
            "currency": "usd",
            "customer_email": form.get("customer_email"),
            "expires_at": int(form.get("expires_at") or time.time() + 24 * 3600),
            "livemode": False,
            "metadata": {"order_id": order} if order else {"topup_id": form["metadata[topup_id]"]},
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        return Response(json.dumps(session), 200, mimetype="application/json", headers={"Request-Id": "req_fake"})

    @staticmethod
    def _error(status, error_type, message, code=None):
        body = {"error": {"type": error_type, "message": message, **({"code": code} if code else {})}}
        return Response(json.dumps(body), status, mimetype="application/json", headers={"Request-Id": "req_fake"})
