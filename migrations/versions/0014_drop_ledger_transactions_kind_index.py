"""drop the index on ledger_transactions.kind

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 13:05:00

A dozen kinds over every transaction: no query is served by it (the wallet history and the admin
pages go through the account and reference indexes), and every posting paid to keep it.
Measured: ledger postings 0.51x → 0.55x of pgbench (docs/benchmarks.md).
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_ledger_transactions_kind", table_name="ledger_transactions")


def downgrade():
    op.create_index("ix_ledger_transactions_kind", "ledger_transactions", ["kind"], unique=False)
