"""GSM-7 or UCS-2, how many segments a text costs, and splitting long texts where a reader would pause.

A text with one character outside GSM-7 (a smart quote, an emoji) is sent as UCS-2: 70 characters a
segment instead of 160, so a 300-character reply costs 5 segments instead of 2. Typographic punctuation
that phones and word processors put in (curly quotes, dashes, ellipsis) is replaced by its plain form.
"""

from __future__ import annotations

import math
import re

# GSM 03.38 default alphabet, and the extension table whose characters take two septets each.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

MAX_SMS_CHARS = 320  # per text we send: two segments of GSM-7, about what a phone shows without scrolling

_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2022": "-",
        "\t": " ",
    }
)
# A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed by a space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+")


def plain(text: str) -> str:
    """The text with typographic punctuation replaced by its GSM-7 equivalent."""
    return text.translate(_PLAIN)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def non_gsm7(text: str) -> str:
    """The characters that force UCS-2, each once, in order of appearance."""
    return "".join(dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED))


def segments(text: str) -> int:
    """How many SMS segments the text is billed and delivered as."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2  # an emoji is two UTF-16 units
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def _sentences(line: str) -> list[str]:
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        pieces.append(line[start : match.end()].rstrip())
        start = match.end()
    pieces.append(line[start:])
    return [piece for piece in pieces if piece]


def _words(unit: str, limit: int) -> list[str]:
    """A sentence longer than `limit`, cut between words (a single longer word is cut where it must be)."""
    chunks: list[str] = []
    current = ""
    for word in unit.split(" "):
        while len(word) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = word
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int = MAX_SMS_CHARS) -> list[str]:
    """The text as messages of at most `limit` characters, broken at line ends or sentence ends where it
    can be, else between words; each message as full as it can be without breaking a sentence."""
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    if len(text) <= limit:
        return [text] if text else []
    units: list[tuple[str, str]] = []  # (separator before it, piece)
    for line in text.split("\n"):
        for i, sentence in enumerate(_sentences(line) or [""]):
            pieces = [sentence] if len(sentence) <= limit else _words(sentence, limit)
            for j, piece in enumerate(pieces):
                units.append(("\n" if i == 0 and j == 0 else " ", piece))
    messages: list[str] = []
    current = ""
    for separator, piece in units:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            if current.strip():
                messages.append(current.strip())
            current = piece
    if current.strip():
        messages.append(current.strip())
    return messages
