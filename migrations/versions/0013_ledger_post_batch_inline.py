"""ledger_post_batch() does each posting in two statements, balances once per batch

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 12:10:00

Measured inside the database (docs/benchmarks.md), a posting through ledger_post() cost about a
millisecond in seven statements. Now the batch locks its tracked accounts once and reads their
balances and frozen flags into arrays; each posting checks its limits in PL/pgSQL (no query),
inserts its transaction row (ON CONFLICT on the key) and its entries; the cached balances are
written once for the whole batch. ledger_post() goes: nothing calls it any more.

The entries' foreign keys go too. Each check took a KEY SHARE row lock on the referenced row:
on the platform-revenue account, every charge's lock rewrote that one hot row (a MultiXact under
concurrency), the very row the ledger keeps unlocked (docs/ledger.md). ledger_post_batch() is
the only writer and finds or makes every account before writing; accounts can no longer be
deleted (a trigger refuses, as for entries and transactions); `flask ledger verify` checks that
every entry's account and transaction exist.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SIGNATURE = (
    "ledger_post_batch(text[], text[], text[], text[], bigint[], text[], integer[], boolean[], boolean[], "
    "integer[], text[], text[], integer[], bigint[], timestamptz)"
)

POST_BATCH = """
CREATE OR REPLACE FUNCTION ledger_post_batch(
    p_kinds text[], p_keys text[], p_fingerprints text[], p_reference_types text[],
    p_reference_ids bigint[], p_descriptions text[], p_actor_ids integer[],
    p_may_overdraw_wallet boolean[], p_allowed_when_frozen boolean[], p_leg_ends integer[],
    p_codes text[], p_account_kinds text[], p_owners integer[], p_amounts bigint[], p_at timestamptz
) RETURNS TABLE (n integer, transaction_id integer, status text, detail text)
LANGUAGE plpgsql AS $$
-- Posting i has the legs p_leg_ends[i-1]+1 .. p_leg_ends[i] of the leg arrays (codes, account
-- kinds, owners, amounts). Returns one row per posting, in order, with a status instead of an
-- error for refusals, so the caller's transaction stays usable:
--   created | existing | conflict (same key, other contents) | insufficient | frozen
-- A refused posting writes nothing; the others in the batch still post.
DECLARE
    tracked constant text[] := ARRAY['client_wallet', 'reader_earnings', 'hold'];
    leg_ids bigint[];           -- each leg's account id
    locked_ids bigint[];        -- the batch's tracked accounts, in id order, locked
    balances bigint[];          -- their balances as the batch goes (written back at the end)
    account_kinds text[];
    frozen boolean[];
    first_leg integer := 1;
    pos integer;
    afters bigint[];
    refusal text;
    refusal_detail text;
    new_id integer;
    old_id integer;
    old_fingerprint text;
BEGIN
    leg_ids := ledger_account_ids(p_codes, p_account_kinds, p_owners);
    IF coalesce(cardinality(leg_ids), 0) <> cardinality(p_codes) THEN
        RAISE EXCEPTION 'ledger_post_batch: accounts % could not all be found or made', p_codes;
    END IF;

    -- 1. Lock every tracked account of the batch in id order, and read what the limits need.
    SELECT coalesce(array_agg(s.id ORDER BY s.id), '{}'), coalesce(array_agg(s.balance ORDER BY s.id), '{}'),
           coalesce(array_agg(s.kind ORDER BY s.id), '{}'), coalesce(array_agg(s.frozen ORDER BY s.id), '{}')
      INTO locked_ids, balances, account_kinds, frozen
      FROM (SELECT a.id, a.balance, a.kind, a.frozen FROM ledger_accounts a
             WHERE a.id = ANY (leg_ids) AND a.kind = ANY (tracked)
             ORDER BY a.id FOR UPDATE) AS s;

    FOR i IN 1 .. cardinality(p_keys) LOOP
        -- 2. Limits, from the balances in hand: the first leg that cannot be paid refuses.
        refusal := NULL;
        afters := '{}';
        FOR j IN first_leg .. p_leg_ends[i] LOOP
            pos := array_position(locked_ids, leg_ids[j]);
            IF pos IS NULL THEN
                afters := afters || NULL::bigint;
                CONTINUE;
            END IF;
            afters := afters || (balances[pos] + p_amounts[j]);
            IF p_amounts[j] < 0 AND refusal IS NULL THEN
                IF account_kinds[pos] = 'client_wallet' AND frozen[pos] AND NOT p_allowed_when_frozen[i] THEN
                    refusal := 'frozen';
                    refusal_detail := leg_ids[j]::text;
                ELSIF balances[pos] + p_amounts[j] < 0
                      AND NOT (account_kinds[pos] = 'client_wallet' AND p_may_overdraw_wallet[i]) THEN
                    refusal := 'insufficient';
                    refusal_detail := leg_ids[j] || ':' || balances[pos] || ':' || (-p_amounts[j]);
                END IF;
            END IF;
        END LOOP;

        -- 3. The transaction row, unless refused; the key decides between created and a retry.
        new_id := NULL;
        IF refusal IS NULL THEN
            INSERT INTO ledger_transactions (kind, idempotency_key, fingerprint, reference_type, reference_id,
                                             description, actor_id, created_at)
            VALUES (p_kinds[i], p_keys[i], p_fingerprints[i], p_reference_types[i], p_reference_ids[i],
                    p_descriptions[i], p_actor_ids[i], p_at)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id INTO new_id;
        END IF;

        n := i;
        IF new_id IS NULL THEN
            -- Refused, or the key was posted before (a retry moves nothing; a retry is answered
            -- even when the limits would refuse it now).
            SELECT t.id, t.fingerprint INTO old_id, old_fingerprint
              FROM ledger_transactions t WHERE t.idempotency_key = p_keys[i];
            IF FOUND THEN
                transaction_id := old_id;
                status := CASE WHEN old_fingerprint = p_fingerprints[i] THEN 'existing' ELSE 'conflict' END;
                detail := NULL;
            ELSE
                transaction_id := NULL;
                status := refusal;
                detail := refusal_detail;
            END IF;
        ELSE
            -- 4. The entries, each tracked one with its balance after; the balances move on.
            INSERT INTO ledger_entries (transaction_id, account_id, amount, balance_after, created_at)
            SELECT new_id, l.account_id, l.amount, l.after, p_at
              FROM unnest(leg_ids[first_leg:p_leg_ends[i]], p_amounts[first_leg:p_leg_ends[i]], afters)
                   AS l(account_id, amount, after);
            FOR j IN first_leg .. p_leg_ends[i] LOOP
                pos := array_position(locked_ids, leg_ids[j]);
                IF pos IS NOT NULL THEN
                    balances[pos] := balances[pos] + p_amounts[j];
                END IF;
            END LOOP;
            transaction_id := new_id;
            status := 'created';
            detail := NULL;
        END IF;
        RETURN NEXT;
        first_leg := p_leg_ends[i] + 1;
    END LOOP;

    -- 5. The cached balances, once for the batch.
    UPDATE ledger_accounts a SET balance = u.balance
      FROM unnest(locked_ids, balances) AS u(id, balance)
     WHERE a.id = u.id AND a.balance <> u.balance;
END $$;
"""


def _earlier(name):
    """An earlier migration module of this directory (their file names are not importable names)."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NO_DELETE = """
CREATE TRIGGER ledger_accounts_never_deleted BEFORE DELETE ON ledger_accounts
FOR EACH ROW EXECUTE FUNCTION ledger_append_only()
"""

ENTRY_FOREIGN_KEYS = {
    "fk_ledger_entries_account_id_ledger_accounts": ("account_id", "ledger_accounts"),
    "fk_ledger_entries_transaction_id_ledger_transactions": ("transaction_id", "ledger_transactions"),
}


def upgrade():
    op.execute(POST_BATCH)
    for name in ENTRY_FOREIGN_KEYS:
        op.drop_constraint(name, "ledger_entries", type_="foreignkey")
    op.execute(NO_DELETE)
    op.execute(
        "DROP FUNCTION ledger_post(text, text, text, text, bigint, text, integer, bigint[], bigint[], boolean, "
        "boolean, timestamptz)"
    )


def downgrade():
    op.execute("DROP TRIGGER ledger_accounts_never_deleted ON ledger_accounts")
    for name, (column, table) in ENTRY_FOREIGN_KEYS.items():
        op.create_foreign_key(name, "ledger_entries", table, [column], ["id"], ondelete="RESTRICT")
    op.execute(_earlier("0011_ledger_post_function.py").LEDGER_POST)
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute(_earlier("0012_ledger_post_batch.py").POST_BATCH)
