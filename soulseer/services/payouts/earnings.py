"""A reader's earnings, as the payouts page shows them: every figure from the ledger, with the lines
behind it (docs/payouts.md, "Earnings").

- **Not paid out yet**: her earnings account's balance.
- **Clearing**: what readings and sales credited in the last PAYOUT_CLEARING_DAYS days (3; a
  credit exactly that old has cleared). A refund or a dispute after a payout would be the
  platform's loss; the wait gives reports and refunds time to come first. (Never more than the
  balance: a refund may have taken some back.)
- **Held**: her part of older sales that are in question: a reading, paid reply or shop order with
  an open report in the moderation queue (each kind of content says which sales a report of it
  questions: `ContentKind.questioned_sales`), and sales with a refund on its way that the ledger
  has not taken yet (`commerce.pending_refunds`: the shop's card refunds asked of Stripe). A
  refund decided on them then still finds her part in her earnings.
- **Available** = not paid out − clearing − held, never below zero. It is what a payout sends.
- **Earned in all**: every sale's credit less refunds, ever (paid out or not).
- **In transit**: payouts on their way to her Stripe account; **paid out**: sent to it (less any
  reversed), ever and this calendar year (UTC; for her taxes).

Payouts wait while the balance is below zero (a refund taken from earnings already paid out).
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from soulseer import clock
from soulseer.ledger import LedgerAccount, accounts, reads
from soulseer.ledger.models import TransactionKind
from soulseer.models import ItemState, ModerationItem
from soulseer.services import commerce
from soulseer.services.moderation import kinds

LINES_SHOWN = 50
# What a client paid the reader for, and what went back: the lines that make up her earnings.
EARNING_KINDS = (*reads.SALE_KINDS, TransactionKind.REFUND)


@dataclass
class Figure:
    cents: int
    count: int = 0  # how many ledger lines are behind it
    lines: list = field(default_factory=list)  # the newest LINES_SHOWN of them


def available_of(balance, clearing, held):
    """What a payout may send: not paid out − clearing − held, never below zero."""
    return max(0, balance - clearing - held)


@dataclass
class Earnings:
    balance: int  # not paid out yet
    not_paid_out: Figure  # the balance with every line of her earnings account behind it
    earned: Figure
    clearing: Figure
    held: Figure
    clearing_days: int
    in_transit: Figure
    paid: Figure
    paid_this_year: int

    @property
    def available(self):
        return available_of(self.balance, self.clearing.cents, self.held.cents)

    @property
    def below_zero(self):
        return self.balance < 0


@dataclass(frozen=True)
class Payable:
    """The figures a payout decision needs, for many readers at once (`payable`)."""

    balance: int
    clearing: int
    held: int

    @property
    def available(self):
        return available_of(self.balance, self.clearing, self.held)

    @property
    def below_zero(self):
        return self.balance < 0


def clearing_days():
    return current_app.config["PAYOUT_CLEARING_DAYS"]


def _figure(spec, with_lines, **criteria):
    cents, count = reads.entries_total(spec, **criteria)
    lines = reads.entries(spec, LINES_SHOWN, **criteria) if with_lines and count else []
    return Figure(cents, count, lines)


def _questioned_sales():
    """[(reference type, ids)] of the sales whose earnings are held: those being refunded
    (`commerce.pending_refunds`) and those an open moderation item questions, for the earnings
    account's owner (correlated with the ledger account the query reads, so one statement can read
    many readers' earnings)."""
    questioned = commerce.pending_refunds()
    for kind in kinds.all_kinds():
        if kind.questioned_sales is None:
            continue
        open_items = sa.select(ModerationItem.target_id).where(
            ModerationItem.kind == kind.name,
            ModerationItem.state == ItemState.OPEN,
            ModerationItem.author_id == LedgerAccount.owner_id,
        )
        questioned.extend(kind.questioned_sales(open_items))
    return questioned


def _criteria(now):
    """The entries behind "clearing" and "held" (reads.entries_total's criteria)."""
    cleared_before = now - timedelta(days=clearing_days())
    return {
        "clearing": {"kinds": reads.SALE_KINDS, "after": cleared_before},
        "held": {"kinds": EARNING_KINDS, "up_to": cleared_before, "references": _questioned_sales()},
    }


def _capped(balance, clearing, held):
    """Clearing never more than the balance (a refund may have taken some back); held never more
    than what is left of it."""
    clearing = max(0, min(clearing, balance))
    return clearing, max(0, min(held, balance - clearing))


def of(user, now=None, with_lines=True):
    """The reader's earnings now (`now`: the clock's by default)."""
    now = now or clock.now()
    spec = accounts.earnings_spec(user)
    criteria = _criteria(now)
    balance = reads.balance(spec)
    not_paid_out = _figure(spec, with_lines)  # its lines: every sale, refund and payout of hers
    earned = _figure(spec, with_lines, kinds=EARNING_KINDS)
    clearing = _figure(spec, with_lines, **criteria["clearing"])
    held = _figure(spec, with_lines, **criteria["held"])
    clearing.cents, held.cents = _capped(balance, clearing.cents, held.cents)
    in_transit = _figure(accounts.in_transit_spec(user), with_lines)
    paid = _figure(accounts.paid_spec(user), with_lines)
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    paid_this_year, _ = reads.entries_total(accounts.paid_spec(user), after=year_start - timedelta(microseconds=1))
    return Earnings(balance, not_paid_out, earned, clearing, held, clearing_days(), in_transit, paid, paid_this_year)


def payable(user_ids, now=None):
    """{user id: Payable} for many readers in three statements (the daily run's batches): the same
    figures as `of`, without the lines."""
    now = now or clock.now()
    specs = [accounts.earnings_spec(user_id) for user_id in user_ids]
    criteria = _criteria(now)
    balances = reads.balances(specs)
    clearing = reads.entries_totals(specs, **criteria["clearing"])
    held = reads.entries_totals(specs, **criteria["held"])
    found = {}
    for user_id, (code, _, _) in zip(user_ids, specs, strict=True):
        balance = balances[code]
        found[user_id] = Payable(balance, *_capped(balance, clearing[code][0], held[code][0]))
    return found
