"""Demo data: `flask seed-demo` is idempotent."""

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
