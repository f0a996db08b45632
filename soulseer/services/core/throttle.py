"""Rate limits kept by the services themselves, on Redis with a moving window (`limits`): the
app's one limiter (`moving_window()`; `allow(limits, *key)` for a chat line under several limits),
and sign-in throttling: 5 failures per 5 minutes per account and per IP address (PRODUCT.md §1).

Only failures count (through the `limits` library on Redis, a moving window), so a person who
types the password right is never slowed down by the limit itself.
"""

import math
import time

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

SIGN_IN_FAILURES = parse("5/5 minutes")


def moving_window():
    """The app's moving-window limiter on Redis (one per app, made on first use)."""
    limiter = current_app.extensions.get("soulseer_throttle")
    if limiter is None:
        limiter = MovingWindowRateLimiter(storage_from_string(current_app.config["REDIS_URL"]))
        current_app.extensions["soulseer_throttle"] = limiter
    return limiter


def allow(limits, *key):
    """One more action under every limit of `limits` for `key` (a chat line, a gift): True, and
    counted against each, when all have room; False, and nothing counted, when one is full."""
    limiter = moving_window()
    if not all(limiter.test(limit, *key) for limit in limits):
        return False
    for limit in limits:
        limiter.hit(limit, *key)
    return True


def _keys(email, ip):
    return [("sign-in-account", (email or "").strip().lower()), ("sign-in-ip", ip or "unknown")]


def sign_in_retry_after(email, ip):
    """Seconds until another sign-in may be tried for this account or from this address; 0 if now."""
    limiter = moving_window()
    wait = 0
    for key in _keys(email, ip):
        if not limiter.test(SIGN_IN_FAILURES, *key):
            reset_at, _ = limiter.get_window_stats(SIGN_IN_FAILURES, *key)
            wait = max(wait, math.ceil(reset_at - time.time()))
    return max(wait, 1) if wait else 0


def record_sign_in_failure(email, ip):
    limiter = moving_window()
    for key in _keys(email, ip):
        limiter.hit(SIGN_IN_FAILURES, *key)


def clear_account_failures(email):
    moving_window().clear(SIGN_IN_FAILURES, *_keys(email, None)[0])
