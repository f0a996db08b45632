"""Commerce: everything a client buys, with the reader's share (docs/commerce.md).

The one service through which a client pays for anything (a reading, a booking, a gift, a paid
reply, a premium stream, a shop order) and gets money back. It speaks the domain's words (sale,
hold, settlement, refund, seller) and posts through the ledger (soulseer/ledger/operations.py);
idempotency keys come from soulseer/ledger/keys.py, ledger reads from soulseer/ledger/reads.py.

- `share_for(seller)`: the reader's share, the only home of that rule.
- `charge(client, seller, amount, key, reference, description)`: pay now from the wallet
  (`quote(seller, amount)`: its split worked out first, for a caller that stores it before posting);
  `charge_card(seller, amount, key, reference, description)`: the same sale paid by card.
- `hold` / `settle` / `release`: money that waits (reading minutes, bookings, premium entry);
  `hold_posting` / `settle_posting` / `release_posting` are their postings, for the ledger's
  `post_many` (a tick moving a whole batch in one round trip).
- `refund(reference, amount, key, actor, reason)`: money back, taken from the reader and the
  platform in proportion to what each got; `register_pending_refunds` / `pending_refunds`: sales
  with a refund on its way that the ledger has not taken yet (payouts hold them).
"""

from soulseer.services.commerce.holds import (
    Settlement,
    held_for,
    hold,
    hold_posting,
    release,
    release_posting,
    settle,
    settle_posting,
)
from soulseer.services.commerce.sales import (
    NotEnoughFunds,
    Quote,
    RefundRefused,
    Sale,
    SpendingFrozen,
    charge,
    charge_card,
    check_refund,
    pending_refunds,
    quote,
    refund,
    refundable,
    register_pending_refunds,
)
from soulseer.services.commerce.share import PLATFORM, default_share_bps, share_for, share_percent

__all__ = [
    "PLATFORM",
    "NotEnoughFunds",
    "RefundRefused",
    "Quote",
    "Sale",
    "Settlement",
    "SpendingFrozen",
    "charge",
    "charge_card",
    "check_refund",
    "default_share_bps",
    "held_for",
    "hold",
    "hold_posting",
    "pending_refunds",
    "quote",
    "refund",
    "refundable",
    "register_pending_refunds",
    "release",
    "release_posting",
    "settle",
    "settle_posting",
    "share_for",
    "share_percent",
]
