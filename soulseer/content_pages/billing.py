"""How billing works: the one page whose text is a function of the app's configuration, written
with the numbers the site runs with when it is seeded (PRODUCT.md §4)."""

import math
import re

from soulseer.money import format_cents


def _duration(seconds):
    """120 -> '2 minutes', 60 -> '60 seconds', 25 -> '25 seconds' (the words PRODUCT.md uses)."""
    if seconds < 120 or seconds % 60:
        return f"{seconds} seconds"
    return f"{seconds // 60} minutes"


def _unwrap(markdown_text):
    """One line per paragraph and list item, so the text reads well in the admin's editor."""
    return re.sub(r"(?<=\S)\n(?!- |## ) *(?=\S)", " ", markdown_text)


def _dollars(cents):
    return format_cents(cents).removesuffix(".00")


# The worked examples on the billing page: a reader at $1.50 a minute.
EXAMPLE_RATE = 150
EXAMPLE_SECONDS = 150
EXAMPLE_CAP = 2000


def billing_rules(config):
    """How billing works, for clients (PRODUCT.md §4), with this site's settings in it."""
    rate = EXAMPLE_RATE
    start_minutes = config["MINUTES_NEEDED_TO_START"]
    cap_minutes = EXAMPLE_CAP // rate
    example_cost = math.ceil(EXAMPLE_SECONDS * rate / 60)
    example_time = f"{EXAMPLE_SECONDS // 60} minutes {EXAMPLE_SECONDS % 60} seconds"
    presets = ", ".join(_dollars(cents) for cents in config["TOPUP_PRESETS_CENTS"])
    low_minutes = config["LOW_BALANCE_MINUTES"]
    # Soft line breaks below are for this file; _unwrap joins them.
    return _unwrap(f"""\
You pay for live readings from your wallet, **by the second**, and only while you and your reader
are both connected. This page explains every rule, with the numbers SoulSeer uses.

## The price

Each reader sets a price per minute for chat, voice and video. You see it on the button before
you start, and it stays the same for the whole reading, even if the reader changes it meanwhile.
Readers keep {config["READER_SHARE_PERCENT"]}% of what you pay (a reader with a different share
shows it on their page); SoulSeer keeps the rest. What you pay is the same either way.

## Before you start

- Your wallet needs at least **{start_minutes} minutes** at the reader's price to start a reading
  (at {format_cents(rate)} a minute, {format_cents(start_minutes * rate)}). With less, the page
  offers you a top-up first.
- You may set a **spend cap** for the reading. The reading then ends by itself after the last
  whole minute the cap pays for: with a cap of {format_cents(EXAMPLE_CAP)} at {format_cents(rate)}
  a minute, after {cap_minutes} minutes ({format_cents(cap_minutes * rate)}).
- The reader has **{_duration(config["REQUEST_TIMEOUT_SECONDS"])}** to accept. If they decline or
  do not answer, nothing is charged and you can choose another reader.
- You can have one reading at a time.

## While the reading runs

- The meter starts only when you are **both in the room**. If you are not both there within
  {_duration(config["JOIN_TIMEOUT_SECONDS"])}, the reading is cancelled and costs nothing.
- At the start of each minute, that minute's price is **set aside** from your wallet. This is
  not the bill: it makes sure the minute you are in is paid for. The room shows the time, the
  cost so far and your balance all along.
- When less than **{_duration(low_minutes * 60)}** of balance are left, you and your reader see
  a warning. You can **top up inside the room** without leaving it; the reading keeps running.
- If your balance cannot cover the next minute, the meter **stops** and you have
  **{_duration(config["FUNDS_PAUSE_SECONDS"])}** to top up. The reading continues by itself as soon
  as the money arrives; otherwise it ends, and you pay only for the time you had.

## If the connection drops

- If one of you closes the page, or sends no sign of life for
  {_duration(config["DISCONNECTED_AFTER_SECONDS"])}, the meter stops. Time while the reading is
  paused or reconnecting is **never charged**.
- The reading carries on when you are both back. If you are not both back within
  **{_duration(config["RECONNECT_GRACE_SECONDS"])}**, it ends, and you pay for the connected
  time only.

## When the reading ends

- You or your reader can end the reading at any time.
- The bill is worked out **to the second**: seconds × price per minute ÷ 60, rounded up to the
  next cent. A reading of {example_time} at {format_cents(rate)} a minute costs
  {format_cents(example_cost)}.
- What was set aside but not used goes **straight back to your wallet**.
- The summary shows how long the reading lasted and what you paid; your history keeps it, with
  the chat transcript.

## Reviews

After a reading of at least one full minute you can review it from the summary or from your
history, within **{config["REVIEW_WINDOW_DAYS"]} days**: 1 to 5 stars and up to
{config["REVIEW_MAX_CHARS"]:,} characters. One review per reading; the reader may answer it once.

## Refunds

If something went wrong with a reading, choose **Report a problem** on it (from your readings);
see the [Refund policy](/pages/refund-policy).
A refund of a reading, in full or in part, goes back to your wallet.

## Adding money

Top up from your wallet: {presets}, or any amount from {_dollars(config["TOPUP_MIN_CENTS"])} to
{_dollars(config["TOPUP_MAX_CENTS"])}. One wallet pays for everything on SoulSeer.
""")
