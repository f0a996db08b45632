"""Migration 0015 keeps what admins did: hidden profiles stay hidden, with when, who and why."""

import importlib

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from soulseer.content_pages import HELP
from soulseer.extensions import db

_migration = importlib.import_module("migrations.versions.0015_moderation")
OLD_HELP_PART, OLD_REFUND_PART = _migration.OLD_HELP_PART, _migration.OLD_REFUND_PART


def test_hidden_profiles_keep_their_admin_and_reason_and_review_hide_is_renamed(app_context):
    db.session.remove()
    downgrade(revision="0014")
    try:
        with db.engine.begin() as conn:
            run = conn.exec_driver_sql
            run("INSERT INTO users (id, email, display_name, role) VALUES (1, 'a@x.test', 'Ada', 'admin'), "
                "(2, 'r@x.test', 'Luna', 'reader'), (3, 's@x.test', 'Sol', 'reader'), "
                "(4, 't@x.test', 'Tia', 'reader')")  # fmt: skip
            run("INSERT INTO reader_profiles (id, user_id, slug, display_name, hidden) VALUES "
                "(1, 2, 'luna', 'Luna', true), (2, 3, 'sol', 'Sol', true), (3, 4, 'tia', 'Tia', false)")  # fmt: skip
            run("INSERT INTO audit_log (actor_id, action, target_type, target_id, reason, created_at) VALUES "
                "(1, 'reader_profile.hidden', 'ReaderProfile', 1, 'old reason', '2026-11-01T10:00Z'), "
                "(1, 'reader_profile.hidden', 'ReaderProfile', 1, 'Fake reviews', '2026-11-20T10:00Z'), "
                "(1, 'review.hide', 'Review', 7, 'Names a person', '2026-11-21T10:00Z')")  # fmt: skip
            # Help as first seeded; the Refund policy edited by an admin (left alone).
            run("INSERT INTO content_pages (slug, title, body_markdown) VALUES ('help', 'Help', %(help)s)",
                {"help": "Intro\n\n" + OLD_HELP_PART})  # fmt: skip
            edited = OLD_REFUND_PART + " Edited."
            run("INSERT INTO content_pages (slug, title, body_markdown, version, updated_by_id) "
                "VALUES ('refund-policy', 'Refund policy', %(text)s, 2, 1)", {"text": edited})  # fmt: skip
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT slug, hidden_at, hidden_reason, hidden_by_id FROM reader_profiles ORDER BY id")
            ).all()
            actions = conn.exec_driver_sql("SELECT action FROM audit_log ORDER BY id").scalars().all()
            pages = dict(conn.exec_driver_sql("SELECT slug, body_markdown FROM content_pages").all())
        luna, sol, tia = rows
        assert (luna.hidden_at.isoformat(), luna.hidden_reason, luna.hidden_by_id) == (
            "2026-11-20T10:00:00+00:00",
            "Fake reviews",
            1,
        )
        assert sol.hidden_at is not None and sol.hidden_reason.startswith("Hidden by an admin before reasons")
        assert (tia.hidden_at, tia.hidden_reason) == (None, None)
        assert actions == ["reader_profile.hidden", "reader_profile.hidden", "review.hidden"]
        assert pages["help"] == HELP and "Report a problem" in pages["help"]
        assert pages["refund-policy"] == OLD_REFUND_PART + " Edited."
    finally:
        upgrade()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE users, reader_profiles, audit_log, content_pages RESTART IDENTITY CASCADE")
