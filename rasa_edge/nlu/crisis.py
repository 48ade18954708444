"""`CrisisDetector`: the Rasa NLU component that runs the crisis detector (bot/safety/model/tiers.py) on every
message.

It comes last in the pipeline, after the intent classifier and the FallbackClassifier, so that it has the final
word on every message in every state (forms, FAQ, paused conversations all parse through NLU). The detector is
the learned classifier on sentence meaning with the rules as a second opinion; its verdict is one of three tiers:

- crisis: the intent becomes `crisis` (confidence 1.0 when the rules found it, else the model's probability);
- check-in: the intent is left alone and the message's `crisis` key says `"tier": "check_in"`, so the safety
  policy asks the person directly (bot/safety/checkin.py);
- none: nothing changes, except that a classifier that put `crisis` first is overruled (the next intent in its
  ranking takes the top). The bag-of-words classifier never decides a crisis on its own: a few words ("I live
  in Boise, Idaho") made it say crisis at 0.85.

The `crisis` key (in `POST /model/parse` and in the tracker's parse data) is
{"tier", "category", "source": rules|model|both, "model_score", "flags", "phrases", "history"} whenever the tier
is not none or the rules noticed crisis words at all (negated, figurative or past ones included), for staff.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safety.model import warm_up
from bot.safety.model.tiers import Assessment, Tier, assess

CRISIS_KEY = "crisis"  # the extra key on the parsed message
RULES_CONFIDENCE = 1.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent, IntentClassifier):
    """The crisis detector's tiers, over whatever the intent classifier said."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "crisis"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.intent: str = config["intent"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        warm_up()  # load the encoder when the model loads, not on someone's first message
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> None:
        reading = assess(message.get(TEXT) or "")
        if reading.tier is Tier.CRISIS:
            by_rules = reading.source in ("rules", "both")
            self._set_intent(message, RULES_CONFIDENCE if by_rules else reading.prediction.crisis)
        elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.intent:
            self._overrule(message)
        if reading.tier is not Tier.NONE or reading.rules.mentions:
            message.set(CRISIS_KEY, _summary(reading), add_to_output=True)

    def _set_intent(self, message: Message, confidence: float) -> None:
        crisis = {INTENT_NAME_KEY: self.intent, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != self.intent]
        message.set(INTENT, crisis, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [crisis, *ranking], add_to_output=True)

    def _overrule(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [i for i in ranking if i.get(INTENT_NAME_KEY) != self.intent]
        crisis = [i for i in ranking if i.get(INTENT_NAME_KEY) == self.intent]
        message.set(
            INTENT, others[0] if others else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True
        )
        message.set(INTENT_RANKING_KEY, [*others, *crisis], add_to_output=True)


def _summary(reading: Assessment) -> Dict[Text, Any]:
    detection = reading.rules
    return {
        "tier": reading.tier.value,
        "category": reading.category,
        "source": reading.source,
        "model_score": round(reading.prediction.crisis, 4),
        "flags": list(detection.flags),
        "phrases": list(detection.phrases),
        # Past, resolved risk: not a crisis now, but the clinician should see it.
        "history": sorted({m.category.value for m in detection.mentions if "historical" in m.flags}),
    }
