"""Demo data: `flask seed-demo` is idempotent."""

import sqlalchemy as sa

from soulseer.content_pages import CONTENT_PAGES
from soulseer.ledger import verify
from soulseer.models import ContentPage, ReaderApplication, User
from soulseer.services import accounts
from soulseer.services.payments import wallet


def test_seed_demo_twice_creates_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    users = db.session.query(User).count()
    pages = db.session.query(ContentPage).count()
    assert users >= 7 and pages == len(CONTENT_PAGES) == 9  # How billing works and the Community guidelines among them
    assert "admin@soulseer.test" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert db.session.query(User).count() == users
    assert db.session.query(ContentPage).count() == pages
    roles = {role for (role,) in db.session.query(User.role).distinct()}
    assert roles == {"admin", "client", "reader"}
    client = db.session.query(User).filter_by(email="client@soulseer.test").one()
    assert wallet.balance(client) == 5000  # credited once, through the ledger
    assert db.session.query(ReaderApplication).filter_by(status="submitted").count() == 1
    assert all(check.ok for check in verify.run())


def test_every_demo_user_can_use_the_site_at_once(app, db):
    """No consent step at a demo user's first sign-in: readers have the Reader agreement too."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    demo_users = db.session.query(User).filter(User.email.like("%@soulseer.test")).all()
    assert len(demo_users) >= 15  # the seven sign-ins plus the other demo readers
    assert [user.email for user in demo_users if accounts.needs_consent(user)] == []


def test_every_area_has_something_to_show(app, db):
    """A first `make run` shows each area in use: Luna's hours, the shop, a thread, a conversation;
    made through the areas' services, once."""
    from soulseer.models import CommunityPost, CommunityThread, Conversation, Message, Product
    from soulseer.services.bookings import availability
    from soulseer.services.shop import catalogue

    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = [db.session.query(model).count() for model in (Product, CommunityThread, CommunityPost, Message)]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [db.session.query(model).count() for model in (Product, CommunityThread, CommunityPost, Message)] == counts

    luna = db.session.query(User).filter_by(email="luna@soulseer.test").one()
    cleo = db.session.query(User).filter_by(email="client@soulseer.test").one()
    assert availability.takes_bookings(availability.settings_for(luna))
    on_sale = {p.title: p for p in db.session.scalars(sa.select(Product).where(catalogue.for_sale()))}
    assert set(on_sale) == {
        "Rose quartz palm stone",
        "The three-card spread, step by step",
        "Full moon journal prompts",
    }
    assert on_sale["Full moon journal prompts"].seller_id == luna.id
    assert on_sale["Rose quartz palm stone"].stock == 25
    assert all(product.image_prefix for product in on_sale.values())
    assert all(product.file_type == "application/pdf" for product in on_sale.values() if product.kind == "digital")
    thread = db.session.query(CommunityThread).filter_by(title="Which deck did you learn on?").one()
    assert thread.author_id == luna.id
    assert [post.author_id for post in db.session.query(CommunityPost).filter_by(thread_id=thread.id)] == [cleo.id]
    conversation = db.session.query(Conversation).filter_by(client_id=cleo.id, reader_id=luna.id).one()
    assert [m.sender_id for m in db.session.query(Message).filter_by(conversation_id=conversation.id)] == [cleo.id]
    assert all(check.ok for check in verify.run())
