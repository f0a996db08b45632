"""A buyer's "Report a problem with this order" reaches the one moderation queue; the Help page and
the Refund policy say how the shop works (added by migration 0023 where nobody edited them)."""

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import Flag, ModerationItem
from soulseer.services.shop import buying


def test_the_buyer_reports_a_problem_with_an_order_and_admins_see_it_in_context(db, admin, funded, guide, writer):
    cass = funded()
    order = buying.buy_from_wallet(cass, guide.id, 1, "key-1")
    db.session.commit()
    page = writer(cass)
    html = page.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Report a problem with this order" in html
    form = page.get(f"/report/order/{order.id}?next=/orders/{order.id}").get_data(as_text=True)
    assert "The download does not work" in form and "It has not arrived" in form
    sent = page.post(f"/report/order/{order.id}", data={
        "csrf_token": page.csrf, "reason": "file_problem", "note": "The PDF is blank on my phone.",
        "next": f"/orders/{order.id}",
    })  # fmt: skip
    assert sent.status_code == 303 and sent.headers["Location"] == f"/orders/{order.id}"
    item = database.session.execute(sa.select(ModerationItem)).scalar_one()
    assert (item.kind, item.target_id) == ("order", order.id)
    assert database.session.execute(sa.select(Flag.reason)).scalar_one() == "file_problem"
    queue = writer(admin).get(f"/admin/moderation/{item.id}").get_data(as_text=True)
    assert f'href="/admin/orders/{order.id}"' in queue and "Tarot for Beginners" in queue
    assert "The download does not work" in queue


def test_only_the_buyer_can_report_an_order(db, admin, funded, guide, writer):
    order = buying.buy_from_wallet(funded(), guide.id, 1, "key-1")
    db.session.commit()
    assert writer(funded()).get(f"/report/order/{order.id}").status_code == 404
