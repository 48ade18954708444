"""The direct check-in: when the crisis detector is unsure (bot/safety/model/tiers.py: between the check-in
and the crisis threshold), the bot neither pages anyone nor lets it pass. It asks, at once and kindly, and
the answer decides: yes is the crisis path, no goes back to where the conversation was, anything unclear is
asked once more and then taken as yes.

The reply is read the way the C-SSRS answers are (bot/instruments/cssrs.py): any yes or hedge ("maybe",
"kind of", "sometimes") is yes, a qualified no ("not yet") is yes, only a clear no is no.
"""

from __future__ import annotations

from enum import Enum

from bot.instruments.cssrs import CSSRS
from bot.safety.resources import LIFELINE, LIFELINE_NAME

QUESTION = "I want to make sure I understand you. Are you having thoughts of ending your life or hurting yourself?"
ASK_AGAIN = (
    "I'm sorry, I didn't quite understand. This matters, so I'll ask plainly: are you having thoughts of "
    "ending your life or hurting yourself right now? Yes or no is enough."
)
THANKS = (
    "Thank you for telling me. If that changes, you can tell me any time, or call or text "
    f"{LIFELINE} ({LIFELINE_NAME}), day or night."
)
BUTTONS = ({"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"})
# The check-in slot: asked once, or asked a second time after an unclear reply.
SLOT = "crisis_check"  # the slot that says the question waits for its reply (domain.yml)
ASKED, ASKED_AGAIN = "asked", "asked_again"  # its values
_READ = next(item for item in CSSRS.items if item.key == "cssrs_2").parse  # a yes/no safety question's reader


class Reply(str, Enum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


class Step(str, Enum):
    CRISIS = "crisis"  # the crisis path, as for a crisis message
    BACK = "back"  # back to the question or stage the conversation was at
    ASK_AGAIN = "ask_again"


def read_reply(text: str) -> Reply:
    parsed = _READ(text or "")
    if not parsed.ok:
        return Reply.UNCLEAR
    return Reply.YES if parsed.value is True else Reply.NO


def next_step(reply: Reply, asked: str) -> Step:
    """What follows a reply to the check-in (`asked`: the slot's value when the reply came)."""
    if reply is Reply.YES:
        return Step.CRISIS
    if reply is Reply.NO:
        return Step.BACK
    return Step.CRISIS if asked == ASKED_AGAIN else Step.ASK_AGAIN
