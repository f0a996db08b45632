"""A reader's earnings, as the payouts page shows them: every figure from the ledger, with the lines
behind it (docs/payouts.md, "Earnings").

- **Not paid out yet**: her earnings account's balance.
- **Clearing**: what readings and sales credited in the last PAYOUT_CLEARING_DAYS days (3; a
  credit exactly that old has cleared). A refund or a dispute after a payout would be the
  platform's loss; the wait gives reports and refunds time to come first. (Never more than the
  balance: a refund may have taken some back.)
- **Held for a report**: her part of older readings that a client reported ("Report a problem")
  while the report is open.
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
from soulseer.ledger import accounts, reads
from soulseer.ledger.models import TransactionKind
from soulseer.models import ItemState, ModerationItem

LINES_SHOWN = 50
# What a client paid the reader for, and what went back: the lines that make up her earnings.
EARNING_KINDS = (*reads.SALE_KINDS, TransactionKind.REFUND)


@dataclass
class Figure:
    cents: int
    count: int = 0  # how many ledger lines are behind it
    lines: list = field(default_factory=list)  # the newest LINES_SHOWN of them


@dataclass
class Earnings:
    balance: int  # not paid out yet
    earned: Figure
    clearing: Figure
    held: Figure
    clearing_days: int
    in_transit: Figure
    paid: Figure
    paid_this_year: int

    @property
    def available(self):
        return max(0, self.balance - self.clearing.cents - self.held.cents)

    @property
    def below_zero(self):
        return self.balance < 0


def clearing_days():
    return current_app.config["PAYOUT_CLEARING_DAYS"]


def _figure(spec, with_lines, **criteria):
    cents, count = reads.entries_total(spec, **criteria)
    lines = reads.entries(spec, LINES_SHOWN, **criteria) if with_lines and count else []
    return Figure(cents, count, lines)


def _reported_readings(user):
    """Her readings with an open "Report a problem" (a moderation item of kind reading)."""
    return sa.select(ModerationItem.target_id).where(
        ModerationItem.kind == "reading", ModerationItem.state == ItemState.OPEN, ModerationItem.author_id == user.id
    )


def of(user, now=None, with_lines=True):
    """The reader's earnings now (`now`: the clock's by default)."""
    now = now or clock.now()
    spec = accounts.earnings_spec(user)
    days = clearing_days()
    cleared_before = now - timedelta(days=days)
    balance = reads.balance(spec)
    earned = _figure(spec, with_lines, kinds=EARNING_KINDS)
    clearing = _figure(spec, with_lines, kinds=reads.SALE_KINDS, after=cleared_before)
    clearing.cents = max(0, min(clearing.cents, balance))
    held = _figure(
        spec,
        with_lines,
        kinds=EARNING_KINDS,
        up_to=cleared_before,
        reference_type="reading",
        reference_ids=_reported_readings(user),
    )
    held.cents = max(0, min(held.cents, balance - clearing.cents))
    in_transit = _figure(accounts.in_transit_spec(user), with_lines)
    paid = _figure(accounts.paid_spec(user), with_lines)
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    paid_this_year, _ = reads.entries_total(accounts.paid_spec(user), after=year_start - timedelta(microseconds=1))
    return Earnings(balance, earned, clearing, held, days, in_transit, paid, paid_this_year)
