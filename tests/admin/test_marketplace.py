"""Admin: the specialties list and readers' profiles (edit, hide), each change in the audit log."""

import sqlalchemy as sa

from soulseer.models import AuditEntry, ReaderProfile, Specialty
from tests.conftest import csrf_token_from
from tests.support.marketplace import BIO, make_profile, specialty_ids


def _admin(client, make_user, login):
    admin = make_user(role="admin", consented=True)
    login(client, admin)
    return csrf_token_from(client.get("/admin/specialties").get_data(as_text=True))


def _audit(db, action):
    db.session.remove()
    return db.session.execute(sa.select(AuditEntry).filter_by(action=action)).scalars().all()


def _names(db):
    db.session.remove()
    return list(db.session.execute(sa.select(Specialty.name).order_by(Specialty.position, Specialty.id)).scalars())


def test_specialties_add_rename_reorder_remove(client, db, make_user, login):
    original = _names(db)
    token = _admin(client, make_user, login)
    page = client.get("/admin/specialties").get_data(as_text=True)
    assert "Tarot" in page and 'href="/admin/specialties"' in page
    try:
        assert client.post("/admin/specialties", data={"csrf_token": token, "name": "Runes"}).status_code == 302
        assert _names(db)[-1] == "Runes"
        response = client.post("/admin/specialties", data={"csrf_token": token, "name": "tarot"})
        assert response.status_code == 422 and "already on the list" in response.get_data(as_text=True)
        runes = db.session.execute(sa.select(Specialty).filter_by(name="Runes")).scalar_one()
        url = f"/admin/specialties/{runes.id}"
        assert client.post(url, data={"csrf_token": token, "name": "Runes", "action": "up"}).status_code == 302
        assert _names(db)[-2:] == ["Runes", original[-1]]
        assert (
            client.post(url, data={"csrf_token": token, "name": "Rune casting", "action": "rename"}).status_code == 302
        )
        assert "Rune casting" in _names(db)
        assert client.post(url, data={"csrf_token": token, "name": "", "action": "remove"}).status_code == 302
        assert _names(db) == original
        assert len(_audit(db, "specialty.added")) == len(_audit(db, "specialty.removed")) == 1
        renamed = _audit(db, "specialty.renamed")[0]
        assert (renamed.before, renamed.after) == ({"name": "Runes"}, {"name": "Rune casting"})
    finally:
        for extra in set(_names(db)) - set(original):
            db.session.execute(sa.delete(Specialty).filter_by(name=extra))
        for position, name in enumerate(original):
            db.session.execute(sa.update(Specialty).filter_by(name=name).values(position=position))
        db.session.commit()


def test_a_used_specialty_cannot_be_removed_and_renaming_it_updates_search(client, db, make_user, login):
    reader = make_user(role="reader", consented=True)
    profile = make_profile(reader, "Luna Starweaver", ("Pets",))
    token = _admin(client, make_user, login)
    pets_id = specialty_ids("Pets")[0]
    url = f"/admin/specialties/{pets_id}"
    response = client.post(url, data={"csrf_token": token, "name": "Pets", "action": "remove"})
    assert response.status_code == 409 and "cannot be removed" in response.get_data(as_text=True)
    try:
        client.post(url, data={"csrf_token": token, "name": "Animal communication", "action": "rename"})
        html = client.get("/readers?q=animal").get_data(as_text=True)
        assert "Luna Starweaver" in html
        assert f'id="reader-card-{profile.id}"' in html
    finally:
        db.session.execute(sa.update(Specialty).where(Specialty.id == pets_id).values(name="Pets"))
        db.session.commit()
    assert _audit(db, "specialty.removed") == []


def test_an_admin_edits_and_hides_a_profile_with_audit(client, db, make_user, login):
    reader = make_user(role="reader", consented=True)
    profile = make_profile(reader, "Orion Vale", ("Astrology",))
    profile_id, slug = profile.id, profile.slug
    token = _admin(client, make_user, login)
    page = client.get(f"/admin/readers/{profile_id}").get_data(as_text=True)
    assert "Orion Vale" in page and 'value="2.00"' in page
    assert "Orion Vale" in client.get("/admin/readers?q=orion").get_data(as_text=True)
    data = {
        "csrf_token": token,
        "display_name": "Orion Vale",
        "tagline": "Stars, honestly",
        "bio": BIO,
        "specialties": [str(i) for i in specialty_ids("Astrology", "Numerology")],
        "years_of_practice": "9",
        "rate_chat": "3.25",
        "share_override": "75",
        "reason": "Asked by the reader",
    }
    bad = client.post(f"/admin/readers/{profile_id}", data={**data, "share_override": "40"})
    assert bad.status_code == 422 and "enter 50 to 100" in bad.get_data(as_text=True)
    assert _audit(db, "reader_profile.edited") == []
    assert client.post(f"/admin/readers/{profile_id}", data=data).status_code == 302
    [entry] = _audit(db, "reader_profile.edited")
    assert entry.before["rate_chat_cents"] == 200 and entry.after["rate_chat_cents"] == 325
    assert entry.after["share_override_bp"] == 7500 and entry.after["specialties"] == ["Astrology", "Numerology"]
    assert entry.reason == "Asked by the reader"
    assert "keeps 75% of what you pay" in client.get(f"/readers/{slug}").get_data(as_text=True)

    # Hiding needs a reason, as for every kind of content (moderation).
    no_reason = client.post(f"/admin/readers/{profile_id}/visibility", data={"csrf_token": token, "hidden": "1"})
    assert no_reason.status_code == 422 and "Give a reason of 5 to 500 characters" in no_reason.get_data(as_text=True)
    hide = {"csrf_token": token, "hidden": "1", "reason": "Complaints under review"}
    response = client.post(f"/admin/readers/{profile_id}/visibility", data=hide)
    assert response.status_code == 302
    db.session.remove()
    assert db.session.get(ReaderProfile, profile_id).hidden is True
    assert len(_audit(db, "reader_profile.hidden")) == 1
    # Admins still open the page, marked hidden; visitors get 404 and the list leaves it out.
    assert "This profile is hidden" in client.get(f"/readers/{slug}").get_data(as_text=True)
    visitor = client.application.test_client()
    assert visitor.get(f"/readers/{slug}").status_code == 404
    assert "Orion Vale" not in visitor.get("/readers").get_data(as_text=True)
    again = client.post(f"/admin/readers/{profile_id}/visibility", data=hide)
    assert again.status_code == 409
    assert client.post(f"/admin/readers/{profile_id}/visibility", data={**hide, "hidden": "0"}).status_code == 302
    assert visitor.get(f"/readers/{slug}").status_code == 200


def test_readers_and_clients_cannot_use_the_admin_pages(client, make_user, login):
    login(client, make_user(role="reader", consented=True))
    assert client.get("/admin/specialties").status_code == 403
    assert client.get("/admin/readers").status_code == 403
