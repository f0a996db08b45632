"""The first text of the site's fixed pages: About, Terms, Privacy, the Refund policy, the reader
agreement, the disclaimer and the community guidelines."""

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
