"""The reader's profile editor: every field, photos checked by content, bad input changes nothing."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from soulseer.models import AuditEntry, ReaderProfile
from tests.conftest import csrf_token_from
from tests.support.marketplace import BIO, image_bytes, make_profile, specialty_ids


@pytest.fixture
def uploads(app):
    root = Path(app.config["INSTANCE_PATH"]) / "uploads"
    before = {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    def new_files():
        now = {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()
        return now - before

    return new_files


def _form(token, **changes):
    data = {
        "csrf_token": token,
        "display_name": "Luna Starweaver",
        "tagline": "Tarot with a gentle voice",
        "bio": BIO,
        "specialties": [str(i) for i in specialty_ids("Tarot", "Dreams")],
        "tools": "Rider-Waite tarot",
        "languages": "English, Spanish",
        "years_of_practice": "12",
        "rate_chat": "2.50",
    }
    data.update(changes)
    return data


def _open_editor(client, login, user):
    login(client, user)
    response = client.get("/reader/profile")
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def _profiles(db):
    db.session.remove()
    return db.session.execute(sa.select(ReaderProfile)).scalars().all()


def test_a_reader_creates_their_profile(client, db, make_user, login):
    reader = make_user(role="reader", consented=True, display_name="Jane Legal")
    token = _open_editor(client, login, reader)
    response = client.post("/reader/profile", data=_form(token))
    assert response.status_code == 302
    [profile] = _profiles(db)
    assert profile.user_id == reader.id
    assert profile.slug == "luna-starweaver"
    assert profile.display_name == "Luna Starweaver"
    assert profile.rate_chat_cents == 250 and profile.rate_voice_cents is None
    assert [s.name for s in profile.specialties] == ["Tarot", "Dreams"]
    assert profile.years_of_practice == 12 and profile.languages == "English, Spanish"
    assert profile.status == "offline"
    assert "Dreams" in profile.search_text
    page = client.get("/reader/profile").get_data(as_text=True)
    assert 'value="2.50"' in page and "/readers/luna-starweaver" in page


def test_editing_keeps_the_profile_and_follows_the_name(client, db, make_user, login):
    reader = make_user(role="reader", consented=True)
    make_profile(reader, "Orion Vale")
    token = _open_editor(client, login, reader)
    response = client.post("/reader/profile", data=_form(token, display_name="Orion of the Vale", rate_chat="3"))
    assert response.status_code == 302
    [profile] = _profiles(db)
    assert (profile.slug, profile.rate_chat_cents) == ("orion-of-the-vale", 300)


def test_the_editor_starts_from_the_application(client, db, make_user, login):
    from soulseer.models import ReaderApplication

    reader = make_user(role="reader", consented=True)
    db.session.add(
        ReaderApplication(
            legal_name="A",
            email="a@example.test",
            phone="1",
            years_of_practice=7,
            specialties=["Numerology"],
            modes=["chat"],
            bio=BIO + " From the application.",
            why_soulseer="x",
            agreement_version=1,
            status="approved",
            user_id=reader.id,
        )
    )
    db.session.commit()
    login(client, reader)
    page = client.get("/reader/profile").get_data(as_text=True)
    assert "From the application." in page and 'value="7"' in page


def test_voice_and_video_need_agora(app, client, db, make_user, login):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    page = client.get("/reader/profile").get_data(as_text=True)
    assert "Voice and video are not available yet" in page
    response = client.post("/reader/profile", data=_form(token, rate_voice="3.00"))
    # The disabled field is ignored by the browser; a forged value is refused rather than stored.
    assert response.status_code in (302, 422)
    assert all(p.rate_voice_cents is None for p in _profiles(db))
    app.config.update(AGORA_APP_ID="app", AGORA_APP_CERTIFICATE="cert")
    try:
        response = client.post("/reader/profile", data=_form(token, rate_voice="3.00", rate_video="4"))
        assert response.status_code == 302
        [profile] = _profiles(db)
        assert (profile.rate_voice_cents, profile.rate_video_cents) == (300, 400)
    finally:
        app.config.update(AGORA_APP_ID="", AGORA_APP_CERTIFICATE="")


def test_a_forged_voice_rate_without_agora_is_a_field_error(app, db, make_user):
    from soulseer.services.accounts import AccountError
    from soulseer.services.marketplace import profiles

    reader = make_user(role="reader", consented=True)
    data = profiles.ProfileInput(
        display_name="X Y", bio=BIO, specialty_ids=specialty_ids("Tarot"), rates={"chat": "2", "voice": "3"}
    )
    with pytest.raises(AccountError) as caught:
        profiles.save_profile(reader, data)
    assert caught.value.field == "rate_voice" and "Agora" in caught.value.message


def _big_png():
    """A PNG over 5 MB (random pixels do not compress)."""
    import os

    image = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    data = buffer.getvalue()
    assert 5 * 1024 * 1024 < len(data) < 6 * 1024 * 1024
    return data


BAD_INPUT = [
    ("rate below the range", {"rate_chat": "0.10"}, "rate_chat", "between $0.50 and $50.00"),
    ("rate above the range", {"rate_chat": "50.01"}, "rate_chat", "between $0.50 and $50.00"),
    ("rate not a number", {"rate_chat": "cheap"}, "rate_chat", "Enter a rate in dollars"),
    ("no mode at all", {"rate_chat": ""}, "rate_chat", "at least one way"),
    ("bio too short", {"bio": "Too short."}, "bio", "between 50 and 2000"),
    ("bio too long", {"bio": "x" * 2001}, "bio", "between 50 and 2000"),
    ("tagline too long", {"tagline": "x" * 121}, "tagline", "120 characters"),
    ("too many specialties", "eleven", "specialties", "between 1 and 10"),
    ("no specialty", {"specialties": []}, "specialties", "between 1 and 10"),
    ("unknown specialty", {"specialties": ["999999"]}, "specialties", "Choose from the list"),
    ("years not a number", {"years_of_practice": "many"}, "years_of_practice", ""),
    ("years out of range", {"years_of_practice": "81"}, "years_of_practice", "from 0 to 80"),
    ("empty name", {"display_name": " "}, "display_name", ""),
]


@pytest.mark.parametrize(("case", "changes", "field", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_field_error_and_stores_nothing(
    client, db, make_user, login, uploads, case, changes, field, message
):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    if changes == "eleven":
        from soulseer.models import Specialty

        changes = {"specialties": [str(s.id) for s in db.session.execute(sa.select(Specialty)).scalars()][:11]}
        assert len(changes["specialties"]) == 11
    response = client.post("/reader/profile", data=_form(token, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert _profiles(db) == []
    assert uploads() == set()


BAD_FILES = [
    ("a text file", b"hello, this is not an image at all", "notes.txt", "text/plain", "not a JPEG, PNG or WebP"),
    ("a script named .jpg", b"#!/bin/sh\nrm -rf /\n<script>alert(1)</script>", "photo.jpg", "image/jpeg", "not a JPEG"),
    ("a GIF (not accepted)", None, "anim.gif", "image/gif", "not a JPEG, PNG or WebP"),
    ("a truncated JPEG", "truncated", "cut.jpg", "image/jpeg", "not a JPEG, PNG or WebP"),
    ("an image over 5 MB", "big", "huge.png", "image/png", "larger than 5 MB"),
]


@pytest.mark.parametrize(
    ("case", "content", "name", "content_type", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_photos_are_refused_by_content(
    client, db, make_user, login, uploads, case, content, name, content_type, message
):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    if content is None:
        content = image_bytes("GIF")
    elif content == "truncated":
        content = image_bytes("JPEG")[:300]
    elif content == "big":
        content = _big_png()
    data = _form(token, photo=(io.BytesIO(content), name, content_type))
    response = client.post("/reader/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="photo-error"' in page and message in page
    assert _profiles(db) == []
    assert uploads() == set()


def test_an_upload_over_the_request_limit_gets_the_413_page(client, make_user, login, db, uploads):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    data = _form(token, photo=(io.BytesIO(b"\0" * (7 * 1024 * 1024)), "huge.jpg", "image/jpeg"))
    response = client.post("/reader/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than we accept" in response.get_data(as_text=True)
    assert _profiles(db) == [] and uploads() == set()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_reencoded_resized_and_stripped(client, db, make_user, login, uploads, fmt):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    original = image_bytes(fmt, size=(1200, 800), exif=fmt == "JPEG")
    if fmt == "JPEG":
        assert b"SpyCam" in original
    data = _form(token, photo=(io.BytesIO(original), "me.bin", "application/octet-stream"))
    response = client.post("/reader/profile", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    [profile] = _profiles(db)
    assert profile.photo_key.startswith(f"readers/{profile.id}/")
    files = uploads()
    assert {p.name.rsplit("-", 1)[1] for p in files} == {"96.webp", "192.webp", "320.webp", "640.webp"}
    for path in files:
        content = path.read_bytes()
        assert b"SpyCam" not in content
        with Image.open(path) as image:
            assert image.format == "WEBP"
            size = int(path.stem.rsplit("-", 1)[1])
            assert image.size == (size, size)
            assert not image.getexif()
    # Served by the local backend with long cache headers.
    url = f"/media/{profile.photo_key}-320.webp"
    served = client.get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert "max-age=31536000" in served.headers["Cache-Control"] and "immutable" in served.headers["Cache-Control"]
    page = client.get(f"/readers/{profile.slug}").get_data(as_text=True)
    assert url in page


def test_a_new_photo_replaces_the_old_files(client, db, make_user, login, uploads):
    reader = make_user(role="reader", consented=True)
    token = _open_editor(client, login, reader)
    for color in ((10, 10, 10), (250, 250, 250)):
        data = _form(token, photo=(io.BytesIO(image_bytes("PNG", color=color)), "p.png", "image/png"))
        assert client.post("/reader/profile", data=data, content_type="multipart/form-data").status_code == 302
    [profile] = _profiles(db)
    files = uploads()
    assert len(files) == 4 and all(p.name.startswith(profile.photo_key.rsplit("/", 1)[1]) for p in files)


def test_media_refuses_paths_outside_uploads(client):
    assert client.get("/media/../secret_key").status_code == 404
    assert client.get("/media/readers/1/nothing-96.webp").status_code == 404


def test_only_readers_edit_profiles_and_only_their_own(client, db, make_user, login):
    owner = make_user(role="reader", consented=True)
    other = make_user(role="reader", consented=True)
    owner_id, other_id = owner.id, other.id
    profile_id = make_profile(owner, "Sage Moonwater").id
    client_user = make_user(role="client", consented=True)
    login(client, client_user)
    assert client.get("/reader/profile").status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert client.post("/reader/profile", data=_form(csrf_token_from(home))).status_code == 403
    # Another reader's POST edits (creates) only their own profile; the owner's is untouched.
    token = _open_editor(client, login, other)
    assert client.post("/reader/profile", data=_form(token, display_name="Sage Moonwater")).status_code == 302
    db.session.remove()
    owner_profile = db.session.get(ReaderProfile, profile_id)
    assert owner_profile.user_id == owner_id and owner_profile.slug == "sage-moonwater"
    assert owner_profile.tagline == "Sage Moonwater reads for you"
    theirs = db.session.execute(sa.select(ReaderProfile).filter_by(user_id=other_id)).scalar_one()
    assert theirs.slug == "sage-moonwater-2"
    # The admin editor is for admins only.
    assert client.get(f"/admin/readers/{profile_id}").status_code == 403
    assert client.post(f"/admin/readers/{profile_id}", data=_form(token)).status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one() == 0
