"""Admin → Streams → Gift catalogue (L-7, Build 4 and 8): an admin adds and changes gifts (name,
price, icon, animation, offered, place in the tray), each change audit-logged; gifts sent before
keep their money (their rows, the ledger, the board, the reader's earnings); a tray showing an old
price is refused, never charged; bad input is refused on its field with nothing written."""

import uuid

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import AuditEntry, Gift, StreamGift
from soulseer.services.streams import gifts
from tests.conftest import csrf_token_from
from tests.streams.conftest import fund, live_stream
from tests.streams.test_gifts import gift_named, pause, send
from tests.support.money import earnings_of, wallet_of

pytestmark = pytest.mark.usefixtures("agora_configured")
FIELDS = ("name", "price_cents", "icon", "animation", "active", "position")


@pytest.fixture
def catalogue_restored(db):
    """The gifts are reference data kept between tests: put them back as the migration seeded them."""
    saved = {g.id: {name: getattr(g, name) for name in FIELDS} for g in db.session.query(Gift)}
    yield
    db.session.rollback()
    db.session.execute(sa.delete(StreamGift))
    db.session.execute(sa.delete(Gift).where(Gift.id.not_in(saved)))
    for gift_id, fields in saved.items():
        db.session.execute(sa.update(Gift).where(Gift.id == gift_id).values(**fields))
    db.session.execute(sa.text("SELECT setval('gifts_id_seq', (SELECT max(id) FROM gifts))"))
    db.session.commit()


@pytest.fixture
def admin_browser(make_user, login, app):
    admin = make_user(role="admin", consented=True)
    browser = login(app.test_client(), admin)
    token = csrf_token_from(browser.get("/admin/streams/gifts").get_data(as_text=True))
    return admin, browser, token


def form(gift_id, token, **fields):
    prefix = f"gift-{gift_id}" if gift_id else "new-gift"
    data = {"csrf_token": token}
    data.update({f"{prefix}-{name}": value for name, value in fields.items() if value is not None})
    return data


def audit_actions():
    return [(e.action, e.target_id, e.before, e.after) for e in database.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()]  # fmt: skip


def test_a_new_price_leaves_past_gifts_their_money(luna, nova, admin_browser, signed_in, catalogue_restored):
    admin, browser, token = admin_browser
    stream = live_stream(luna)
    fund(nova, 5000)
    crown = gift_named("Crown")
    send(stream, nova, "Crown")
    assert (wallet_of(nova), earnings_of(luna)) == (4000, 700)
    viewer, viewer_token = signed_in(nova)
    old_tray = viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    assert f':{crown.price_cents}"' in old_tray  # each button carries the price it shows

    page = browser.get("/admin/streams/gifts").get_data(as_text=True)
    assert 'value="10.00"' in page and "Save Crown" in page
    saved = browser.post(f"/admin/streams/gifts/{crown.id}", data=form(crown.id, token, name="Crown", price="12",
                         icon="crown", animation="spin", position=40, active="y"))  # fmt: skip
    assert saved.status_code == 303
    database.session.expire_all()
    assert database.session.get(Gift, crown.id).price_cents == 1200
    ((action, target, before, after),) = audit_actions()
    assert (action, target, before["price_cents"], after["price_cents"]) == ("gift.changed", crown.id, 1000, 1200)
    # The gift sent before keeps its price and its split, in its row, the ledger and the board.
    row = database.session.execute(sa.select(StreamGift)).scalar_one()
    assert (row.price_cents, row.to_reader_cents) == (1000, 700)
    assert (wallet_of(nova), earnings_of(luna)) == (4000, 700)
    assert [(s.total_cents) for s in gifts.board(stream.id)] == [1000]
    assert gifts.totals(stream.id) == (1, 1000, 700)

    # A tray showing $10.00 is refused (nothing charged); the new tray sends at $12.00.
    stale = viewer.post(f"/live/{stream.id}/gifts", data={"csrf_token": viewer_token,
                                                          "pick": f"{crown.id}:{uuid.uuid4()}:1000"})  # fmt: skip
    assert stale.status_code == 409 and "The Crown now costs $12.00" in stale.get_data(as_text=True)
    assert wallet_of(nova) == 4000 and database.session.scalar(sa.select(sa.func.count(StreamGift.id))) == 1
    pause()  # one gift per 500 ms per sender
    fresh = viewer.post(f"/live/{stream.id}/gifts", data={"csrf_token": viewer_token,
                                                          "pick": f"{crown.id}:{uuid.uuid4()}:1200"})  # fmt: skip
    assert fresh.status_code == 302
    assert (wallet_of(nova), earnings_of(luna)) == (2800, 700 + 840)
    assert gifts.totals(stream.id) == (2, 2200, 1540)


def test_add_take_out_of_the_tray_and_refusals(luna, nova, admin_browser, catalogue_restored, signed_in):
    admin, browser, token = admin_browser
    good = {"name": "Moon", "price": "3", "icon": "star", "animation": "float", "position": "2", "active": "y"}
    for field, value, message in (
        ("name", " rose ", "There is already a gift called rose."),
        ("name", "", "Give the gift a name of 1 to 40 characters."),
        ("price", "abc", "Enter the price in dollars, like 5 or 2.50."),
        ("price", "0.50", "A gift costs from $1.00 to $1,000.00."),
        ("price", "1000.01", "A gift costs from $1.00 to $1,000.00."),
        ("icon", "skull", "Not a valid choice."),
        ("animation", "explode", "Not a valid choice."),
        ("position", "-1", "Number must be between 0 and 999."),
    ):
        refused = browser.post("/admin/streams/gifts", data=form(None, token, **{**good, field: value}))
        assert refused.status_code == 422, (field, value)
        assert message in refused.get_data(as_text=True).replace("&#39;", "'"), (field, value)
    assert len(gifts.catalogue()) == 5 and audit_actions() == []

    added = browser.post("/admin/streams/gifts", data=form(None, token, **good))
    assert added.status_code == 303
    assert [g.name for g in gifts.catalogue()] == ["Rose", "Heart", "Moon", "Star", "Crown", "Diamond"]
    rose = gift_named("Rose")
    unchanged = {"name": "Rose", "price": "1.00", "icon": rose.icon, "animation": rose.animation,
                 "position": str(rose.position), "active": "y"}  # fmt: skip
    assert browser.post(f"/admin/streams/gifts/{rose.id}", data=form(rose.id, token, **unchanged)).status_code == 303
    assert [a[0] for a in audit_actions()] == ["gift.added"]  # sent back unchanged: nothing logged
    taken_out = {**unchanged, "active": None}  # the box unticked
    assert browser.post(f"/admin/streams/gifts/{rose.id}", data=form(rose.id, token, **taken_out)).status_code == 303
    assert "Rose" not in [g.name for g in gifts.catalogue()]
    assert [a[0] for a in audit_actions()] == ["gift.added", "gift.changed"]
    stream = live_stream(luna)
    fund(nova, 1000)
    viewer, viewer_token = signed_in(nova)
    assert "Rose" not in viewer.get(f"/live/{stream.id}").get_data(as_text=True)
    gone = viewer.post(f"/live/{stream.id}/gifts", data={"csrf_token": viewer_token,
                                                         "pick": f"{rose.id}:{uuid.uuid4()}:100"})  # fmt: skip
    assert gone.status_code == 404 and wallet_of(nova) == 1000
    # Only admins: a client is refused, and an unknown gift is a 404.
    assert viewer.get("/admin/streams/gifts").status_code == 403
    assert browser.post("/admin/streams/gifts/999", data=form(999, token, **good)).status_code == 404
