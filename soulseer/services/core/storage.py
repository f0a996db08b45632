"""Where uploaded files live: a small interface with two backends.

- `LocalStorage` (the embedded default): files under `instance/uploads/`, served by the
  `media.file` route with long cache headers. Keys carry a random part, so a new upload gets a new
  URL and a cached file never goes stale.
- `S3Storage` (production, when `S3_BUCKET` is set): boto3 against S3 or Cloudflare R2
  (`S3_ENDPOINT_URL`); public URLs when `S3_PUBLIC_URL` names the bucket's public address,
  otherwise presigned GETs.

Both take a key (`readers/12/ab34cd-320.webp`), bytes (or a file, `put_stream`) and a content
type. Services call `storage()`; nothing else knows which backend is in use.

**Private keys** (under `products/`: files people paid for) never get a public URL and are never
served by `media.file`; they are reached only through `download_url`, a link that works for a few
minutes and makes the browser save the file: a presigned GET (SigV4) on S3/R2, a signed token
served by `media.download` locally. Who may have one is the caller's rule (the shop counts each
download before asking for a link; docs/shop.md).
"""

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from flask import current_app, url_for
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from soulseer import clock
from soulseer.errors import DomainError

_KEY = re.compile(r"^[a-z0-9][a-z0-9/_\-.]{0,199}$")
PRESIGNED_SECONDS = 7 * 24 * 3600  # the longest S3 (and R2) allows for SigV4
PRIVATE_PREFIXES = ("products/",)
_DOWNLOAD_SALT = "storage-download"


class StorageError(DomainError):
    """Not a key of a stored file (a made-up or hostile path): there is no such file."""

    status = 404


def check_key(key):
    if not _KEY.match(key or "") or ".." in key or "//" in key:
        raise StorageError(f"not a storage key: {key!r}")
    return key


def is_private(key):
    return (key or "").startswith(PRIVATE_PREFIXES)


def _public(key):
    """A key that may have a public URL (never a private one)."""
    check_key(key)
    if is_private(key):
        raise StorageError(f"a private key has no public URL: {key!r}")
    return key


def clamp_seconds(seconds):
    """A link's lifetime as S3 and R2 accept it: 1 s to 7 days (boto3 signs longer ones happily;
    the service then refuses them)."""
    return max(1, min(int(seconds), PRESIGNED_SECONDS))


def content_disposition(filename):
    """`attachment` with the name in RFC 5987 form (and an ASCII fallback): a name can never add a
    header or break out of the value."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class _ClockSigner(TimestampSigner):
    """Signs with the time of soulseer.clock, the clock the link's lifetime is checked against (and
    tests move): with the system's time a link signed before the clock moved came out expired."""

    def get_timestamp(self):
        return int(clock.now().timestamp())


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DOWNLOAD_SALT, signer=_ClockSigner)


def read_download_token(token):
    """(key, filename, content type) of a local download link within its lifetime; StorageError
    otherwise: 404 for a made-up or altered link, 410 for an expired one."""
    try:
        (key, filename, content_type, seconds), signed_at = _serializer().loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        raise StorageError("There is no such download.") from None
    if clock.now() > signed_at + timedelta(seconds=seconds):
        raise StorageError("This download link has expired. Go back to your order for a new one.", status=410)
    return check_key(key), filename, content_type


class LocalStorage:
    def __init__(self, root):
        self.root = Path(root)

    def path(self, key):
        return self.root / check_key(key)

    def put(self, key, data, content_type):
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)  # readers never see half a file

    def put_stream(self, key, stream, content_type):
        """Store a file-like object without holding it in memory (a 200 MB product file)."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        temporary.replace(path)

    def get(self, key):
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    def url(self, key):
        return url_for("media.file", key=_public(key))

    def download_url(self, key, filename, content_type, seconds):
        """A signed link to `media.download`, valid `seconds`, that saves the file as `filename`."""
        token = _serializer().dumps([check_key(key), filename, content_type, clamp_seconds(seconds)])
        return url_for("media.download", token=token)


class S3Storage:
    def __init__(self, bucket, endpoint_url=None, access_key_id=None, secret_access_key=None, public_url=None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.public_url = (public_url or "").rstrip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            # R2 wants "auto"; S3 accepts any region with an explicit endpoint and us-east-1 without.
            region_name=os.environ.get("S3_REGION") or ("auto" if endpoint_url else "us-east-1"),
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def put(self, key, data, content_type):
        self.client.put_object(
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    def put_stream(self, key, stream, content_type):
        """Store a file-like object in parts (boto3's managed upload), never all in memory. Private
        files are not cached by anyone on the way."""
        cache = "private, no-store" if is_private(key) else "public, max-age=31536000, immutable"
        self.client.upload_fileobj(
            stream, self.bucket, check_key(key), ExtraArgs={"ContentType": content_type, "CacheControl": cache}
        )

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url(self, key):
        _public(key)
        if self.public_url:
            return f"{self.public_url}/{key}"
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=PRESIGNED_SECONDS
        )

    def download_url(self, key, filename, content_type, seconds):
        """A presigned GET (SigV4), valid `seconds` (clamped to what S3/R2 accept), whose answer
        carries Content-Disposition: attachment with `filename`, and `content_type`."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=clamp_seconds(seconds),
        )


def storage(app=None):
    """The configured backend, made once per application."""
    app = app or current_app
    backend = app.extensions.get("soulseer_storage")
    if backend is None:
        config = app.config
        if config.get("S3_BUCKET"):
            backend = S3Storage(
                config["S3_BUCKET"],
                endpoint_url=config.get("S3_ENDPOINT_URL"),
                access_key_id=config.get("S3_ACCESS_KEY_ID"),
                secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
                public_url=config.get("S3_PUBLIC_URL"),
            )
        else:
            backend = LocalStorage(Path(config["INSTANCE_PATH"]) / "uploads")
        app.extensions["soulseer_storage"] = backend
    return backend
