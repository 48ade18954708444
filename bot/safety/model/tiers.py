"""Where a message goes: the crisis path, a direct check-in question, or on with the conversation.

    from bot.safety.model.tiers import assess, Tier
    reading = assess(text)  # reading.tier, reading.category, reading.source, reading.prediction, reading.rules

The rules (bot.safety.detector) stay as a second opinion: a clear first-person statement they find is a
crisis whatever the model says. The model's probability (reading.prediction.crisis) combines the sentence
model, the character model and the rules' reading of the message (bot.safety.model.head); at or above the
crisis threshold it is a crisis, between the check-in and the crisis threshold the bot asks. Sentence
embeddings do not see negation or tense ("I'm not suicidal" scores as high as "I'm suicidal"), so when the
rules read the risk words as negated, figurative or over, or the message is only a few words, the model's
crisis becomes a check-in: asked, never dropped. Measured figures: training_report.json, "held_out", policy
rules_or_combined_discounted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from bot.safety.detector import Detection, detect
from bot.safety.model import MAX_CHARS, Prediction, _get_head
from bot.safety.model.encoder import get_encoder
from bot.safety.model.head import RuleReading


class Tier(str, Enum):
    CRISIS = "crisis"
    CHECK_IN = "check_in"
    NONE = "none"


@dataclass(frozen=True)
class Assessment:
    tier: Tier
    category: Optional[str]  # a bot.safety.lexicon.Category value when the tier is not NONE
    source: Optional[str]  # "rules", "model" or "both": what put it on the crisis path
    prediction: Prediction
    rules: Detection


# A model-only crisis on a message this short is asked about instead: a few words carry too little meaning for
# sentence embeddings ("I have my own plan", answering "whose insurance plan is it?", scored as a crisis). On
# the development set no short crisis message was caught by the model alone (the rules caught all ten), and
# the one short model-only crisis was a false alarm.
SHORT_WORDS = 5


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_WORDS


# Most of a screening is short answers many people give in the same words ("several days", "no", "Aetna"), and
# reading one costs the Rasa server about a quarter of its time per message under load. The reading is a pure
# function of the text, so short texts' readings are kept (bounded; long messages, the personal ones, never).
SHORT_READINGS_KEPT = 4096


def assess(text: str) -> Assessment:
    return _assess_short(text) if is_short(text) else assess_uncached(text)


@functools.lru_cache(maxsize=SHORT_READINGS_KEPT)
def _assess_short(text: str) -> Assessment:
    return assess_uncached(text)


def assess_uncached(text: str) -> Assessment:
    """What `assess` returns, always computed (benchmarks time this)."""
    rules = detect(text)
    reading = RuleReading.of(rules.crisis, rules.flags)
    text = text[:MAX_CHARS]
    head = _get_head()
    prediction = head.decide(get_encoder().encode_one(text), text, reading)
    limits = head.thresholds
    discounted = reading.discounted or is_short(text)
    by_model = prediction.crisis >= limits.crisis and not discounted
    if rules.crisis or by_model:
        source = "both" if rules.crisis and by_model else ("rules" if rules.crisis else "model")
        category = rules.category.value if rules.category else prediction.category
        return Assessment(Tier.CRISIS, category, source, prediction, rules)
    if prediction.crisis >= limits.check_in:  # discounted or not
        return Assessment(Tier.CHECK_IN, prediction.category, None, prediction, rules)
    return Assessment(Tier.NONE, None, None, prediction, rules)
