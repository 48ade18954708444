"""How the intake team can reach the person: the phone number (widget and REST only: a text conversation
already has one), whether a voicemail or a text is OK, and the best time to call.

The bot never promises a call it cannot make: without a number, the person is told how to reach the program
instead. The number itself is a secret (`meta["secret"]`): the actions store it encrypted, never as an
answer's value or raw text.
"""

from __future__ import annotations

from typing import Optional

import phonenumbers

from bot.intake.matching import PhraseTable, readable
from bot.intake.schedule import parse_times
from bot.parsing import find_phrases
from bot.questions import SKIPPED, Choice, Parsed, Question

REGION = "US"
GIVEN = "given"  # what the slot and the answer row hold once the number is stored encrypted
_NO_PHONE = (
    "no",
    "nope",
    "nah",
    "none",
    "no phone",
    "no number",
    "don't have one",
    "dont have one",
    "don't have a phone",
    "dont have a phone",
    "no thanks",
    "no thank you",
    "i'd rather not",
    "rather not",
    "not comfortable",
    "don't call",
    "dont call",
    "do not call",
    "please don't call",
    "skip",
)
NUMBER_NOTE = (
    "That doesn't look like a full phone number. Please type it with the area code, like 503-555-0123, "
    'or say "no" if you\'d rather not share one.'
)

CONTACT_OK = ("voicemail_and_text", "voicemail", "text", "call_only")
_OK = PhraseTable(
    {
        "voicemail_and_text": (
            "both",
            "both are ok",
            "both ok",
            "either",
            "either is fine",
            "either one",
            "any",
            "all good",
            "yes",
            "yeah",
            "yep",
            "sure",
            "ok",
            "okay",
            "fine",
            "that's fine",
            "voicemail and text*",
            "voicemail or text*",
            "texts and voicemail*",
        ),
        "voicemail": (
            "voicemail*",
            "voice mail*",
            "leave a message",
            "message is ok",
            "voicemail only",
            "no text*",
            "don't text",
            "dont text",
            "not text*",
        ),
        "text": (
            "text*",
            "texting",
            "sms",
            "text only",
            "texts only",
            "no voicemail*",
            "don't leave a message",
            "no message*",
            "not voicemail*",
        ),
        "call_only": (
            "neither",
            "none",
            "no",
            "nope",
            "just call",
            "call only",
            "only call",
            "calls only",
            "no voicemail or text*",
            "no voicemails or texts",
            "no messages",
            "neither please",
        ),
    },
    negators=frozenset(),
)


def _number(text: str) -> Optional[str]:
    """The one phone number in the text, in E.164; possible rather than valid, so that new and fictional
    (555-01xx) numbers are taken."""
    found = {
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.POSSIBLE)
        # A local-only number ("555-0123") cannot be dialled without its area code.
        if phonenumbers.is_possible_number_with_reason(match.number) == phonenumbers.ValidationResult.IS_POSSIBLE
    }
    return found.pop() if len(found) == 1 else None


def parse_phone(text: str) -> Parsed:
    clean = readable(text)
    if not clean:
        return Parsed.fail(NUMBER_NOTE)
    number = _number(clean)
    if number is not None:
        return Parsed(True, number)
    if find_phrases(clean, _NO_PHONE) and not any(c.isdigit() for c in clean):
        return Parsed(True, SKIPPED)
    return Parsed.fail(NUMBER_NOTE)


def parse_contact_ok(text: str) -> Parsed:
    clean = readable(text)
    found = _OK.match(clean).found if clean else frozenset()
    # The most specific wins: "no voicemail, texts are fine" names text; "voicemail only" names voicemail.
    for option in ("call_only", "voicemail", "text"):
        if found == {option} or (option != "call_only" and found == {option, "voicemail_and_text"}):
            return Parsed(True, option)
    if found == {"voicemail_and_text"} or found == {"voicemail", "text"}:
        return Parsed(True, "voicemail_and_text")
    return Parsed.fail("Is a voicemail OK, a text, both, or neither (just a call)?")


def parse_call_times(text: str) -> Parsed:
    parsed = parse_times(text)
    if parsed.ok:
        return parsed
    return Parsed.fail("Which is best for a call: mornings, afternoons or evenings? Or say any time.")


_WHY = "So our intake team can call you about the assessment, the way and at the time that suits you."
CONTACT: dict[str, Question] = {
    question.key: question
    for question in (
        Question(
            key="contact_phone",
            text="What's the best phone number for our intake team to reach you? "
            "Or say no if you'd rather not share one.",
            text_other="What's the best phone number for our intake team to reach you about {name}? Or say no if "
            "you'd rather not share one.",
            parse=parse_phone,
            why=_WHY,
            help="Type the number with its area code, like 503-555-0123. It's kept encrypted and used only by our "
            "intake team.",
            meta={"secret": True},
        ),
        Question(
            key="contact_ok",
            text="If we can't reach you, is it OK for our team to leave a voicemail or send a text to your number?",
            parse=parse_contact_ok,
            choices=(
                Choice("voicemail_and_text", "Both are OK", "both"),
                Choice("voicemail", "Voicemail only", "voicemail"),
                Choice("text", "Text only", "text"),
                Choice("call_only", "Neither, just call", "neither"),
            ),
            why="Some people share a phone or voicemail, so we ask before leaving a message.",
            help="Say both, voicemail, text, or neither.",
        ),
        Question(
            key="contact_time",
            text="What's the best time for our team to call: mornings, afternoons or evenings?",
            text_other="What's the best time for our team to call you: mornings, afternoons or evenings?",
            parse=parse_call_times,
            choices=(
                Choice(["morning"], "Mornings", "mornings"),
                Choice(["afternoon"], "Afternoons", "afternoons"),
                Choice(["evening"], "Evenings", "evenings"),
                Choice(["morning", "afternoon", "evening", "weekend"], "Any time", "any time"),
            ),
            why=_WHY,
            help="For example: mornings, after 5, or any time.",
        ),
    )
}
