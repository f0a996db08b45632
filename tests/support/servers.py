"""Loopback servers the tests run on a thread (the fakes of Stripe, S3, the OpenID provider...)."""

import threading

# shutdown() returns at the serving loop's next poll: every 0.5 s by default, which was half a
# second after each of the ~150 tests that start one of these servers.
POLL_SECONDS = 0.02


def serve_in_background(server, name=None):
    """Serve `server` (socketserver or Werkzeug) on a daemon thread; stop it with server.shutdown()."""
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), name=name, daemon=True)
    thread.start()
    return thread
