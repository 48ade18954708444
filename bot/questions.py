"""The shape every screening question has, whatever asks it (instrument item or intake question).

The screening engine, the Rasa adapters and the console only ever see these types, so an instrument's
definition is the single source of its wording, answer parsing, buttons and scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Tuple

SKIPPED = "skipped"  # the stored value of a question the person chose to skip
# The stored value of a safety question the person would not answer after being asked twice ("no comment"):
# never read as no; the C-SSRS treats it as a risk a clinician must ask about (bot.instruments.cssrs).
DECLINED = "declined"


@dataclass(frozen=True)
class Choice:
    """One answer option: what is stored, what the person sees, what a button sends back."""

    value: Any  # parsed value stored in the slot and database (int for scales, str otherwise)
    label: str  # button title / option words
    payload: str  # text a button sends; the question's parser must accept it


@dataclass(frozen=True)
class Context:
    """Who the questions are about: the person themselves, or someone they ask for."""

    for_self: bool = True
    name: Optional[str] = None  # first name of the person the screening is about

    @property
    def them(self) -> str:
        return self.name or "the person you are asking about"


@dataclass(frozen=True)
class Parsed:
    """Result of reading one free-text answer. `ok` False means: ask again."""

    ok: bool
    value: Any = None
    note: str = ""  # short, kind explanation of what was not understood (never echoes the text)

    @staticmethod
    def fail(note: str = "") -> Parsed:
        return Parsed(False, None, note)


@dataclass(frozen=True)
class Question:
    """A question the bot can ask. `key` is also the Rasa slot name and the answer's database key.

    `text` is the wording for the person themselves (verbatim for validated instruments);
    `text_other` the wording when asking about someone else ({name} is filled in).
    """

    key: str
    text: str
    parse: Callable[[str], Parsed]
    text_other: Optional[str] = None
    choices: Tuple[Choice, ...] = ()
    why: str = ""  # answer to "why do you ask?"
    help: str = ""  # explanation given after repeated unclear answers
    skippable: bool = True  # safety questions are not
    instrument: Optional[str] = None  # "phq9", "gad7", "auditc", "cssrs" or None for intake
    stem: str = ""  # instrument stem shown before the item ("Over the last 2 weeks, ...")
    stem_other: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # Reads the answer when the screening is about someone else, where it differs ("mine" to "whose plan is
    # it?" is the person answering, not the participant); `parse` otherwise.
    parse_other: Optional[Callable[[str], Parsed]] = None

    def parser(self, ctx: Context) -> Callable[[str], Parsed]:
        return self.parse if ctx.for_self or self.parse_other is None else self.parse_other

    def wording(self, ctx: Context) -> str:
        """The question as the bot says it, with the stem when there is one."""
        if ctx.for_self or not self.text_other:
            stem, body = self.stem, self.text
        else:
            stem, body = self.stem_other or self.stem, self.text_other
        text = f"{stem}\n{body}" if stem else body
        return text.replace("{name}", ctx.them)
