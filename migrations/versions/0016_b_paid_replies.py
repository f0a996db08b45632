"""paid replies: a reader's reply with a price, unlocked by the client from the wallet

Revision ID: 0016_b
Revises: 0016_a
Create Date: 2026-12-05 17:30:00

A message may carry a price (50–10000 cents) and, with it, the sha256 of its text taken at send.
Unlocking sets `unlocked_at`; the reader may withdraw a reply before that (`withdrawn_at`). A
trigger keeps the promise in the database: a paid reply's hash always matches its text, and once
unlocked its text, price, hash and unlock time never change and the row is never deleted. The Help
page, where nobody has edited it, gets its "Messages and paid replies" section.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_b"
down_revision = "0016_a"
branch_labels = None
depends_on = None

GUARD = """
CREATE FUNCTION messages_paid_reply_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.unlocked_at IS NOT NULL THEN
            RAISE EXCEPTION 'message %: an unlocked paid reply is never deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.price_cents IS NOT NULL
       AND NEW.body_sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.body, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'message %: a paid reply''s text must match the hash taken at send', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.unlocked_at IS NOT NULL AND (
        NEW.body IS DISTINCT FROM OLD.body
        OR NEW.body_sha256 IS DISTINCT FROM OLD.body_sha256
        OR NEW.price_cents IS DISTINCT FROM OLD.price_cents
        OR NEW.unlocked_at IS DISTINCT FROM OLD.unlocked_at
        OR NEW.withdrawn_at IS DISTINCT FROM OLD.withdrawn_at
    ) THEN
        RAISE EXCEPTION 'message %: an unlocked paid reply never changes', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER messages_paid_reply_guard
    BEFORE INSERT OR UPDATE OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_paid_reply_guard();
"""


def _add_help_section():
    from soulseer.content_pages import HELP_MESSAGES, add_help_section

    add_help_section(op.get_bind(), HELP_MESSAGES)


def upgrade():
    op.add_column("messages", sa.Column("price_cents", sa.Integer(), nullable=True))
    op.add_column("messages", sa.Column("body_sha256", sa.String(64), nullable=True))
    op.add_column("messages", sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_messages_price_range"), "messages", "price_cents IS NULL OR price_cents BETWEEN 50 AND 10000"
    )
    op.create_check_constraint(
        op.f("ck_messages_paid_has_hash"), "messages", "(price_cents IS NULL) = (body_sha256 IS NULL)"
    )
    op.create_check_constraint(
        op.f("ck_messages_unlock_is_paid"),
        "messages",
        "(unlocked_at IS NULL AND withdrawn_at IS NULL) OR (price_cents IS NOT NULL "
        "AND (unlocked_at IS NULL OR withdrawn_at IS NULL))",
    )
    op.execute(GUARD)
    _add_help_section()


def downgrade():
    op.execute("DROP TRIGGER messages_paid_reply_guard ON messages")
    op.execute("DROP FUNCTION messages_paid_reply_guard()")
    op.drop_constraint(op.f("ck_messages_unlock_is_paid"), "messages", type_="check")
    op.drop_constraint(op.f("ck_messages_paid_has_hash"), "messages", type_="check")
    op.drop_constraint(op.f("ck_messages_price_range"), "messages", type_="check")
    op.drop_column("messages", "withdrawn_at")
    op.drop_column("messages", "unlocked_at")
    op.drop_column("messages", "body_sha256")
    op.drop_column("messages", "price_cents")
