"""Demo data for the marketplace: twelve readers with profiles and generated photos, some online."""

from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from soulseer.models import ReaderProfile
from soulseer.services.marketplace import photos


def test_seed_demo_makes_twelve_readers_once(app, db, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    profiles = db.session.execute(sa.select(ReaderProfile)).scalars().all()
    assert len(profiles) == 12
    assert 3 <= sum(p.status == "online" for p in profiles) < 12
    assert len({p.rate_chat_cents for p in profiles}) >= 8
    assert len({s.name for p in profiles for s in p.specialties}) == 12
    uploads = Path(app.config["INSTANCE_PATH"]) / "uploads"
    for profile in profiles:
        for size in photos.SIZES:
            path = uploads / photos.key_for(profile.photo_key, size)
            with Image.open(path) as image:
                assert image.size == (size, size)
    keys = {p.id: p.photo_key for p in profiles}
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.remove()
    again = db.session.execute(sa.select(ReaderProfile)).scalars().all()
    assert {p.id: p.photo_key for p in again} == keys
    html = client.get("/readers").get_data(as_text=True)
    assert "12 readers" in html and "Luna Starweaver" in html
    assert client.get("/readers/luna-starweaver").status_code == 200
