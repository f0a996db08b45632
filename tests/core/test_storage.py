"""The storage interface: the local backend (embedded default) and the S3/R2 backend through boto3
against a loopback S3-compatible server."""

import urllib.request

import pytest

from soulseer.services.core.storage import LocalStorage, S3Storage, StorageError, check_key, storage
from soulseer.services.marketplace import photos
from tests.support.marketplace import image_bytes
from tests.support.s3_server import FakeS3


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "UPPER.webp", "a/../b", "", "x" * 201])
def test_keys_are_checked(key):
    with pytest.raises(StorageError):
        check_key(key)


def test_local_storage_round_trip(tmp_path, app):
    backend = LocalStorage(tmp_path)
    backend.put("readers/1/abc-96.webp", b"data", "image/webp")
    assert backend.get("readers/1/abc-96.webp") == b"data"
    assert (tmp_path / "readers/1/abc-96.webp").read_bytes() == b"data"
    with app.test_request_context():
        assert backend.url("readers/1/abc-96.webp") == "/media/readers/1/abc-96.webp"
    backend.delete("readers/1/abc-96.webp")
    assert backend.get("readers/1/abc-96.webp") is None
    backend.delete("readers/1/abc-96.webp")  # twice is fine


def test_the_embedded_default_is_local(app):
    with app.app_context():
        assert isinstance(storage(), LocalStorage)


@pytest.fixture
def s3():
    with FakeS3("soulseer-media") as server:
        yield server


def test_s3_backend_puts_gets_presigns_and_deletes(s3, app):
    backend = S3Storage("soulseer-media", endpoint_url=s3.url, access_key_id="AKIATEST", secret_access_key="secret")
    backend.put("readers/7/abc-96.webp", b"webp-bytes", "image/webp")
    body, headers = s3.objects["readers/7/abc-96.webp"]
    assert body == b"webp-bytes"
    assert headers["Content-Type"] == "image/webp" and "immutable" in headers["Cache-Control"]
    assert backend.get("readers/7/abc-96.webp") == b"webp-bytes"
    assert backend.get("readers/7/missing.webp") is None
    url = backend.url("readers/7/abc-96.webp")
    assert url.startswith(f"{s3.url}/soulseer-media/readers/7/abc-96.webp?") and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
        assert response.read() == b"webp-bytes"
    backend.delete("readers/7/abc-96.webp")
    assert "readers/7/abc-96.webp" not in s3.objects
    assert all(signed in ("header", "presigned") for _, _, signed in s3.requests)


def test_s3_public_url_when_configured(s3):
    backend = S3Storage(
        "soulseer-media",
        endpoint_url=s3.url,
        access_key_id="a",
        secret_access_key="b",
        public_url="https://media.example/",
    )
    assert backend.url("readers/1/x-96.webp") == "https://media.example/readers/1/x-96.webp"


def test_profile_photos_go_to_s3_when_configured(s3, app):
    """The same photo code path with S3_BUCKET set: every size lands in the bucket, none on disk."""
    saved = {
        key: app.config.get(key) for key in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
    }
    app.config.update(
        S3_BUCKET="soulseer-media", S3_ENDPOINT_URL=s3.url, S3_ACCESS_KEY_ID="a", S3_SECRET_ACCESS_KEY="b"
    )
    app.extensions.pop("soulseer_storage", None)
    try:
        with app.test_request_context():
            assert isinstance(storage(), S3Storage)
            image = photos.open_checked(image_bytes("PNG", size=(500, 300)))
            prefix = photos.store(42, image)
            assert sorted(s3.objects) == sorted(photos.key_for(prefix, size) for size in photos.SIZES)
            assert "X-Amz-Signature=" in photos.url(prefix, 96)
            photos.remove(prefix)
            assert s3.objects == {}
    finally:
        app.config.update(saved)
        app.extensions.pop("soulseer_storage", None)
