"""The Help page's first text, section by section. A section added after launch is written here
once and added to an unedited Help page by its migration (`revisions.add_help_section`)."""

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

HELP_COMMUNITY = """\
## The community

**Reading:** everyone can read the [Community](/community), signed in or not. Threads with the
latest replies come first; the team's pinned threads come before them.

**Writing:** sign in, open a category and choose **Start a thread** (a title of 5 to 150 characters
and 10 to 10,000 characters of text), or answer under a thread or under one of its replies.
Markdown works: `**bold**`, `*italic*`, lists, `> quotes` and links; images don't. **Preview** shows
your post as others will read it. You can edit what you wrote for 24 hours (it then shows
"edited") and delete it at any time (a short note stays in its place so the answers under it
still read). Only SoulSeer's team starts threads in Announcements; everyone can reply there.

**How often:** to keep the community calm, a new account (in its first day) can start one thread
every 2 minutes and 3 that day, reply once every 30 seconds and 10 times that day, and put up to
2 links in a post; after that, one thread every 15 seconds (20 a day) and one reply every 5
seconds. The same text twice within 5 minutes is refused. If you go faster, the page tells you
when you can post again.

**Notifications:** you are told when someone replies to your thread or answers your reply, and
when someone in a thread you take part in mentions you as `@your display name`.

**Keeping it safe:** please follow the [Community guidelines](/pages/community-guidelines). Posts
that share contact details or ask for payment outside SoulSeer are published but flagged for an
admin. A post reported by three members whose accounts are at least a week old is hidden until an
admin looks at it; a thread whose posts five such members reported takes no more replies until
then. A locked thread says why.
"""

# "How do I report something?" before the community (migration 0035 brings it up to date).
REPORT_LINE_BEFORE = "Every review, reader profile and chat message has a **Report** link."
REPORT_LINE = "Every review, reader profile, chat message, community thread and reply has a **Report** link."

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

Every review, reader profile, chat message, community thread and reply has a **Report** link. Choose what is wrong and
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
    + "\n"
    + HELP_COMMUNITY
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
