"""Automatic screening against its corpora (next-areas.md §4.3 F-9, F-10; docs/moderation.md).

Each detector has positive examples (with the exact spans it must report, on the text as
written) and negative ones from the life of a psychic-reading marketplace. Every positive must be
caught and no negative may be: precision and recall on these corpora are exactly 1.
"""

import time

import pytest

from soulseer.services.moderation.normalise import normalise
from soulseer.services.moderation.screening import (
    CRISIS_BANNER_TEXT,
    CRISIS_LINKS,
    Detector,
    Hit,
    breaks_contact_rules,
    is_self_harm,
    screen,
)

ZW = "\u200b"  # zero-width space
SITE = ("soulseer.app",)

# (text, the spans the detector must report, as written)
POSITIVE = {
    Detector.EMAIL: [
        ("email me at luna.star@gmail.com", ["luna.star@gmail.com"]),
        ("luna at gmail dot com", ["luna at gmail dot com"]),
        ("write to luna [at] gmail [dot] com please", ["luna [at] gmail [dot] com"]),
        ("luna(at)yahoo(dot)co(dot)uk", ["luna(at)yahoo(dot)co(dot)uk"]),
        ("reach me: LUNA AT HOTMAIL DOT COM", ["LUNA AT HOTMAIL DOT COM"]),
        ("my email is luna at gmail", ["luna at gmail"]),
        ("luna @ gmail", ["luna @ gmail"]),
        ("l u n a @ g m a i l . c o m", ["l u n a @ g m a i l . c o m"]),
        (f"luna{ZW}@gmail.com", [f"luna{ZW}@gmail.com"]),
        ("lunа@gmаil.com", ["lunа@gmаil.com"]),  # Cyrillic а
        ("luna＠gmail．com", ["luna＠gmail．com"]),  # fullwidth
    ],
    Detector.PHONE: [
        ("call 555-123-4567", ["555-123-4567"]),
        ("(415) 555 2671", ["(415) 555 2671"]),
        ("in London: +44 20 7946 0958", ["+44 20 7946 0958"]),
        ("4155552671", ["4155552671"]),
        ("4 1 5 5 5 5 2 6 7 1", ["4 1 5 5 5 5 2 6 7 1"]),
        ("five five five one two three four five six seven", ["five five five one two three four five six seven"]),
        ("call me at four one five 555 oh two six seven", ["four one five 555 oh two six seven"]),
        ("my cell is 415.555.2671, after 6", ["415.555.2671"]),
        ("+1 (415) 555-2671", ["+1 (415) 555-2671"]),
        (f"415{ZW}555{ZW}2671", [f"415{ZW}555{ZW}2671"]),
        ("555-I23-4O67", ["555-I23-4O67"]),  # letters for digits
        ("call 555-12З-4567", ["555-12З-4567"]),  # Cyrillic З for 3
    ],
    Detector.PAYMENT_APP: [
        ("pay me on venmo", ["venmo"]),
        ("my cashapp is $luna", ["cashapp", "$luna"]),
        ("send it by Cash App", ["Cash App"]),
        ("PayPal me the rest", ["PayPal"]),
        ("paypal.me/lunareads", ["paypal.me"]),
        ("zelle me $40", ["zelle"]),
        ("Apple Pay works too", ["Apple Pay"]),
        ("buy a gift card and send me the code", ["gift card"]),
        ("western union or moneygram", ["western union", "moneygram"]),
        ("bitcoin only, or USDT", ["bitcoin", "USDT"]),
        ("send it to my crypto wallet", ["crypto wallet"]),
        ("pay via chime", ["via chime"]),
        ("$LunaReads", ["$LunaReads"]),
        ("vеnmo", ["vеnmo"]),  # Cyrillic е
        ("раураl", ["раураl"]),  # Cyrillic р, а, у
        (f"ven{ZW}mo", [f"ven{ZW}mo"]),
        ("v e n m o", ["v e n m o"]),
        ("ｖｅｎｍｏ", ["ｖｅｎｍｏ"]),
    ],
    Detector.MESSAGING_APP: [
        ("text me later", ["text me"]),
        ("can you text me?", ["text me"]),
        ("DM me", ["DM me"]),
        ("add me on WhatsApp", ["WhatsApp"]),
        ("whats app me", ["whats app"]),
        ("my telegram is @luna", ["telegram"]),
        ("t.me/lunareads", ["t.me/lunareads"]),
        ("find me on insta", ["insta"]),
        ("my IG is lunareads", ["IG"]),
        ("snapchat: lunareads", ["snapchat"]),
        ("kik or wechat", ["kik", "wechat"]),
        ("join my discord", ["my discord"]),
        ("discord.gg/abc123", ["discord.gg"]),
        ("message me on facebook", ["facebook"]),
        ("I'm on messenger", ["on messenger"]),
        ("my tiktok has more", ["tiktok"]),
        ("add me on signal", ["add me on signal"]),
        ("signal me tonight", ["signal me"]),
        ("here's my number", ["my number"]),
        ("save my phone number", ["my phone number"]),
        (f"whats{ZW}app", [f"whats{ZW}app"]),
        ("WhаtsApp", ["WhаtsApp"]),  # Cyrillic а
        ("t e l e g r a m", ["t e l e g r a m"]),
        ("t.e.l.e.g.r.a.m", ["t.e.l.e.g.r.a.m"]),
        # A mention is reported too: the detector cannot tell it from an invitation (docs/moderation.md).
        ("I saw it on his Instagram", ["Instagram"]),
    ],
    Detector.LINK: [
        ("visit lunareadings.com", ["lunareadings.com"]),
        ("https://example.org/book?x=1", ["https://example.org/book?x=1"]),
        ("www.luna.me", ["www.luna.me"]),
        ("book at luna-tarot.app/book", ["luna-tarot.app/book"]),
        ("t.me/lunareads", ["t.me/lunareads"]),
        ("soulseer.app.example.com/login", ["soulseer.app.example.com/login"]),
        (f"lunareadings{ZW}.com", [f"lunareadings{ZW}.com"]),
    ],
    Detector.GUARANTEE: [
        ("100% accurate guaranteed", ["100% accurate", "guaranteed"]),
        ("results guaranteed", ["guaranteed"]),
        ("I guarantee he will come back", ["guarantee"]),
        ("money back guarantee", ["money back guarantee"]),
        ("he returns or your money back", ["your money back"]),
        ("100 percent accurate", ["100 percent accurate"]),
        ("Guaranteed love within 7 days", ["Guaranteed"]),
        (f"guar{ZW}anteed", [f"guar{ZW}anteed"]),
        ("guаranteed", ["guаranteed"]),  # Cyrillic а
    ],
    Detector.CURSE_REMOVAL: [
        ("I can remove your curse for $200", ["remove your curse"]),
        ("curse removal available", ["curse removal"]),
        ("I cast love spells", ["love spells"]),
        ("I will break the hex on your family", ["break the hex"]),
        ("spell casting for reunions", ["spell casting"]),
        ("hex removal", ["hex removal"]),
        ("let me reverse the curse", ["reverse the curse"]),
        ("candle work for $50", ["candle work"]),
        ("$75 candle ritual tonight", ["candle ritual"]),
        ("a cleansing fee of $40", ["cleansing fee"]),
        ("lifting the evil eye", ["lifting the evil eye"]),
        ("сurse removal", ["сurse removal"]),  # Cyrillic с
    ],
    Detector.SELF_HARM: [
        ("I want to end my life", ["end my life"]),
        ("I want to kill myself", ["kill myself"]),
        ("I've been feeling suicidal", ["suicidal"]),
        ("I just want to die", ["want to die"]),
        ("everyone would be better off dead", ["better off dead"]),
        ("I have no reason to live", ["no reason to live"]),
        ("I hurt myself again", ["hurt myself"]),
        ("thinking about self-harm", ["self-harm"]),
        ("I cut myself last night", ["cut myself"]),
        ("I took an overdose", ["overdose"]),
        ("kill my self", ["kill my self"]),
        (f"k{ZW}ill myself", [f"k{ZW}ill myself"]),
        ("suicidе", ["suicidе"]),  # Cyrillic е
        ("I wanna die", ["wanna die"]),
    ],
}

# Texts in which the detector must find nothing.
NEGATIVE = {
    Detector.EMAIL: [
        "I'm at the bank",
        "I'll be at home at noon",
        "look at the tower card",
        "the reading at 3pm went well",
        "we were at sea.so calm",
        "@luna thank you!",
        "email me through SoulSeer messages",
    ],
    Detector.PHONE: [
        "born in 1987",
        "my ex's birthday is 1987",
        "$1,234.56",
        "order #20260308",
        "$25 for a 30 minute reading",
        "it costs $4.99 a minute",
        "I was born on 12/07/1987 at 3:15 am",
        "we talked for 45 minutes on 3 March 2026",
        "3 of cups, 10 of swords and 2 of wands",
        "my life path number is 7",
        "card number 4242 4242 4242 4242",
        "I paid 1234.56 yesterday",
        "ref 2026-03-08",
        "top up $100 and get 2 free minutes",
        "single for two years, since 2019",
        "one or two questions",
    ],
    Detector.PAYMENT_APP: [
        "$25",
        "cash is tight",
        "I'm at the bank",
        "the wind chime rang",
        "I paid from my SoulSeer wallet",
        "the Pentacles are about money",
        "it was a gift from my mother",
        "a card reading",
        "US$40 is fine",
    ],
    Detector.MESSAGING_APP: [
        "I signal my intentions",
        "there is discord in your family",
        "will he text me back?",
        "my ex won't text me",
        "he blocked my number",
        "my number is 7",
        "what is my number in numerology?",
        "he texted me yesterday",
        "the Hermit asks for time alone",
        "a big sign of change",
    ],
    Detector.LINK: [
        "see https://soulseer.app/readers/luna",
        "https://www.soulseer.app/help",
        "I love you.so much",
        "I am so tired.Maybe tomorrow",
        "e.g. the tower",
        "3.5 stars",
    ],
    Detector.GUARANTEE: [
        "readings are not guaranteed",
        "I can’t guarantee the outcome",
        "no reader can guarantee the future",
        "nothing is guaranteed in love",
        "I want my money back",
        "the cards were accurate",
    ],
    Detector.CURSE_REMOVAL: [
        "the tower card means sudden change",
        "a dry spell in my love life",
        "how do you spell your name?",
        "I think someone put a curse on me",
        "break the cycle",
        "I lit a candle for my grandmother",
        "I love candle work",
        "the Devil card is about feeling stuck",
    ],
    Detector.SELF_HARM: [
        "I'm dying to know",
        "this deck is killer",
        "the Death card means transformation",
        "you killed it, thank you!",
        "I need to cut myself some slack",
        "I cut myself off from him",
        "the suicide king in my spread",
        "I'm dead tired",
        "I could die laughing",
    ],
}

# Everyday messages on a reading marketplace: no detector may fire on them.
CLEAN = [
    "The tower card means sudden change, not disaster.",
    "my ex's birthday is 1987",
    "$25 for a 30 minute reading",
    "cash is tight",
    "I signal my intentions",
    "this deck is killer",
    "I'm at the bank",
    "$25",
    "I'm dying to know",
    "Thank you Luna, the reading was spot on!",
    "Will he text me back?",
    "The Three of Cups and the Ten of Pentacles came up.",
    "I was born on 12/07/1987 at 3:15 am",
    "order #20260308",
    "$1,234.56",
    "Readings are for entertainment and are not guaranteed.",
    "Let's continue tomorrow at 9",
    "My life path number is 7",
    "I lit a candle for my grandmother",
    "a dry spell",
    "I need to cut myself some slack",
    "the suicide king",
    "I love you.so much",
    "one or two questions, oh and the Moon card",
]


def _cases(corpus):
    return [
        pytest.param(detector, *case, id=f"{detector}-{index}")
        for detector, cases in corpus.items()
        for index, case in enumerate(cases)
    ]


def _spans(detector, text, hits):
    """Each hit of detector as written; its offsets must point at exactly that text."""
    for hit in hits:
        assert text[hit.start : hit.end] == hit.matched
    return [hit.matched for hit in hits if hit.detector is detector]


@pytest.mark.parametrize(("detector", "text", "expected"), _cases(POSITIVE))
def test_every_positive_is_caught_at_its_span(detector, text, expected):
    assert _spans(detector, text, screen(text, SITE)) == expected


@pytest.mark.parametrize(
    ("detector", "text"), [pytest.param(d, t, id=f"{d}-{i}") for d, ts in NEGATIVE.items() for i, t in enumerate(ts)]
)
def test_no_negative_is_caught(detector, text):
    assert _spans(detector, text, screen(text, SITE)) == []


@pytest.mark.parametrize("text", CLEAN)
def test_everyday_messages_are_clean(text):
    assert screen(text, SITE) == []


def test_precision_and_recall_on_the_corpora_are_exact():
    missed, false = [], []
    for detector, cases in POSITIVE.items():
        for text, expected in cases:
            if _spans(detector, text, screen(text, SITE)) != expected:
                missed.append((detector, text))
    for detector, texts in NEGATIVE.items():
        for text in texts:
            if _spans(detector, text, screen(text, SITE)):
                false.append((detector, text))
    false += [(None, text) for text in CLEAN if screen(text, SITE)]
    assert (missed, false) == ([], [])
    # Every detector has a corpus of both kinds.
    assert set(POSITIVE) == set(NEGATIVE) == set(Detector)


def test_offsets_are_on_the_text_as_written_through_evasions():
    text = f"Hi! Call 4{ZW}1{ZW}5 555 2671 or write to lunа@gmаil.com"
    hits = screen(text)
    assert hits == [
        Hit(Detector.PHONE, 9, 23, f"4{ZW}1{ZW}5 555 2671"),
        Hit(Detector.EMAIL, 36, 50, "lunа@gmаil.com"),
    ]


def test_number_words_map_to_the_words_they_came_from():
    text = "ring five five five one two three four five six seven!"
    [hit] = screen(text)
    assert (hit.detector, hit.start, hit.end) == (Detector.PHONE, 5, 53)
    assert hit.matched == "five five five one two three four five six seven"


def test_hits_are_ordered_by_start_and_deterministic():
    text = "I guarantee it: venmo $luna or text me at 555-123-4567, see luna.com"
    hits = screen(text)
    assert [hit.start for hit in hits] == sorted(hit.start for hit in hits)
    assert [hit.detector for hit in hits] == [
        Detector.GUARANTEE,
        Detector.PAYMENT_APP,
        Detector.PAYMENT_APP,
        Detector.MESSAGING_APP,
        Detector.PHONE,
        Detector.LINK,
    ]
    assert screen(text) == hits


def test_one_hit_per_place_for_a_detector():
    # "guarantee" inside "money back guarantee" is not reported twice.
    assert screen("money back guarantee") == [Hit(Detector.GUARANTEE, 0, 20, "money back guarantee")]


def test_links_on_allowed_hosts_are_not_reported():
    text = "my profile: https://soulseer.app/readers/luna and lunareadings.com"
    assert [hit.matched for hit in screen(text, ("soulseer.app",))] == ["lunareadings.com"]
    assert [hit.matched for hit in screen(text, ("SoulSeer.app",))] == ["lunareadings.com"]
    # Without an allow-list every link is reported.
    assert [hit.matched for hit in screen(text)] == ["https://soulseer.app/readers/luna", "lunareadings.com"]


def test_self_harm_and_contact_rules_are_told_apart():
    assert is_self_harm(screen("I want to end my life"))
    assert not breaks_contact_rules(screen("I want to end my life"))
    assert breaks_contact_rules(screen("pay me on venmo"))
    assert not is_self_harm(screen("pay me on venmo"))
    for text in ("I can remove your curse for $200", "100% accurate"):
        assert not breaks_contact_rules(screen(text))
    assert not is_self_harm([]) and not breaks_contact_rules([])
    contact = {d for d in Detector if d.breaks_contact_rules}
    assert contact == {Detector.EMAIL, Detector.PHONE, Detector.PAYMENT_APP, Detector.MESSAGING_APP, Detector.LINK}


def test_every_detector_has_a_short_name_a_label_and_an_explanation():
    for detector in Detector:
        assert detector.value == detector.name.lower()
        assert detector.label and detector.explanation.endswith(".")
    assert Detector("phone") is Detector.PHONE


@pytest.mark.parametrize(
    "text",
    [
        "x@" + "ab-" * 3000,
        "a.b_c+" * 2000 + " at gmail",
        "5O5-" * 2000,
        "a at b dot " * 1000,
        "a" + " " * 10000 + "x",
        "1" + " -" * 5000 + "x",
        "lorem ipsum dolor sit amet " * 400,
        "pay me on venmo, text me " * 400,
    ],
    ids=["dashes-after-at", "local-parts", "digit-lookalikes", "spelt-out", "spaces", "separators", "prose", "hits"],
)
def test_long_hostile_text_is_screened_in_linear_time(text):
    # About 10,000 characters, the longest a forum post may be. Unbounded repeats in the email
    # pattern once took over 2 s on the first of these; bounded, each takes well under 0.2 s.
    # The process's CPU time, not the wall clock: on a machine shared with other runs (load 20)
    # the wall clock counts the wait for a core (1.05 s seen), which says nothing of the pattern.
    started = time.process_time()
    screen(text)
    assert time.process_time() - started < 1.0


def test_normalisation():
    assert normalise(f"pay{ZW}pal\u2060 \ufeffрауpal").text == "paypal paypal"
    assert normalise("ｖｅｎｍｏ ①②③").text == "venmo 123"
    assert normalise("v\u0301enmo").text == "venmo"  # a combining mark stacked on a letter
    assert normalise("five five five one").text == "5 5 5 1"
    # Number words alone are words: "one of these days", "oh oh".
    assert normalise("one of these days, oh oh").text == "one of these days, oh oh"
    assert normalise("I can’t").text == "I can't"
    normalised = normalise(f"a{ZW}b five six")
    assert normalised.text == "ab 5 6"
    assert normalised.original_span(0, 2) == (0, 3)
    assert normalised.original_span(3, 6) == (4, 12)


def test_the_crisis_banner_is_f10s_text():
    assert CRISIS_BANNER_TEXT == (
        "You don't have to go through this alone. In the US, call or text 988 (Suicide & Crisis "
        "Lifeline) or chat at 988lifeline.org — free, confidential, 24/7. If you are in immediate "
        "danger, call 911. Outside the US: findahelpline.com."
    )
    assert [href for _, href in CRISIS_LINKS] == [
        "tel:988",
        "sms:988",
        "https://988lifeline.org/chat",
        "tel:911",
        "https://findahelpline.com",
    ]
