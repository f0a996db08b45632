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
    Unbalanced,
    WalletFrozen,
    post,
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
    "TransactionKind",
    "Unbalanced",
    "WalletFrozen",
    "accounts",
    "operations",
    "post",
]
