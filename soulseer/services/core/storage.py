"""Where uploaded files live: a small interface with two backends.

- `LocalStorage` (the embedded default): files under `instance/uploads/`, served by the
  `media.file` route with long cache headers. Keys carry a random part, so a new upload gets a new
  URL and a cached file never goes stale.
- `S3Storage` (production, when `S3_BUCKET` is set): boto3 against S3 or Cloudflare R2
  (`S3_ENDPOINT_URL`); public URLs when `S3_PUBLIC_URL` names the bucket's public address,
  otherwise presigned GETs.

Both take a key (`readers/12/ab34cd-320.webp`), bytes and a content type. Services call
`storage()`; nothing else knows which backend is in use.
"""

import os
import re
from pathlib import Path

from flask import current_app, url_for

from soulseer.errors import DomainError

_KEY = re.compile(r"^[a-z0-9][a-z0-9/_\-.]{0,199}$")
PRESIGNED_SECONDS = 7 * 24 * 3600  # the longest S3 allows for SigV4


class StorageError(DomainError):
    """Not a key of a stored file (a made-up or hostile path): there is no such file."""

    status = 404


def check_key(key):
    if not _KEY.match(key or "") or ".." in key or "//" in key:
        raise StorageError(f"not a storage key: {key!r}")
    return key


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

    def get(self, key):
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)

    def url(self, key):
        return url_for("media.file", key=check_key(key))


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

    def get(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def delete(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url(self, key):
        check_key(key)
        if self.public_url:
            return f"{self.public_url}/{key}"
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=PRESIGNED_SECONDS
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
