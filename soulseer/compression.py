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
- **Our stylesheets and scripts** are compressed once per file version at brotli's best quality
  (11: app.css 8.8 KB instead of 11.0 KB at quality 4, 92 ms once instead of 0.8 ms on every
  request) and kept in the process (`precompressed_static`); Flask-Compress then leaves them be.
  Quality 11 only up to 256 KB: Agora's SDK (1.6 MB) takes seconds at 11 (35 s at load 25), and
  the first person to open a call room waited on it while the gevent worker served no one else;
  a larger file gets quality 5 (0.8 s at that load, 353 KB instead of 310 KB), also kept.
- **Shared visitor responses** (`visitor_responses.py`) are stored compressed, one entry per
  Accept-Encoding header, so a client is never sent an encoding it did not ask for.
"""

import functools

import brotli
from flask import request
from flask_compress import Compress

from soulseer.static_files import STATIC_ROOT, file_version

compress = Compress()
PRECOMPRESSED = (".css", ".js")

SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "deflate"],
}


def init_app(app):
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (Flask runs these hooks last first).
    app.after_request(precompressed_static)


BEST_QUALITY_UP_TO = 256 * 1024  # bytes; larger files take seconds at quality 11
LARGE_FILE_QUALITY = 5


def quality_for(size):
    return 11 if size <= BEST_QUALITY_UP_TO else LARGE_FILE_QUALITY


@functools.cache
def _brotli_best(filename, version):
    """The file at the best quality its size allows; `version` (its content hash) keys the cache,
    so an edited file is compressed again."""
    data = (STATIC_ROOT / filename).read_bytes()
    return brotli.compress(data, quality=quality_for(len(data)))


def precompressed_static(response):
    """A stylesheet or script of ours, to a client that takes brotli: the bytes compressed once
    for this version of the file, with an ETag of their own (a cached copy is revalidated as the
    compressed one)."""
    filename = (request.view_args or {}).get("filename", "")
    if (
        request.endpoint != "static"
        or response.status_code != 200
        or not filename.endswith(PRECOMPRESSED)
        or not request.accept_encodings["br"]
    ):
        return response
    version = file_version(filename)
    response.direct_passthrough = False
    response.set_data(_brotli_best(filename, version))
    response.headers["Content-Encoding"] = "br"
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{version}-br")
    return response.make_conditional(request)
