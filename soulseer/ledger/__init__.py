"""The double-entry ledger. The only code that writes ledger rows (see docs/ledger.md)."""

from soulseer.ledger import accounts, operations
from soulseer.ledger.models import (
    TRACKED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from soulseer.ledger.posting import (
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    Posted,
    Posting,
    Unbalanced,
    WalletFrozen,
    post,
    post_many,
    post_one,
)

__all__ = [
    "TRACKED_KINDS",
    "AccountKind",
    "IdempotencyConflict",
    "InsufficientFunds",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerError",
    "LedgerTransaction",
    "Posted",
    "Posting",
    "TransactionKind",
    "Unbalanced",
    "WalletFrozen",
    "accounts",
    "operations",
    "post",
    "post_many",
    "post_one",
]
