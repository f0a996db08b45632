"""The first text of the content pages. Admins edit them later; seeding never overwrites an edit.

A page's text is a string, or a function of the app's configuration for a page whose numbers are
settings (How billing works): it is written with the values the site runs with when it is seeded.
"""

import math
import re

import sqlalchemy as sa

from soulseer.money import format_cents

ABOUT = """\
SoulSeer is **a community of gifted psychics**: tarot readers, mediums, astrologers and
intuitive guides who read for you live by chat, and by voice or video call where a reader
offers one.

We make two promises.

1. **You pay for exactly what you get.** Readings are metered to the second and only while you
   and your reader are both connected. If the connection drops, the meter stops.
2. **Readers keep the majority of what they earn.** The reader's share is shown openly on every
   reader's profile.

SoulSeer is for adults (18+) and readings are for entertainment. See the
[Disclaimer](/pages/disclaimer).
"""

# Added by migration 0016_b to a Help page nobody has edited (docs/messages.md).
HELP_MESSAGES = """\
## Messages and paid replies

**Clients:** write to a reader from their page (**Message**); writing is free. For each answer the
reader chooses free or a price from $0.50 to $100. A paid reply shows who wrote it, how many words
it has and its price, and you read it only if you choose **Unlock**, which pays from your wallet
(the reader keeps their share). Unlocking again never charges again, and a reply the reader
withdraws costs nothing. If a paid reply did not answer your question, choose **Report this paid
reply** within 72 hours of unlocking it: SoulSeer's admins look at it and can refund it to your
wallet.

**Readers:** answer any client who writes to you, and write to clients you have read for from
**Your readings**. For each reply choose free or a price; until the client unlocks it you may
withdraw it, and once unlocked it can never be changed. Your dashboard shows who is waiting for
an answer, and your paid replies' figures.
"""

HELP_STREAMS = """\
## Live streams and gifts

**Viewers:** readers who are live now are on the **Live** page, with the streams they have
announced (choose **Remind me** to be told 15 minutes before and when one starts). Open a stream
to watch, chat and send gifts from your wallet (a Rose is $1, a Diamond $25); the reader keeps her
share of each gift and everyone in the stream sees it arrive, with your name or, if you tick
**Send anonymously**, as "Anonymous". A double tap sends one gift, never two, and a gift of $25 or
more asks you to tap again to be sure. The **Top gifters** board shows who gave most in this
stream. A **premium** stream has an entry price: it is set aside from your wallet and paid to the
reader only once the stream has run 5 minutes; you get it all back if the stream is cancelled,
has not started 30 minutes after its time, or ends within 5 minutes, and you may leave and come
back without paying again. A **private** stream is for the clients its reader invites: only they
see it, and you are told when she invites you and when it starts. Report any chat line that
breaks the rules. A reader (or our team) may mute you in a stream — you still watch, but your
messages are not sent — or remove you from it, and then you cannot watch that stream.

**Readers:** from your dashboard choose **Go live or schedule a stream**: give it a title, public,
premium (with an entry price from $1 to $50) or private, and, if you like, a start time. For a
private stream, invite up to 20 of your clients from your studio — those you have read for and
those who keep you among their favourites. Your studio shows your camera; press **Go live** when
you are ready (from 10 minutes before the time you announced), and **End the stream** when you are
done. While you are live, clients cannot request readings from you. You can remove lines from your
stream's chat, and from a viewer's line **Mute** her (she watches but cannot write) or **Ban** her
(she can no longer watch this stream); the list under the chat lets her back. Streaming needs the
site's video service: if it is not set up, the Live page says so.
"""

# Added by migration 0023 to a Help page nobody has edited (docs/shop.md).
# Migration 0033_b replaces HELP_SHOP_WALLET_ONLY (the text 0023 added) with HELP_SHOP on an unedited
# Help page: paying by card.
HELP_SHOP_WALLET_ONLY = """\
## The shop

The [shop](/shop) sells guides, audio, courses and spreads you download, and crystals and tools
SoulSeer ships to you. **Buy now** pays from your wallet; if it is short, top up right there and
press **Pay** again. Your purchases are in [your orders](/orders).

**Downloads:** you can download each digital purchase 5 times within 24 hours of your first
download (the 24 hours start when you first download, not when you buy). Each link works for a
few minutes: go back to your order for a new one.

**Shipped goods** go to the address you give with your order; you get a notification with the
carrier and tracking number when it leaves. Only SoulSeer sells physical goods, so a reader never
sees your address.

**A problem with an order** (it has not arrived, it is damaged, the download does not work)?
Open the order and choose **Report a problem with this order**: SoulSeer's admins look at it and
can cancel, refund or give you a fresh set of downloads.
"""
HELP_SHOP = """\
## The shop

The [shop](/shop) sells guides, audio, courses and spreads you download, and crystals and tools
SoulSeer ships to you. **Buy now** pays from your wallet; if it is short, top up right there and
press **Pay** again. Or choose **Pay by card** and pay on Stripe's secure payment page: what you
buy is kept for you for 30 minutes while you pay, and your order is confirmed as soon as the payment
is. Your purchases are in [your orders](/orders).

**Downloads:** you can download each digital purchase 5 times within 24 hours of your first
download (the 24 hours start when you first download, not when you buy). Each link works for a
few minutes: go back to your order for a new one.

**Shipped goods** go to the address you give with your order (paying by card, you give it on the
payment page); you get a notification with the carrier and tracking number when it leaves. Only
SoulSeer sells physical goods, so a reader never sees your address.

**A problem with an order** (it has not arrived, it is damaged, the download does not work)?
Open the order and choose **Report a problem with this order**: SoulSeer's admins look at it and
can cancel, refund or give you a fresh set of downloads.
"""

# Added by migration 0025 to a Help page nobody has edited (docs/bookings.md); migration
# 0032_bookings_calendar_feeds revises it there to HELP_BOOKINGS (the client's zone, the calendar
# feed, "Busy — scheduled reading").
HELP_BOOKINGS_0025 = """\
## Scheduled readings

**Clients:** on a reader's page choose **Book a time**. Times are shown in your own time zone,
with the reader's beside them. You pay the price when you book; it is held, not yet the
reader's. Cancel at least 24 hours before the start and all of it comes back to your wallet;
later, half is kept. If the reader cancels or has not joined 10 minutes after the start, all of
it comes back. If you have not joined 10 minutes after the start, it counts as a late
cancellation. The room opens 5 minutes before the start; you get a reminder a day before and 15
minutes before, and a calendar file by email. Your bookings are under **Bookings**.

**Readers:** open **Your availability** from your dashboard: your time zone, your hours for each
weekday, dates that differ, the lengths you offer and their prices. Clients book inside those
hours and pay up front; you are told at once. Join the room at the time: a reading you end
early gives the client back the part not delivered, and a booking you cancel or miss gives
everything back and counts on your record.
"""
HELP_BOOKINGS = """\
## Scheduled readings

**Clients:** on a reader's page choose **Book a time**. Times are shown in your own time zone,
with the reader's beside them: SoulSeer takes your zone from your browser the first time, and you
can change it on the booking page or in [your account](/account). You pay the price when you
book; it is held, not yet the reader's. Cancel at least 24 hours before the start and all of it
comes back to your wallet; later, half is kept. If the reader cancels or has not joined 10 minutes
after the start, all of it comes back. If you have not joined 10 minutes after the start, it
counts as a late cancellation. The room opens 5 minutes before the start; you get a reminder a day
before and 15 minutes before, and a calendar file by email.

Your bookings are under **Bookings**. There you can also turn on a **calendar feed**: a private
address your calendar app subscribes to, which shows your upcoming bookings (calendar apps refresh
it on their own schedule, Google Calendar sometimes only once a day). Keep the address to
yourself; if someone else has it, get a new one there and the old one stops working.

**Readers:** open **Your availability** from your dashboard: your time zone, your hours for each
weekday, dates that differ, the lengths you offer and their prices. Clients book inside those
hours and pay up front; you are told at once. From 5 minutes before a booked reading you show as
**Busy — scheduled reading** and clients cannot ask you for a live reading until it ends. Join
the room at the time: a reading you end early gives the client back the part not delivered, and
a booking you cancel or miss gives everything back and counts on your record. The calendar feed
is under **Bookings** for you too.
"""
# Migration 0025 replaces this line of an unedited Refund policy with the one in REFUND_POLICY.
REFUND_SCHEDULED_BEFORE = """\
- **Scheduled readings**: cancel at least 24 hours before for a full refund; later, 50%. If the
  reader cancels or does not show within 10 minutes, you get a full refund.
"""
REFUND_SCHEDULED = """\
- **Scheduled readings** are paid when you book and held until the reading. Cancel at least 24
  hours before the start for a full refund; later, half the price is kept (rounded in your
  favour). If the reader cancels, or has not joined 10 minutes after the start, you get a full
  refund. If you have not joined 10 minutes after the start, it counts as a late cancellation. If
  the reader ends the reading early, the part not delivered comes back to you.
"""

# Added by migration 0026 to a Help page nobody has edited (docs/payouts.md).
HELP_PAYOUTS = """\
## Getting paid (readers)

Everything you earn on SoulSeer is on your **Payouts** page, reached from your dashboard, with the
ledger lines behind each figure. SoulSeer pays you through **Stripe**: choose **Set up payouts**
and Stripe asks for your legal name, date of birth, home address, the last four digits of your
Social Security number and your bank account, and keeps them; SoulSeer never sees your bank
details. Payouts are for readers in the United States for now.

Earnings **clear after 3 days**, which leaves time for a client's report or a refund; a reading a
client reported waits until SoulSeer's admins have looked at it. Once **$15** or more is
available, SoulSeer sends it to your Stripe account **every day from 14:00 UTC, free**, or when
you choose **Pay me now** (once a day). Stripe then pays it into your bank. If a payout does not
go through, the money is back in your earnings and your Payouts page says why. If Stripe cannot
pay your bank, fix your bank details from **Open your Stripe dashboard**. Your dashboard shows
what you were paid out this year, for your taxes; Stripe collects your tax details.
"""

HELP = (
    """\
## How do readings work?

Pick a reader who is online now, choose chat (or a voice or video call, where the reader offers
one), and start. You pay per minute
from your wallet; the reading is metered to the second and you only pay while both of you are
connected.

The [How billing works](/pages/how-billing-works) page explains every rule of the meter.

## How do I add money?

Open your wallet and choose an amount. Your balance is shown at the top of every page.

## What if the connection drops?

The meter stops straight away. You have two minutes to reconnect before the reading ends, and
you are only charged for the seconds you were both connected.

## Can I get a refund?

See the [Refund policy](/pages/refund-policy). If something went wrong with a reading, open it
from [your readings](/readings/history) and choose **Report a problem**: it goes straight to
SoulSeer's admins, who look at the reading and can refund it to your wallet.

## How do I report something?

Every review, reader profile and chat message has a **Report** link. Choose what is wrong and
tell us in a few words; only SoulSeer's admins read it, and the person you report is not told who
reported them. Sharing contact details or paying outside SoulSeer is against the rules: SoulSeer
can't refund or protect a payment made elsewhere.

"""
    + HELP_BOOKINGS
    + "\n"
    + HELP_MESSAGES
    + "\n"
    + HELP_STREAMS
    + "\n"
    + HELP_SHOP
    + "\n"
    + HELP_PAYOUTS
    + """
## If you are struggling

You don't have to go through this alone. In the US, call or text **988** (Suicide & Crisis
Lifeline) or chat at **988lifeline.org** — free, confidential, 24/7. If you are in immediate
danger, call **911**. Outside the US: **findahelpline.com**.

[Call 988](tel:988) · [Text 988](sms:988) · [Chat at 988lifeline.org](https://988lifeline.org/chat) ·
[Call 911](tel:911) · [Find a helpline outside the US](https://findahelpline.com)

## Who can use SoulSeer?

Adults aged 18 or over. Readings are for entertainment only.
"""
)

TERMS = """\
These terms apply to everyone who uses SoulSeer.

## Who may use SoulSeer

You must be at least 18 years old. You are responsible for keeping your sign-in details safe.

## Readings

Readings are provided by independent readers and are for **entertainment purposes only**. They
are not medical, legal, financial or psychological advice. Do not make important decisions on
the strength of a reading alone.

## Money

Your wallet holds prepaid funds in US dollars. Live readings are charged per minute, metered to
the second, only while both sides are connected. Prices are shown before you start. Refunds are
handled under the [Refund policy](/pages/refund-policy).

## Conduct

Be respectful. Do not share contact details or ask to pay outside SoulSeer. We may suspend
accounts that break these terms.

## Changes

We may update these terms. The version you accepted is recorded with your account, and we will
ask you to accept a new version before you continue.
"""

PRIVACY = """\
We collect what we need to run SoulSeer: your account details, your wallet and its history,
and the readings and messages you take part in.

- Readers see clients by display name only. Contact details are never shown to the other side.
- Payments are processed by Stripe; we never store card numbers.
- You can download everything we hold about you, or delete your account, from your account page.
  Deleting your account removes your personal data; records the law or the other party needs,
  such as the money history, are kept in anonymised form.
- We use cookies only to keep you signed in and to protect forms.
"""

# Added by migration 0023 to a Refund policy nobody has edited (docs/shop.md).
# Migration 0033_b replaces REFUND_SHOP_WALLET_ONLY (0023's line) with REFUND_SHOP on an unedited page.
REFUND_SHOP_WALLET_ONLY = """\
- **Shop orders**: open the order and choose **Report a problem with this order**; an admin
  will review it. An order that has not shipped can be cancelled and refunded in full; a download
  that does not work, or goods that arrive damaged, can be refunded in full or in part, and goods
  that have shipped are refunded once their return arrives. Refunds go back to your wallet, and a
  refunded download stops working.
"""
REFUND_SHOP = """\
- **Shop orders**: open the order and choose **Report a problem with this order**; an admin
  will review it. An order that has not shipped can be cancelled and refunded in full; a download
  that does not work, or goods that arrive damaged, can be refunded in full or in part, and goods
  that have shipped are refunded once their return arrives. Refunds go back the way you paid: to
  your wallet, or to your card (your bank may take 5 to 10 days to show it). A refunded download
  stops working.
"""

REFUND_POLICY = (
    """\
- **Live readings** are billed to the second and only while both of you are connected, so you
  never pay for time you did not get.
- If a reading went wrong (a technical failure, or a reader who did not read), open it from
  [your readings](/readings/history) and choose **Report a problem** within 14 days: an admin
  will review it. Refunds go back to your wallet, in full or in part.
"""
    + REFUND_SCHEDULED
    + REFUND_SHOP
    + """\
- **Wallet top-ups** that were never spent can be refunded to your card on request.
"""
)

READER_AGREEMENT = """\
This agreement applies to readers who offer readings on SoulSeer.

- You are an independent reader, not an employee of SoulSeer.
- You keep the majority of what you earn. Your share is shown on your profile; the platform
  keeps the rest to run the service.
- Readings are for entertainment. Never promise guaranteed outcomes, offer curse removal,
  or give medical, legal or financial advice.
- Never ask clients for contact details or payment outside SoulSeer.
- If a client talks about harming themselves, point them to the crisis resources we show and
  end the reading if needed.
- Earnings are paid out through Stripe Connect once your available balance reaches the payout
  threshold.
"""

DISCLAIMER = """\
SoulSeer is for adults aged **18 or over**.

Readings are for **entertainment purposes only**. They are not a substitute for professional
medical, legal, financial or psychological advice. Readers cannot guarantee outcomes.

If you are in crisis or thinking about harming yourself, please contact your local emergency
number or a crisis line straight away.
"""

COMMUNITY_GUIDELINES = """\
The community is a place to talk about readings, spiritual growth and life, with other members
and with SoulSeer's readers. Everyone can read it; please write as if the person you answer were
in front of you.

## Be kind

- Disagree with ideas, not with people. No insults, harassment, hate or threats.
- Share your own experience. Readings are for **entertainment purposes only**: no medical, legal or
  financial advice, and no promises of results.

## Keep it on SoulSeer

- Do not post contact details (email addresses, phone numbers, other apps) or ask to be paid
  outside SoulSeer. Posts that do are flagged for an admin and may be removed.
- No advertising, no "guaranteed" results, no curse-removal or spell-casting offers.

## If you are struggling

If you are thinking about harming yourself, you don't have to go through this alone. In the US,
call or text **988** (Suicide & Crisis Lifeline) or chat at **988lifeline.org**. If you are in
immediate danger, call **911**. Outside the US: **findahelpline.com**.

## Reporting

Use "Report" under any thread or reply that breaks these guidelines. SoulSeer's admins read every
report. A post reported by several members is hidden until an admin decides; a thread reported by
many is closed to new replies.
"""


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


CONTENT_PAGES = {
    "about": ("About SoulSeer", ABOUT),
    "help": ("Help", HELP),
    "how-billing-works": ("How billing works", billing_rules),
    "terms": ("Terms of use", TERMS),
    "privacy": ("Privacy", PRIVACY),
    "refund-policy": ("Refund policy", REFUND_POLICY),
    "reader-agreement": ("Reader agreement", READER_AGREEMENT),
    "disclaimer": ("Disclaimer", DISCLAIMER),
    "community-guidelines": ("Community guidelines", COMMUNITY_GUIDELINES),
}


# Where a migration puts a new Help section: before the closing sections every version of the page ends with.
HELP_CLOSING = "## If you are struggling"


def revise_unedited_page(conn, slug, old, new, *, unless=None):
    """A migration's change to a page's first text: `old` becomes `new` once, on a page no admin has
    edited (still version 1, updated by nobody) that has `old` and not yet `unless`. An edited page
    keeps the admin's words; running the migration again changes nothing."""
    body = conn.execute(
        sa.text("SELECT body_markdown FROM content_pages WHERE slug = :slug AND updated_by_id IS NULL AND version = 1"),
        {"slug": slug},
    ).scalar_one_or_none()
    if body is None or old not in body or (unless is not None and unless in body):
        return
    conn.execute(
        sa.text("UPDATE content_pages SET body_markdown = :body WHERE slug = :slug"),
        {"body": body.replace(old, new, 1), "slug": slug},
    )


def add_help_section(conn, section, *, before=HELP_CLOSING):
    """A migration's new section of an unedited Help page, before the heading `before`, once."""
    heading = section.split("\n", 1)[0]
    revise_unedited_page(conn, "help", before, section + "\n" + before, unless=heading)
