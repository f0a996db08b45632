"""ledger_post(): one posting in one database round trip

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 10:00:00

The posting steps of docs/ledger.md (lock tracked accounts in id order, idempotency, limits,
transaction, entries, balances) move into one PL/pgSQL function, so a posting costs one
round trip instead of five, and the ledger keeps up with pgbench.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LEDGER_POST = """
CREATE FUNCTION ledger_post(
    p_kind text, p_key text, p_fingerprint text, p_reference_type text, p_reference_id bigint,
    p_description text, p_actor_id integer, p_account_ids bigint[], p_amounts bigint[],
    p_may_overdraw_wallet boolean, p_allowed_when_frozen boolean, p_at timestamptz
) RETURNS TABLE (transaction_id integer, status text, detail text)
LANGUAGE plpgsql AS $$
-- One ledger posting in one round trip (docs/ledger.md "Posting"). Returns a status instead of
-- raising for refusals, so the caller's transaction stays usable:
--   created | existing | conflict (same key, other contents) | insufficient | frozen
DECLARE
    tracked constant text[] := ARRAY['client_wallet', 'reader_earnings', 'hold'];
    existing_id integer;
    existing_fingerprint text;
    new_id integer;
    inserted_entries integer;
    leg record;
BEGIN
    -- 1. Lock the tracked accounts in id order (never the derived ones).
    PERFORM 1 FROM ledger_accounts
     WHERE id = ANY (p_account_ids) AND kind = ANY (tracked)
     ORDER BY id FOR UPDATE;

    -- 2. Already posted?
    SELECT t.id, t.fingerprint INTO existing_id, existing_fingerprint
      FROM ledger_transactions t WHERE t.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT existing_id,
            CASE WHEN existing_fingerprint = p_fingerprint THEN 'existing' ELSE 'conflict' END, NULL::text;
        RETURN;
    END IF;

    -- 3. Limits, before anything is written.
    FOR leg IN
        SELECT a.id, a.kind, a.frozen, a.balance + l.amount AS after, l.amount
          FROM unnest(p_account_ids, p_amounts) AS l(account_id, amount)
          JOIN ledger_accounts a ON a.id = l.account_id
         WHERE l.amount < 0 AND a.kind = ANY (tracked)
    LOOP
        IF leg.kind = 'client_wallet' AND leg.frozen AND NOT p_allowed_when_frozen THEN
            RETURN QUERY SELECT NULL::integer, 'frozen', leg.id::text;
            RETURN;
        END IF;
        IF leg.after < 0 AND NOT (leg.kind = 'client_wallet' AND p_may_overdraw_wallet) THEN
            RETURN QUERY SELECT NULL::integer, 'insufficient', leg.id || ':' || (leg.after - leg.amount) || ':' || (-leg.amount);
            RETURN;
        END IF;
    END LOOP;

    -- 4. The transaction row (a concurrent posting over other accounts may have taken the key).
    INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                     description, actor_id, created_at)
    VALUES (p_kind, p_key, p_fingerprint, p_reference_type, p_reference_id, p_description, p_actor_id, p_at)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO new_id;
    IF new_id IS NULL THEN
        SELECT t.id, t.fingerprint INTO existing_id, existing_fingerprint
          FROM ledger_transactions t WHERE t.idempotency_key = p_key;
        RETURN QUERY SELECT existing_id,
            CASE WHEN existing_fingerprint = p_fingerprint THEN 'existing' ELSE 'conflict' END, NULL::text;
        RETURN;
    END IF;

    -- 5. Entries with each tracked account's balance after, then the cached balances.
    INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
    SELECT new_id, l.account_id, l.amount,
           CASE WHEN a.kind = ANY (tracked) THEN a.balance + l.amount END, p_at
      FROM unnest(p_account_ids, p_amounts) AS l(account_id, amount)
      JOIN ledger_accounts a ON a.id = l.account_id;
    GET DIAGNOSTICS inserted_entries = ROW_COUNT;
    IF inserted_entries <> cardinality(p_account_ids) THEN
        RAISE EXCEPTION 'ledger_post: an account in % does not exist', p_account_ids;
    END IF;
    UPDATE ledger_accounts a SET balance = a.balance + l.amount
      FROM unnest(p_account_ids, p_amounts) AS l(account_id, amount)
     WHERE a.id = l.account_id AND a.kind = ANY (tracked);

    RETURN QUERY SELECT new_id, 'created', NULL::text;
END $$;
"""


def upgrade():
    op.execute(LEDGER_POST)


def downgrade():
    op.execute(
        "DROP FUNCTION ledger_post(text, text, text, text, bigint, text, integer, bigint[], bigint[], boolean, "
        "boolean, timestamptz)"
    )
