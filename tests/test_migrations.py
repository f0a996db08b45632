"""The schema comes from the migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from soulseer.extensions import db


def test_models_and_migrations_agree(app_context):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ; write a migration: {differences}"


def test_migrations_go_down_to_zero_and_up_again(app_context):
    downgrade(revision="base")
    with db.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars().all()
    assert set(tables) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars().all()
    assert {"users", "content_pages"} <= set(tables)


def test_help_and_refund_policy_sections_reach_unedited_pages_only_in_their_order(app_context):
    """The migrations since 0016_a add sections to the Help page and the Refund policy with
    content_pages.revise_unedited_page: an unedited page as seeded before them ends, at the head,
    as content_pages has it now (every section once, in its place, the bookings' as revised by
    the calendar feeds' migration after 0025 added it); an admin's edited page is left as she
    wrote it. A migration that adds a section adds it to the list below."""
    from soulseer.content_pages import (
        HELP,
        HELP_BOOKINGS,
        HELP_COMMUNITY,
        HELP_MESSAGES,
        HELP_PAYOUTS,
        HELP_SHOP,
        HELP_SHOP_WALLET_ONLY,
        HELP_STREAMS,
        REFUND_POLICY,
        REFUND_SCHEDULED,
        REFUND_SCHEDULED_BEFORE,
        REFUND_SHOP,
        REFUND_SHOP_WALLET_ONLY,
        REPORT_LINE,
        REPORT_LINE_BEFORE,
    )

    help_before = HELP
    for section in (HELP_MESSAGES, HELP_STREAMS, HELP_SHOP, HELP_BOOKINGS, HELP_PAYOUTS, HELP_COMMUNITY):
        assert section + "\n" in help_before
        help_before = help_before.replace(section + "\n", "", 1)
    assert REPORT_LINE in help_before
    help_before = help_before.replace(REPORT_LINE, REPORT_LINE_BEFORE, 1)  # as the pages said before 0035
    refund_before = REFUND_POLICY.replace(REFUND_SHOP, "", 1).replace(REFUND_SCHEDULED, REFUND_SCHEDULED_BEFORE, 1)
    before = {"help": help_before, "refund-policy": refund_before}
    assert refund_before != REFUND_POLICY
    insert = (
        "INSERT INTO content_pages (slug, title, body_markdown, version, updated_by_id) "
        "VALUES (%(s)s, %(s)s, %(b)s, %(v)s, %(by)s)"
    )
    # A page as 0023 left it, before cards: 0033_b brings its shop texts up to date.
    wallet_only = {
        "help": HELP.replace(HELP_SHOP, HELP_SHOP_WALLET_ONLY),
        "refund-policy": REFUND_POLICY.replace(REFUND_SHOP, REFUND_SHOP_WALLET_ONLY),
    }
    assert wallet_only != {"help": HELP, "refund-policy": REFUND_POLICY}
    try:
        db.session.remove()
        downgrade(revision="0033_a")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE users, content_pages RESTART IDENTITY CASCADE")
            for slug, body in wallet_only.items():
                conn.exec_driver_sql(insert, {"s": slug, "b": body, "v": 1, "by": None})
        upgrade()
        with db.engine.connect() as conn:
            pages = dict(conn.exec_driver_sql("SELECT slug, body_markdown FROM content_pages").all())
        assert pages == {"help": HELP, "refund-policy": REFUND_POLICY}
        for edited in (False, True):
            db.session.remove()
            downgrade(revision="0016_a")
            with db.engine.begin() as conn:
                conn.exec_driver_sql("TRUNCATE users, content_pages RESTART IDENTITY CASCADE")
                conn.exec_driver_sql(
                    "INSERT INTO users (id, email, display_name, role) VALUES (1, 'a@x.test', 'Ada', 'admin')"
                )
                for slug, body in before.items():
                    conn.exec_driver_sql(
                        insert, {"s": slug, "b": body, "v": 2 if edited else 1, "by": 1 if edited else None}
                    )
            upgrade()
            downgrade(revision="0016_a")  # and once more over the pages they wrote: nothing twice
            upgrade()
            with db.engine.connect() as conn:
                pages = dict(conn.exec_driver_sql("SELECT slug, body_markdown FROM content_pages").all())
            assert pages == (before if edited else {"help": HELP, "refund-policy": REFUND_POLICY}), edited
    finally:
        upgrade()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE users, content_pages RESTART IDENTITY CASCADE")


def test_the_streams_help_revision_reaches_a_help_page_as_0024_left_it(app_context):
    """The 'Live streams and gifts' section as migration 0024 wrote it becomes today's (private
    streams, muting and banning) on an unedited Help page, once; an edited page keeps its words."""
    import importlib.util
    from pathlib import Path

    from soulseer.content_pages import HELP, HELP_STREAMS

    (path,) = Path(__file__).parent.parent.glob("migrations/versions/*_streams_help.py")
    spec = importlib.util.spec_from_file_location("streams_help", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    old_page = HELP.replace(HELP_STREAMS, migration.HELP_BEFORE, 1)
    assert old_page != HELP
    try:
        for edited in (False, True):
            db.session.remove()
            downgrade(revision=migration.down_revision)
            with db.engine.begin() as conn:
                conn.exec_driver_sql("TRUNCATE users, content_pages RESTART IDENTITY CASCADE")
                conn.exec_driver_sql(
                    "INSERT INTO users (id, email, display_name, role) VALUES (1, 'a@x.test', 'Ada', 'admin')"
                )
                conn.exec_driver_sql(
                    "INSERT INTO content_pages (slug, title, body_markdown, version, updated_by_id) "
                    "VALUES ('help', 'Help', %(b)s, %(v)s, %(by)s)",
                    {"b": old_page, "v": 2 if edited else 1, "by": 1 if edited else None},
                )
            upgrade()
            with db.engine.connect() as conn:
                body = conn.exec_driver_sql("SELECT body_markdown FROM content_pages WHERE slug = 'help'").scalar()
            assert body == (old_page if edited else HELP), edited
    finally:
        upgrade()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE users, content_pages RESTART IDENTITY CASCADE")
