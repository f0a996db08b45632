"""The first text of the content pages. Admins edit them later; seeding never overwrites an edit.

A page's text is a string, or a function of the app's configuration for a page whose numbers are
settings (How billing works): it is written with the values the site runs with when it is seeded.

help.py       the Help page, one constant per section (migrations add sections to unedited pages)
policies.py   About, Terms, Privacy, the Refund policy, the reader agreement, the disclaimer, the
              community guidelines
billing.py    How billing works, from the configuration
revisions.py  revise_unedited_page and add_help_section: a migration's change to a first text

Migrations import the texts they add from here, by name; the names stay importable from the package.
"""

from soulseer.content_pages.billing import billing_rules
from soulseer.content_pages.help import (
    HELP,
    HELP_BOOKINGS,
    HELP_BOOKINGS_0025,
    HELP_COMMUNITY,
    HELP_MESSAGES,
    HELP_PAYOUTS,
    HELP_SHOP,
    HELP_SHOP_WALLET_ONLY,
    HELP_STREAMS,
    REPORT_LINE,
    REPORT_LINE_BEFORE,
)
from soulseer.content_pages.policies import (
    ABOUT,
    COMMUNITY_GUIDELINES,
    DISCLAIMER,
    PRIVACY,
    READER_AGREEMENT,
    REFUND_POLICY,
    REFUND_SCHEDULED,
    REFUND_SCHEDULED_BEFORE,
    REFUND_SHOP,
    REFUND_SHOP_WALLET_ONLY,
    TERMS,
)
from soulseer.content_pages.revisions import HELP_CLOSING, add_help_section, revise_unedited_page

__all__ = [
    "ABOUT", "COMMUNITY_GUIDELINES", "CONTENT_PAGES", "DISCLAIMER", "HELP", "HELP_BOOKINGS", "HELP_BOOKINGS_0025",
    "HELP_COMMUNITY", "HELP_CLOSING", "HELP_MESSAGES", "HELP_PAYOUTS", "HELP_SHOP", "HELP_SHOP_WALLET_ONLY",
    "HELP_STREAMS", "PRIVACY", "READER_AGREEMENT", "REFUND_POLICY", "REFUND_SCHEDULED", "REFUND_SCHEDULED_BEFORE",
    "REFUND_SHOP", "REFUND_SHOP_WALLET_ONLY", "REPORT_LINE", "REPORT_LINE_BEFORE", "TERMS", "add_help_section",
    "billing_rules", "revise_unedited_page",
]  # fmt: skip

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
