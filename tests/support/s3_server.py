"""A small S3-compatible server on loopback for the storage tests: path-style PUT, GET and DELETE
of objects, kept in memory. boto3 talks to it through `S3_ENDPOINT_URL` exactly as to S3 or R2.
Requests must be signed (SigV4 header, or a presigned URL's query), as the real service requires;
signatures are not recomputed here."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.servers import serve_in_background


class FakeS3:
    def __init__(self, bucket):
        self.bucket = bucket
        self.objects = {}  # key -> (bytes, headers)
        self.requests = []  # (method, key, signed how)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _target(self):
                parts = urlsplit(self.path)
                bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
                query = parse_qs(parts.query)
                if "X-Amz-Signature" in query:
                    signed = "presigned"
                elif self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                    signed = "header"
                else:
                    signed = None
                fake.requests.append((self.command, key, signed))
                if bucket != fake.bucket:
                    self._reply(404, b"<Error><Code>NoSuchBucket</Code></Error>")
                    return None
                if signed is None:
                    self._reply(403, b"<Error><Code>AccessDenied</Code></Error>")
                    return None
                return key

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                key = self._target()
                if key is None:
                    return
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if (
                    self.headers.get("Content-Encoding") == "aws-chunked"
                    or "aws-chunked" in self.headers.get("x-amz-content-sha256", "").lower()
                ):
                    body = _dechunk(body)
                headers = {
                    "Content-Type": self.headers.get("Content-Type", "application/octet-stream"),
                    "Cache-Control": self.headers.get("Cache-Control", ""),
                }
                fake.objects[key] = (body, headers)
                self._reply(200, headers={"ETag": '"fake"'})

            def do_GET(self):
                key = self._target()
                if key is None:
                    return
                if key not in fake.objects:
                    self._reply(
                        404,
                        b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code>"
                        b"<Message>The specified key does not exist.</Message></Error>",
                        {"Content-Type": "application/xml"},
                    )
                    return
                body, headers = fake.objects[key]
                self._reply(200, body, headers)

            def do_DELETE(self):
                key = self._target()
                if key is None:
                    return
                fake.objects.pop(key, None)
                self._reply(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread = serve_in_background(self.server)
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _dechunk(body):
    """aws-chunked uploads: '<hex size>;chunk-signature=...\\r\\n<data>\\r\\n' repeated."""
    out, rest = b"", body
    while rest:
        header, _, rest = rest.partition(b"\r\n")
        size = int(header.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out
