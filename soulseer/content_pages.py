"""The first text of the content pages. Admins edit them later; seeding never overwrites an edit."""

ABOUT = """\
SoulSeer is **a community of gifted psychics**: tarot readers, mediums, astrologers and
intuitive guides who read for you live by chat, voice or video.

We make two promises.

1. **You pay for exactly what you get.** Readings are metered to the second and only while you
   and your reader are both connected. If the connection drops, the meter stops.
2. **Readers keep the majority of what they earn.** The reader's share is shown openly on every
   reader's profile.

SoulSeer is for adults (18+) and readings are for entertainment. See the
[Disclaimer](/pages/disclaimer).
"""

HELP = """\
## How do readings work?

Pick a reader who is online now, choose chat, voice or video, and start. You pay per minute
from your wallet; the reading is metered to the second and you only pay while both of you are
connected.

## How do I add money?

Open your wallet and choose an amount. Your balance is shown at the top of every page.

## What if the connection drops?

The meter stops straight away. You have two minutes to reconnect before the reading ends, and
you are only charged for the seconds you were both connected.

## Can I get a refund?

See the [Refund policy](/pages/refund-policy). If something went wrong, write to us from your
account page and we will look at the reading.

## Who can use SoulSeer?

Adults aged 18 or over. Readings are for entertainment only.
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

REFUND_POLICY = """\
- **Live readings** are billed to the second and only while both of you are connected, so you
  never pay for time you did not get.
- If a reading went wrong (a technical failure, or a reader who did not read), contact us within
  14 days and we will review it. Refunds go back to your wallet, in full or in part.
- **Scheduled readings**: cancel at least 24 hours before for a full refund; later, 50%. If the
  reader cancels or does not show within 10 minutes, you get a full refund.
- **Wallet top-ups** that were never spent can be refunded to your card on request.
"""

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

CONTENT_PAGES = {
    "about": ("About SoulSeer", ABOUT),
    "help": ("Help", HELP),
    "terms": ("Terms of use", TERMS),
    "privacy": ("Privacy", PRIVACY),
    "refund-policy": ("Refund policy", REFUND_POLICY),
    "reader-agreement": ("Reader agreement", READER_AGREEMENT),
    "disclaimer": ("Disclaimer", DISCLAIMER),
}
