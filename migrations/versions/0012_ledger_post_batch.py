"""ledger_post_batch(): postings by account code, many in one round trip

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 12:00:00

A posting names its accounts by code (e.g. 'wallet:42'); the database finds them, creating any
that are missing, so the caller needs no lookup first. Any number of postings go in one call
(the billing tick reserves a minute for hundreds of readings at once); each is the same
ledger_post() as before, and every tracked account the batch touches is locked first, in id
order, so overlapping batches never deadlock.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ACCOUNT_IDS = """
CREATE FUNCTION ledger_account_ids(p_codes text[], p_kinds text[], p_owners integer[])
RETURNS bigint[] LANGUAGE plpgsql AS $$
-- The ids of the accounts with these codes, in the same order; missing accounts are created
-- (ON CONFLICT: a concurrent creation of the same code is waited for, then found).
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(a.id ORDER BY l.n) INTO ids
      FROM unnest(p_codes) WITH ORDINALITY AS l(code, n)
      JOIN ledger_accounts a ON a.code = l.code;
    IF coalesce(cardinality(ids), 0) < cardinality(p_codes) THEN
        INSERT INTO ledger_accounts (code, kind, owner_id)
        SELECT * FROM unnest(p_codes, p_kinds, p_owners)
        ON CONFLICT (code) DO NOTHING;
        SELECT array_agg(a.id ORDER BY l.n) INTO ids
          FROM unnest(p_codes) WITH ORDINALITY AS l(code, n)
          JOIN ledger_accounts a ON a.code = l.code;
    END IF;
    RETURN ids;
END $$;
"""

POST_BATCH = """
CREATE FUNCTION ledger_post_batch(
    p_kinds text[], p_keys text[], p_fingerprints text[], p_reference_types text[],
    p_reference_ids bigint[], p_descriptions text[], p_actor_ids integer[],
    p_may_overdraw_wallet boolean[], p_allowed_when_frozen boolean[], p_leg_ends integer[],
    p_codes text[], p_account_kinds text[], p_owners integer[], p_amounts bigint[], p_at timestamptz
) RETURNS TABLE (n integer, transaction_id integer, status text, detail text)
LANGUAGE plpgsql AS $$
-- Posting i has the legs p_leg_ends[i-1]+1 .. p_leg_ends[i] of the leg arrays (codes, account
-- kinds, owners, amounts). Returns one row per posting, in order, with ledger_post()'s status.
DECLARE
    tracked constant text[] := ARRAY['client_wallet', 'reader_earnings', 'hold'];
    account_ids bigint[];
    first_leg integer := 1;
    result record;
BEGIN
    account_ids := ledger_account_ids(p_codes, p_account_kinds, p_owners);
    -- Every tracked account of the batch, locked in id order before any posting.
    PERFORM 1 FROM ledger_accounts
     WHERE id = ANY (account_ids) AND kind = ANY (tracked)
     ORDER BY id FOR UPDATE;
    FOR i IN 1 .. cardinality(p_keys) LOOP
        SELECT * INTO result FROM ledger_post(
            p_kinds[i], p_keys[i], p_fingerprints[i], p_reference_types[i], p_reference_ids[i],
            p_descriptions[i], p_actor_ids[i], account_ids[first_leg:p_leg_ends[i]],
            p_amounts[first_leg:p_leg_ends[i]], p_may_overdraw_wallet[i], p_allowed_when_frozen[i], p_at);
        n := i;
        transaction_id := result.transaction_id;
        status := result.status;
        detail := result.detail;
        RETURN NEXT;
        first_leg := p_leg_ends[i] + 1;
    END LOOP;
END $$;
"""


def upgrade():
    op.execute(ACCOUNT_IDS)
    op.execute(POST_BATCH)


def downgrade():
    op.execute(
        "DROP FUNCTION ledger_post_batch(text[], text[], text[], text[], bigint[], text[], integer[], boolean[], "
        "boolean[], integer[], text[], text[], integer[], bigint[], timestamptz)"
    )
    op.execute("DROP FUNCTION ledger_account_ids(text[], text[], integer[])")
