"""Flask's own signed session cookie, read before Flask by the layers that answer without it: a
signed-in client's kept pages (signed_in_responses.py), her room (quick_room.py) and the room's
quick heartbeats (quick_heartbeats.py), through one reader per application (`of`)."""

from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from soulseer import clock

# A bound, not a policy: every session of a busy process (20,000 people in 10,000 live readings
# heartbeat through one or two processes) fits, at about half a kilobyte each.
VERIFIED_MAX = 50_000


EXTENSION_KEY = "session_cookies"


def of(app):
    """The application's one reader (each process remembers each session once, whichever layer
    reads it)."""
    reader = app.extensions.get(EXTENSION_KEY)
    if reader is None:
        reader = app.extensions[EXTENSION_KEY] = SessionCookies(app)
    return reader


class SessionCookies:
    """One per application and process (`of`). Cookies whose signature checked out are remembered with what they
    hold and when they were signed: the same cookie comes back on every request of a session until
    Flask signs it again, and checking the signature (key derivation, two HMACs, JSON) was a third
    of a kept answer. An entry is the exact cookie text that verified; its age is checked every time."""

    def __init__(self, app):
        self.app = app
        self._serializer = None
        self._verified = {}

    def read(self, environ):
        """(the session's data, when it was signed) of the request's session cookie when its
        signature is valid and it is younger than the session's lifetime, else None."""
        app = self.app
        value = parse_cookie(environ.get("HTTP_COOKIE", "")).get(app.config["SESSION_COOKIE_NAME"])
        if not value:
            return None
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        found = self._verified.get(value)
        if found is None:
            if self._serializer is None:
                self._serializer = app.session_interface.get_signing_serializer(app)
            try:
                found = self._serializer.loads(value, max_age=lifetime, return_timestamp=True)
            except BadSignature:
                return None
            if len(self._verified) >= VERIFIED_MAX:
                self._verified.clear()  # a bound, not a policy
            self._verified[value] = found
        if (clock.now() - found[1]).total_seconds() > lifetime:
            return None  # verified while it was younger
        return found
