"""Buttons as numbered options in the text, and a reply of "2" (or "2.", " 2 ", "two") read as that
option's payload, for the latest question only.

How options are marked, so that a number always means what the question itself says it means:

- options whose payloads are numbers (the PHQ-9 and GAD-7 scales, 0 to 3; AUDIT-C frequency, 0 to 4) keep
  those numbers: the bot's own hints say "a number from 0 to 3", and a number typed without looking at
  the list is read the same way as on the web. Other options beside them (Skip) are named in the hint;
- options whose words start with a number that is not their position (AUDIT-C: "1 or 2", "3 or 4" drinks)
  are lettered A, B, C: a "2" there could mean either, so it goes to the question's parser as typed;
- all others are numbered 1, 2, 3 in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from bot.sms.encoding import MAX_SMS_CHARS, plain, split_text

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_LEADING_NUMBER = re.compile(r"\s*(\d+)")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SEPARATORS = re.compile(r"\s*(?:,|&|\+|\band\b|\s)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Options:
    """What a reply may be (a mark: "2", "B", or an option's own word) and the payload each one sends."""

    marks: tuple[str, ...]
    payloads: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"marks": list(self.marks), "payloads": list(self.payloads)}

    @classmethod
    def from_json(cls, data: Any) -> Optional[Options]:
        if not isinstance(data, dict):
            return None
        marks, payloads = data.get("marks"), data.get("payloads")
        if not isinstance(marks, list) or not isinstance(payloads, list) or len(marks) != len(payloads):
            return None
        return cls(tuple(str(m) for m in marks), tuple(str(p) for p in payloads))


def _integer(payload: str) -> Optional[int]:
    return int(payload) if payload.isdigit() else None


def _marks(titles: Sequence[str], payloads: Sequence[str]) -> list[str]:
    numbers = [_integer(p) for p in payloads]
    scale = [n for n in numbers if n is not None]
    if len(scale) >= 2 and len(set(scale)) == len(scale):
        return [str(n) if n is not None else title for n, title in zip(numbers, titles, strict=True)]
    for position, title in enumerate(titles, 1):
        match = _LEADING_NUMBER.match(title)
        if match and int(match.group(1)) != position:
            return list(_LETTERS[: len(titles)])
    return [str(i) for i in range(1, len(titles) + 1)]


def _hint(marks: Sequence[str], titles: Sequence[str]) -> str:
    short = [mark for mark, title in zip(marks, titles, strict=True) if mark != title]
    words = [f'"{title}"' for mark, title in zip(marks, titles, strict=True) if mark == title]
    choices = short + words
    if len(choices) == 1:
        return f"Reply {choices[0]}."
    return f"Reply {', '.join(choices[:-1])} or {choices[-1]}."


def _choices(buttons: Optional[Sequence[Mapping[str, Any]]]) -> tuple[str, Optional[Options]]:
    usable = [b for b in buttons or () if str(b.get("title") or "").strip() and b.get("payload") is not None]
    usable = usable[: len(_LETTERS)]
    if not usable:
        return "", None
    titles = [str(b["title"]).strip() for b in usable]
    payloads = [str(b["payload"]) for b in usable]
    marks = _marks(titles, payloads)
    lines = [f"{mark}) {title}" for mark, title in zip(marks, titles, strict=True) if mark != title]
    lines.append(_hint(marks, titles))
    return "\n".join(lines), Options(tuple(marks), tuple(payloads))


def render(text: str, buttons: Optional[Sequence[Mapping[str, Any]]]) -> tuple[str, Optional[Options]]:
    """The SMS text for a message and its buttons, and the options a reply may pick (None: no buttons)."""
    choices, options = _choices(buttons)
    return "\n".join(part for part in (text.strip(), choices) if part), options


def sms_texts(
    text: str, buttons: Optional[Sequence[Mapping[str, Any]]] = None, limit: int = MAX_SMS_CHARS
) -> tuple[list[str], Optional[Options]]:
    """The texts to send for a message, in plain GSM-7, each at most `limit` characters; a question's
    options stay together, in its last text, so they arrive with (or after) the question."""
    choices, options = _choices(buttons)
    body, choices = plain(text.strip()), plain(choices)
    whole = "\n".join(part for part in (body, choices) if part)
    if len(whole) <= limit:
        return ([whole] if whole else []), options
    parts = split_text(body, limit)
    if not choices:
        return parts, options
    if parts and len(parts[-1]) + 1 + len(choices) <= limit:
        parts[-1] = f"{parts[-1]}\n{choices}"
        return parts, options
    # The question is the last lines of the text: move as many of them as fit to the options' text.
    lines = parts.pop().split("\n") if parts else []
    moved: list[str] = []
    while len(lines) > 1 and len("\n".join([lines[-1], *moved, choices])) <= limit:
        moved.insert(0, lines.pop())
    if lines:
        parts.append("\n".join(lines))
    return parts + split_text("\n".join([*moved, choices]), limit), options


def _one(mark: str, options: Options) -> Optional[str]:
    mark = mark.strip().strip(".)(#\"'").strip().lower()
    if mark in _WORDS:
        mark = str(_WORDS.index(mark))
    for candidate, payload in zip(options.marks, options.payloads, strict=True):
        if candidate.lower() == mark:
            return payload
    return None


def chosen_payload(reply: str, options: Optional[Options]) -> Optional[str]:
    """The payload a reply picks from `options`, or None when it is not one of their marks. Several marks
    ("1 and 3", "1, 3") give their payloads joined by "and", for questions that take more than one
    answer; the question's parser decides whether more than one is allowed."""
    if options is None:
        return None
    single = _one(reply, options)
    if single is not None:
        return single
    marks = [m for m in _SEPARATORS.split(reply.strip()) if m]
    picked = [_one(mark, options) for mark in marks]
    if len(picked) >= 2 and all(p is not None for p in picked):
        return " and ".join(dict.fromkeys(p for p in picked if p is not None))
    return None
