"""Compressed responses: HTML, CSS, JS, JSON and the manifest go out with brotli, or gzip for a
client that does not take brotli (Flask-Compress, pinned in requirements.txt).

- **What**: text types only (Flask-Compress's list); fonts (woff2) and images are compressed
  already. Bodies under 500 bytes are sent as they are.
- **The event stream is not compressed** (`text/event-stream` is not a compressed type): it must
  reach the browser event by event, and a compressor holds bytes back until its block fills.
  Other streamed bodies are: Flask sends a static file as a stream, so a static file goes out in
  brotli chunks (or deflate; Flask-Compress does not stream gzip).
- **Brotli quality 4**, Flask-Compress's default: on this machine 0.15 ms for a 7.8 KB page and
  0.8–1.3 ms for app.css and htmx, about the size gzip 6 gives and faster (docs/benchmarks.md).
  A static file is compressed on each request that reaches the server; its URL is versioned and
  cached for a year (and precached by the service worker), so that is once per browser per deploy.
- **Shared visitor responses** (`visitor_responses.py`) are stored compressed, one entry per
  Accept-Encoding header, so a client is never sent an encoding it did not ask for.
"""

from flask_compress import Compress

compress = Compress()

SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
}


def init_app(app):
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
