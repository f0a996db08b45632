"""A loopback fake of the Stripe API, and Stripe's webhook signing scheme, for the tests.

`StripeFake` is a real HTTP server (werkzeug, in a thread, on 127.0.0.1) that answers
POST /v1/checkout/sessions the way Stripe does. It checks what the app sent (the bearer key, the
form-encoded fields) and records every request, so tests assert on the wire format, not on mocks.
The app is pointed at it with STRIPE_API_BASE.

`signature_header` / `signed_delivery` sign event bodies exactly as Stripe does:
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret>`.
"""

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

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


@dataclass
class StripeFake:
    api_key: str = API_KEY
    requests: list = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    fail_with: tuple | None = None  # (status, error type, message) for the next requests

    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
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
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            return self._create_checkout_session(form)
        return self._error(
            404, "invalid_request_error", f"Unrecognized request URL ({request.method}: {request.path})."
        )

    def _create_checkout_session(self, form):
        problems = []

        def need(name, check=lambda value: bool(value)):
            if not check(form.get(name)):
                problems.append(f"{name}={form.get(name)!r}")

        need("mode", lambda v: v == "payment")
        need("line_items[0][quantity]", lambda v: v == "1")
        need("line_items[0][price_data][currency]", lambda v: v == "usd")
        need("line_items[0][price_data][unit_amount]", lambda v: v is not None and v.isdigit() and int(v) > 0)
        need("line_items[0][price_data][product_data][name]")
        need("client_reference_id", lambda v: v is not None and v.isdigit())
        need("metadata[topup_id]", lambda v: v is not None and v.isdigit())
        need("success_url", lambda v: v is not None and v.startswith("http"))
        need("cancel_url", lambda v: v is not None and v.startswith("http"))
        if problems:
            return self._error(400, "invalid_request_error", "Invalid parameters: " + ", ".join(problems))

        session_id = "cs_test_a1" + secrets.token_hex(24)
        amount = int(form["line_items[0][price_data][unit_amount]"])
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
            "expires_at": int(time.time()) + 24 * 3600,
            "livemode": False,
            "metadata": {"topup_id": form["metadata[topup_id]"]},
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
    def _error(status, error_type, message):
        body = {"error": {"type": error_type, "message": message}}
        return Response(json.dumps(body), status, mimetype="application/json", headers={"Request-Id": "req_fake"})
