"""Digital delivery (SH-5): counted by the server, 5 downloads within 24 h of the first, then a
readable 410; another user 404; links that work 5 minutes; presigned GETs signed with SigV4."""

from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from soulseer import clock
from soulseer.extensions import db as database
from soulseer.models import DownloadGrant, PaymentStatus, User
from soulseer.services.core import storage as storage_module
from soulseer.services.core.storage import S3Storage, clamp_seconds, content_disposition
from soulseer.services.shop import buying, downloads
from soulseer.services.shop.errors import ShopError
from tests.support.s3_server import FakeS3
from tests.support.shop import PDF_BYTES, digital_product


@pytest.fixture
def bought(db, funded, guide):
    cass = funded()
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    return cass, order, order.items[0]


def _url(order, item):
    return f"/orders/{order.id}/items/{item.id}/download"


def test_five_downloads_then_a_readable_410(db, bought, writer):
    cass, order, item = bought
    page = writer(cass)
    for n in range(1, 6):
        response = page.get(_url(order, item))
        assert response.status_code == 302, n
        assert response.headers["Cache-Control"] == "private, no-store"
        file = page.get(response.headers["Location"])
        assert file.status_code == 200 and file.get_data() == PDF_BYTES
        assert file.headers["Content-Disposition"].startswith("attachment;")
        assert "Tarot-for-Beginners.pdf" in file.headers["Content-Disposition"]
        assert file.headers["Content-Type"] == "application/pdf"
    sixth = page.get(_url(order, item))
    assert sixth.status_code == 410
    assert "You have downloaded this 5 times" in sixth.get_data(as_text=True)
    database.session.expire_all()
    grant = database.session.execute(database.select(DownloadGrant)).scalar_one()
    assert grant.used == 5
    assert "used all 5 downloads" in page.get(f"/orders/{order.id}").get_data(as_text=True)


def test_the_window_opens_at_the_first_download_and_closes_24_hours_later(db, bought, writer):
    cass, order, item = bought
    page = writer(cass)
    with clock.frozen(clock.now() + timedelta(days=40)):  # long after buying: nothing was lost
        assert page.get(_url(order, item)).status_code == 302
        grant = item.grant
        database.session.refresh(grant)
        assert grant.expires_at == clock.now() + timedelta(hours=24)
        clock.advance(timedelta(hours=23, minutes=59))
        assert page.get(_url(order, item)).status_code == 302
        clock.advance(timedelta(minutes=2))
        closed = page.get(_url(order, item))
        assert closed.status_code == 410 and "download window" in closed.get_data(as_text=True)


def test_another_persons_download_is_404_and_counts_nothing(db, bought, funded, writer):
    _, order, item = bought
    assert writer(funded()).get(_url(order, item)).status_code == 404
    assert writer(funded()).get(f"/orders/{order.id}/items/{item.id + 99}/download").status_code == 404
    database.session.refresh(item.grant)
    assert item.grant.used == 0


def test_a_refunded_order_answers_410(db, bought, writer):
    cass, order, item = bought
    order.payment_status = PaymentStatus.REFUNDED  # refunds.py sets it with the ledger's refund
    downloads.revoke(item)
    db.session.commit()
    response = writer(cass).get(_url(order, item))
    assert response.status_code == 410 and "refunded" in response.get_data(as_text=True)


def test_an_admin_fresh_grant_gives_five_more(db, bought, admin, writer):
    cass, order, item = bought
    page = writer(cass)
    for _ in range(5):
        page.get(_url(order, item))
    assert page.get(_url(order, item)).status_code == 410
    downloads.fresh_grant(admin, item.id, "Lost the file when the phone broke")
    db.session.commit()
    assert page.get(_url(order, item)).status_code == 302
    database.session.expire_all()
    grants = database.session.execute(database.select(DownloadGrant).order_by(DownloadGrant.id)).scalars().all()
    assert [(g.used, g.revoked_at is not None) for g in grants] == [(5, True), (1, False)]


def test_two_downloads_at_once_of_the_last_use_count_once(db, app, bought, run_in_parallel):
    cass, order, item = bought
    database.session.execute(database.update(DownloadGrant).values(used=4))
    db.session.commit()
    cass_id, order_id, item_id = cass.id, order.id, item.id

    def take(i):
        with app.test_request_context():
            link = downloads.download(database.session.get(User, cass_id), order_id, item_id)
            database.session.commit()
            return link

    results = run_in_parallel(take, 6)
    assert sum(isinstance(r, str) for r in results) == 1
    assert all(isinstance(r, downloads.DownloadGone) for r in results if not isinstance(r, str))
    database.session.expire_all()
    assert database.session.execute(database.select(DownloadGrant.used)).scalar_one() == 5


def test_a_local_link_expires_after_five_minutes_and_cannot_be_altered(db, bought, writer, app):
    cass, order, item = bought
    page = writer(cass)
    link = page.get(_url(order, item)).headers["Location"]
    assert link.startswith("/media/download/")
    with clock.frozen(clock.now() + timedelta(seconds=301)):
        assert page.get(link).status_code == 410
    assert page.get(link[:-3] + "xyz").status_code == 404
    # The private file has no public address.
    assert app.test_client().get(f"/media/{item.product.file_key}").status_code == 404


def test_private_keys_have_no_public_url(app, guide):
    with app.test_request_context(), pytest.raises(storage_module.StorageError):
        storage_module.storage().url(guide.file_key)


def test_the_content_disposition_cannot_carry_a_header():
    value = content_disposition('evil"\r\nSet-Cookie: a=b.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.startswith("attachment; filename=\"evil_Set-Cookie_a_b.pdf\"; filename*=UTF-8''")


def test_link_lifetimes_are_clamped_to_what_s3_and_r2_accept():
    assert (clamp_seconds(604_801), clamp_seconds(0), clamp_seconds(300)) == (604_800, 1, 300)


@pytest.fixture
def s3(app):
    names = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
    saved = {name: app.config.get(name) for name in names}
    with FakeS3("soulseer-media") as server:
        # us-east-1: the loopback server, like moto, refuses R2's "auto" region (next-areas §5.5).
        app.config.update(
            S3_BUCKET="soulseer-media", S3_ENDPOINT_URL=server.url, S3_ACCESS_KEY_ID="AKIATEST",
            S3_SECRET_ACCESS_KEY="secret",
        )  # fmt: skip
        app.extensions.pop("soulseer_storage", None)
        try:
            yield server
        finally:
            app.config.update(saved)
            app.extensions.pop("soulseer_storage", None)


def test_with_s3_the_file_is_private_and_the_download_is_a_presigned_sigv4_get(db, s3, funded, admin, writer):
    """The loopback server does not check signatures or expiry (nor does moto): the URL's
    parameters are what is asserted (next-areas.md §5.5, pitfall 3)."""
    product = digital_product(admin, title="Candle Magic")
    body, headers = s3.objects[product.file_key]
    assert body == PDF_BYTES and headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "private, no-store"
    cass = funded()
    order = buying.buy_from_wallet(cass, product.id, 1, "key-s3")
    database.session.commit()
    link = writer(cass).get(_url(order, order.items[0])).headers["Location"]
    parts = urlsplit(link)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == s3.url
    assert unquote(parts.path) == f"/soulseer-media/{product.file_key}"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "300"
    assert "X-Amz-Signature" in query and "X-Amz-Credential" in query and "AWSAccessKeyId" not in query
    assert query["response-content-disposition"] == content_disposition("Candle-Magic.pdf")
    assert query["response-content-type"] == "application/pdf"


def test_s3_download_url_clamps_its_lifetime(s3):
    backend = S3Storage("soulseer-media", endpoint_url=s3.url, access_key_id="a", secret_access_key="b")
    link = backend.download_url("products/1/abc/x.pdf", "x.pdf", "application/pdf", 10**9)
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == ["604800"]


def test_an_item_that_is_not_paid_has_no_download(db, bought, writer):
    cass, order, item = bought
    order.payment_status = PaymentStatus.PENDING
    db.session.commit()
    with pytest.raises(ShopError) as refused:
        downloads.download(cass, order.id, item.id)
    assert refused.value.status == 404


def test_a_download_link_lives_five_minutes_on_soulseers_clock(db, bought, writer):
    # The link is signed and checked on the same clock: a month away from the system's time it
    # still works for its 5 minutes, then answers the readable 410.
    cass, order, item = bought
    page = writer(cass)
    with clock.frozen(clock.now() + timedelta(days=30)):
        link = page.get(_url(order, item)).headers["Location"]
        clock.advance(timedelta(minutes=4, seconds=59))
        assert page.get(link).status_code == 200
        clock.advance(timedelta(seconds=2))
        expired = page.get(link)
        assert expired.status_code == 410 and "This download link has expired" in expired.get_data(as_text=True)
