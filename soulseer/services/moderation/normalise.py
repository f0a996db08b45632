"""Normalising text before screening, keeping where each character came from.

Evasions that screening undoes (next-areas.md §4.3 F-9, §4.5 pitfall 2): hidden characters,
look-alike letters from other scripts, compatibility forms (fullwidth, ligatures, circled
digits), number words ("five five five ...") and letters spaced out ("v e n m o"). Every
character of the normalised text remembers the span of the original text it came from, so a
detector's hit is reported on the text exactly as it was written.
"""

import re
import unicodedata
from dataclasses import dataclass

# Cyrillic and Greek letters that look like Latin ones. A hand-made table rather than Unicode's
# whole confusables list: that list also maps digits and punctuation to letters (1 → l, 0 → O),
# which would hide phone numbers.
HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "ӏ": "l", "ү": "y", "һ": "h", "ɡ": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
        "Ү": "Y", "Һ": "H", "З": "3", "з": "3",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "γ": "y",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Typographic apostrophes and dashes, so "can’t" and "self‐harm" read like their ASCII form.
        "\u2018": "'", "\u2019": "'", "\u02bc": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip

# Spoken digits. "o" and "oh" only count next to other digits ("four one five oh ...").
NUMBER_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_NUMBER_TOKEN = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?!\w)"
# A run of at least two digits or number words, apart by spaces or phone punctuation.
_NUMBER_RUN = re.compile(
    rf"(?<!\w){_NUMBER_TOKEN}(?:[\s\-.,()/]+{_NUMBER_TOKEN})+",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
# Letters standing in for digits inside a group of digits: "555-I23-4O67".
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_DIGIT_GROUP = re.compile(r"(?<!\w)[\dOoIl]*\d[\dOoIl]*\d[\dOoIl]*(?!\w)|(?<!\w)[OoIl]+\d(?!\w)")

# Three or more single letters apart by one space, dot, dash or underscore: "v e n m o".
_SPACED_LETTERS = re.compile(r"(?<![\w.\-])[^\W\d_](?:[ .\-_][^\W\d_]){2,}(?![\w])")


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the (start, end) it came from."""

    text: str
    origin: tuple[tuple[int, int], ...]

    def original_span(self, start, end):
        """The span of the original text that produced normalised text[start:end]."""
        return self.origin[start][0], self.origin[end - 1][1]


def normalise(text):
    """NFKC, hidden characters gone, look-alikes mapped, number words as digits, letters joined."""
    chars = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        # Format characters (zero-width space/joiners U+200B–U+200D, word joiner U+2060, BOM
        # U+FEFF, soft hyphen, direction marks) and combining marks stacked on letters.
        if category in ("Cf", "Mn"):
            continue
        for folded in unicodedata.normalize("NFKC", char).translate(HOMOGLYPHS):
            chars.append((folded, (index, index + 1)))
    chars = _rewrite(chars, _DIGIT_GROUP, _lookalikes_as_digits)
    chars = _rewrite(chars, _NUMBER_RUN, _number_words_as_digits)
    chars = _rewrite(chars, _SPACED_LETTERS, _letters_joined)
    return Normalised("".join(char for char, _ in chars), tuple(span for _, span in chars))


def _rewrite(chars, pattern, replace):
    """Replace every match of pattern; replace(match_chars) returns the new (char, span) list."""
    text = "".join(char for char, _ in chars)
    rewritten, position = [], 0
    for match in pattern.finditer(text):
        rewritten.extend(chars[position : match.start()])
        rewritten.extend(replace(chars[match.start() : match.end()]))
        position = match.end()
    rewritten.extend(chars[position:])
    return rewritten


def _number_words_as_digits(run):
    text = "".join(char for char, _ in run)
    words = list(_NUMBER_WORD.finditer(text))
    if all(word.group().lower() in ("o", "oh") for word in words) and not re.search(r"\d", text):
        return run  # "oh oh" is an exclamation, not a number
    result, position = [], 0
    for word in words:
        result.extend(run[position : word.start()])
        span = (run[word.start()][1][0], run[word.end() - 1][1][1])
        result.append((NUMBER_WORDS[word.group().lower()], span))
        position = word.end()
    result.extend(run[position:])
    return result


def _lookalikes_as_digits(group):
    return [(char.translate(_DIGIT_LOOKALIKES), span) for char, span in group]


def _letters_joined(run):
    return [(char, span) for char, span in run if char not in " .-_"]
