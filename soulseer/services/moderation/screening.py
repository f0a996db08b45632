"""Automatic screening: what in a text should reach a moderator (next-areas.md §4.3 F-9, F-10).

Screening flags and never blocks (PRODUCT.md §8): `screen()` only reports hits; the caller stores
them as flags, publishes the text as written, tells the writer about the rules
(`breaks_contact_rules`) and shows a client the crisis resources (`is_self_harm`).

Detectors run on the normalised text (normalise.py) and report spans of the original text. The
test corpora of positive and negative examples for each detector are in
tests/moderation/test_screening.py; docs/moderation.md explains the choices.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import phonenumbers
from linkify_it import LinkifyIt
from markupsafe import Markup

from soulseer.services.moderation.normalise import normalise


class Detector(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    PAYMENT_APP = "payment_app"
    MESSAGING_APP = "messaging_app"
    LINK = "link"
    GUARANTEE = "guarantee"
    CURSE_REMOVAL = "curse_removal"
    SELF_HARM = "self_harm"

    @property
    def label(self):
        """What the admin queue calls it."""
        return _LABELS[self]

    @property
    def explanation(self):
        """What the writer is told, in plain words."""
        return _EXPLANATIONS[self]

    @property
    def breaks_contact_rules(self):
        """Contact details or payment outside SoulSeer (Terms, "Conduct")."""
        return self in _CONTACT_RULES


_LABELS = {
    Detector.EMAIL: "Email address",
    Detector.PHONE: "Phone number",
    Detector.PAYMENT_APP: "Payment outside SoulSeer",
    Detector.MESSAGING_APP: "Messaging outside SoulSeer",
    Detector.LINK: "Link to another site",
    Detector.GUARANTEE: "Guaranteed results",
    Detector.CURSE_REMOVAL: "Curse removal or spell offer",
    Detector.SELF_HARM: "Self-harm language",
}
_EXPLANATIONS = {
    Detector.EMAIL: "Email addresses can't be shared on SoulSeer.",
    Detector.PHONE: "Phone numbers can't be shared on SoulSeer.",
    Detector.PAYMENT_APP: "Payments must go through SoulSeer, not through other payment apps.",
    Detector.MESSAGING_APP: "Conversations must stay on SoulSeer, not move to other messaging apps.",
    Detector.LINK: "Links to other sites can't be shared on SoulSeer.",
    Detector.GUARANTEE: "Readings can't promise guaranteed results.",
    Detector.CURSE_REMOVAL: "Offers to remove curses or cast spells aren't allowed on SoulSeer.",
    Detector.SELF_HARM: "You don't have to go through this alone: support is available right now.",
}
_CONTACT_RULES = frozenset(
    {Detector.EMAIL, Detector.PHONE, Detector.PAYMENT_APP, Detector.MESSAGING_APP, Detector.LINK}
)
_ORDER = {detector: position for position, detector in enumerate(Detector)}

# F-10's text, with its emphasis. CRISIS_BANNER_TEXT is the same words without markup.
CRISIS_BANNER = Markup(
    "You don't have to go through this alone. In the US, call or text <strong>988</strong> "
    "(Suicide &amp; Crisis Lifeline) or chat at <strong>988lifeline.org</strong> — free, "
    "confidential, 24/7. If you are in immediate danger, call <strong>911</strong>. "
    "Outside the US: <strong>findahelpline.com</strong>."
)
CRISIS_BANNER_TEXT = CRISIS_BANNER.striptags()
CRISIS_LINKS = (
    ("Call 988", "tel:988"),
    ("Text 988", "sms:988"),
    ("Chat at 988lifeline.org", "https://988lifeline.org/chat"),
    ("Call 911", "tel:911"),
    ("Outside the US: findahelpline.com", "https://findahelpline.com"),
)
CONTACT_RULES_NOTICE = "Sharing contact details or paying outside SoulSeer is against the rules."


@dataclass(frozen=True)
class Hit:
    """One detector's match, as offsets into the original text (text[start:end] == matched)."""

    detector: Detector
    start: int
    end: int
    matched: str


def screen(text, allowed_hosts=()):
    """Every hit in text, ordered by start. allowed_hosts: link hosts that are not reported."""
    normalised = normalise(text)
    allowed = {_bare_host(host) for host in allowed_hosts}
    found = set()
    for detector, start, end in _detect(normalised.text, allowed):
        original_start, original_end = normalised.original_span(start, end)
        found.add(Hit(detector, original_start, original_end, text[original_start:original_end]))
    return sorted(_outermost(found), key=lambda hit: (hit.start, hit.end, _ORDER[hit.detector]))


def _outermost(hits):
    """One hit per place and detector: "money back guarantee" also contains "guarantee"."""
    kept, reach = [], {}
    for hit in sorted(hits, key=lambda hit: (_ORDER[hit.detector], hit.start, -hit.end)):
        if hit.end > reach.get(hit.detector, -1):
            kept.append(hit)
            reach[hit.detector] = hit.end
    return kept


def is_self_harm(hits):
    return any(hit.detector is Detector.SELF_HARM for hit in hits)


def breaks_contact_rules(hits):
    return any(hit.detector.breaks_contact_rules for hit in hits)


def _detect(text, allowed_hosts):
    """(detector, start, end) in the normalised text."""
    for detector, patterns in _PATTERNS.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                yield detector, match.start(), match.end()
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
        yield Detector.PHONE, match.start, match.end
    for start, end in _links(text, allowed_hosts):
        yield Detector.LINK, start, end
    for match in _ASKED_FOR.finditer(text):
        if not _SOMEONE_ELSE.search(text[max(0, match.start() - 40) : match.start()]):
            yield Detector.MESSAGING_APP, match.start(), match.end()
    for match in _GUARANTEED.finditer(text):
        if not _NEGATED.search(text[max(0, match.start() - 40) : match.start()]):
            yield Detector.GUARANTEE, match.start(), match.end()
    for match in _PRICED_SERVICE.finditer(text):
        if _PRICE.search(text[max(0, match.start() - 40) : match.end() + 40]):
            yield Detector.CURSE_REMOVAL, match.start(), match.end()


def _words(*patterns):
    """Case-insensitive, whole words."""
    return [re.compile(rf"(?<![\w$])(?:{pattern})(?!\w)", re.IGNORECASE) for pattern in patterns]


# Email: plain, or spelt out — "luna at gmail dot com", "luna [at] gmail (dot) com", "luna @ gmail".
# Bounded as addresses are (64 characters before the @, 63 per label): unbounded repeats would
# backtrack quadratically over a long run of word characters and dashes.
_LOCAL = r"[a-z0-9](?:[a-z0-9._%+\-]{0,62}[a-z0-9_])?"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\s?\.\s?)"
# Spelt-out addresses must end in a common top-level domain: "meet at noon.so" is not one.
_TLDS = "|".join(
    ["com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "us", "uk", "ca", "au", "nz", "ie",
     "de", "fr", "es", "it", "nl", "in", "app", "email", "xyz", "online", "site", "live", "icloud"]
)  # fmt: skip
_MAIL_PROVIDERS = r"g\s?mail|googlemail|hotmail|ymail|icloud|protonmail|proton\.me"
_EMAIL = _words(
    rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL}){{0,8}}\.[a-z]{{2,24}}",
    rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}{_DOT}(?:{_TLDS})",
    rf"{_LOCAL}{_AT}(?:{_MAIL_PROVIDERS})",
)

_PAYMENT = _words(
    r"venmo",
    r"cash\s?app",
    r"cash\.app",
    r"pay\s?pal(?:\.me)?",
    r"zelle",
    r"apple\s?(?:pay|cash)",
    r"(?:on|via|my|use|using|through|by)\s+chime",
    r"chime\s+(?:app|account|tag|me)",
    r"western\s+union",
    r"money\s?gram",
    r"gift\s?cards?",
    r"bitcoin|btc|usdt",
    r"crypto\s+(?:wallet|address)",
    # A cashtag: "$luna", never "$25".
    r"\$[a-z][a-z0-9_]{0,19}",
)

_MESSAGING = _words(
    r"whats\s?app",
    r"wa\.me",
    r"telegram",
    r"t\.me/\w+",
    r"snap\s?chat",
    r"instagram|insta|ig",
    r"kik",
    r"we\s?chat",
    r"discord\.gg",
    r"(?:on|via|join|add\s+me\s+on|my)\s+discord",
    r"discord\s+(?:server|app|id|username|handle|name|tag)",
    r"facebook|fb",
    r"messenger\s+me",
    r"(?:on|via)\s+messenger",
    r"tik\s?tok",
    # "I signal my intentions" is not the app.
    r"(?:on|via|over|use|using|download|add\s+me\s+on|message\s+me\s+on)\s+signal",
    r"signal\s+(?:app|me|number|id|username|handle)",
    r"dm\s+me",
    r"(?:my|our)\s+(?:phone|cell|mobile)\s+(?:number|no\.?|#)",
)
# "text me later" asks for a phone; "will he text me?" is a client asking about someone else,
# and so is "he blocked my number". "my number is 7" is numerology.
_ASKED_FOR = re.compile(
    r"(?<!\w)(?:text\s+me|my\s+number(?!\s+(?:is\s+)?\d{1,2}(?!\d))(?!\s+in\s+numerology))(?!\w)",
    re.IGNORECASE,
)
_SOMEONE_ELSE = re.compile(
    r"(?<!\w)(?:he|she|they|he'll|she'll|they'll|him|her|them|ex|boyfriend|girlfriend|husband|wife|"
    r"partner|someone|anyone|nobody|no\s+one)(?:\s+\S+){0,2}\s+$",
    re.IGNORECASE,
)

# "I guarantee it", "results guaranteed"; not "readings are not guaranteed".
_GUARANTEED = re.compile(r"(?<!\w)guarantee(?:s|d|ing)?(?!\w)", re.IGNORECASE)
_NEGATED = re.compile(
    r"(?<!\w)(?:not|no|never|nothing|cannot|can't|can\s+not|don't|won't|isn't|aren't|without)"
    r"(?:\s+\w+){0,2}\s+$",
    re.IGNORECASE,
)
_GUARANTEE = _words(
    r"100\s?(?:%|percent)\s+(?:accurate|accuracy|success|results?|real)",
    r"your\s+money\s+back",
    r"money[\s\-]back\s+(?:guarantee|promise|policy)",
)

_CURSE = r"(?:curses?|hex(?:es)?|spells?|jinx(?:es)?|black\s+magic|evil\s+eye)"
_CURSE_VERB = (
    r"(?:remov(?:e|es|ed|ing|al)|lift(?:s|ed|ing)?|break(?:s|ing)?|cast(?:s|ing)?|"
    r"revers(?:e|es|ed|ing)|cleans(?:e|es|ed|ing)|undo(?:es|ing)?)"
)
_DETERMINER = r"(?:of|off|a|an|the|your|this|that|any|all|his|her|their|these|those)"
_CURSE_REMOVAL = _words(
    rf"{_CURSE_VERB}(?:\s+{_DETERMINER})*\s+{_CURSE}",
    r"(?:curse|hex|spell|jinx)[\s\-]?(?:removal|remover|breaking|breaker|casting|caster|lifting|work)",
    r"love\s+spells?",
    r"cleansing\s+fee",
)
# Offered for a price: "candle work $50".
_PRICED_SERVICE = re.compile(r"(?<!\w)candle[\s\-]?(?:work|magic|ritual|spell)s?(?!\w)", re.IGNORECASE)
_PRICE = re.compile(r"\$\s?\d|(?<!\w)\d+(?:\.\d\d)?\s?(?:dollars|usd|bucks)(?!\w)", re.IGNORECASE)

# F-10's phrases, with their inflections and the idioms that are not about self-harm.
_SELF_HARM = _words(
    r"kill(?:ing)?\s+my\s?self",
    r"end(?:ing)?\s+my\s+(?:own\s+)?life",
    r"suicid(?:e|al)(?!\s+kings?(?!\w))",
    r"(?:want|wanted|wanting)\s+to\s+die|wanna\s+die",
    r"better\s+off\s+dead",
    r"no\s+reason\s+to\s+(?:live|go\s+on)",
    r"hurt(?:ing)?\s+my\s?self",
    r"self[\s\-]?harm(?:ing)?",
    r"cut(?:ting)?\s+my\s?self(?!\s+(?:some\s+|a\s+little\s+)?slack)(?!\s+off)(?!\s+a\s+(?:slice|piece|break))",
    r"overdos(?:e|ed|es|ing)",
)

_PATTERNS = {
    Detector.EMAIL: _EMAIL,
    Detector.PAYMENT_APP: _PAYMENT,
    Detector.MESSAGING_APP: _MESSAGING,
    Detector.GUARANTEE: _GUARANTEE,
    Detector.CURSE_REMOVAL: _CURSE_REMOVAL,
    Detector.SELF_HARM: _SELF_HARM,
}

# Links: linkify-it finds addresses with or without a scheme ("lunareadings.com/book").
_LINKIFY = LinkifyIt().tlds(
    ["app", "dev", "xyz", "site", "online", "store", "shop", "link", "live", "life", "blog",
     "page", "art", "love", "club", "world", "website", "fun", "space", "tech", "tarot"],
    True,
)  # fmt: skip
# Country domains that are English words: "you.so much" (a missing space) is not a link; with a
# path ("t.me/luna") or a scheme it is.
_WORD_TLDS = frozenset(
    {"am", "as", "at", "be", "by", "do", "go", "id", "im", "in", "is", "it", "me", "my", "no", "on", "so", "to", "us"}
)


def _links(text, allowed_hosts):
    for match in _LINKIFY.match(text) or ():
        if match.schema == "mailto:":
            continue  # the email detector reports addresses
        host = _bare_host(urlsplit(match.url).hostname or "")
        if host in allowed_hosts:
            continue
        raw = text[match.index : match.last_index]
        bare = not match.schema and not raw.lower().startswith("www.") and "/" not in raw
        if bare and host.rsplit(".", 1)[-1] in _WORD_TLDS:
            continue
        yield match.index, match.last_index


def _bare_host(host):
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")
