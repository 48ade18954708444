"""`CrisisDetector`: the Rasa NLU component that runs bot.safety.detector on every message.

It comes last in the pipeline, after the intent classifier and the FallbackClassifier, so that it has
the final word on every message in every state (forms, FAQ, paused conversations all parse through
NLU). The rules and the classifier are OR-ed for recall:

- the rules hit: the intent becomes `crisis` with confidence 1.0 (first in the ranking);
- the classifier ranks `crisis` at or above `classifier_threshold` (even if the FallbackClassifier
  replaced it with nlu_fallback), and the rules did not find the words negated, figurative or in the past:
  the intent becomes `crisis` with the classifier's confidence.

Otherwise a classifier that put `crisis` first is overruled: the next intent in its ranking takes the top.
So downstream, `intent == crisis` is the one decision (measured on ../shared/eval, see README).

Either way the message carries a `crisis` key (in `POST /model/parse` and in the tracker's parse data):
{"category", "source": rules|classifier|both, "classifier_confidence", "flags", "phrases", "history"}.
A resolved past risk ("I attempted years ago, stable since") is recorded there with the intent left alone.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

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

from bot.safety.detector import Detection, detect, warm_up

CRISIS_KEY = "crisis"  # the extra key on the parsed message
RULES_CONFIDENCE = 1.0
# When the rules read the crisis words as negated, figurative or past, the classifier's bag of words is not
# trusted over them ("I'm not suicidal", "this exam is killing me", "I attempted years ago").
DISCOUNTING_FLAGS = frozenset({"negated", "figurative", "historical"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent, IntentClassifier):
    """Crisis rules OR-ed with the trained classifier's crisis intent."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "crisis",
            # The classifier alone counts from this confidence: on the development set 0.8, with the rules'
            # discounts below, keeps the rules' recall at a false-positive rate under 0.05.
            "classifier_threshold": 0.8,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.intent: str = config["intent"]
        self.threshold: float = float(config["classifier_threshold"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisDetector":
        warm_up()  # build the spaCy pipeline when the model loads, not on someone's first message
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> None:
        detection = detect(message.get(TEXT) or "")
        classifier = self._classifier_confidence(message)
        discounted = bool(DISCOUNTING_FLAGS & set(detection.flags))
        by_classifier = classifier is not None and classifier >= self.threshold and not discounted
        if detection.crisis or by_classifier:
            confidence = RULES_CONFIDENCE if detection.crisis else classifier
            self._set_intent(message, confidence)
        elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.intent:
            self._overrule(message)
        if detection.mentions or by_classifier:
            source = ("both" if by_classifier else "rules") if detection.crisis \
                else ("classifier" if by_classifier else None)
            message.set(CRISIS_KEY, _summary(detection, source, classifier), add_to_output=True)

    def _classifier_confidence(self, message: Message) -> Optional[float]:
        """The classifier's confidence in the crisis intent, wherever it is in the ranking."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        top = message.get(INTENT) or {}
        for intent in [top, *ranking]:
            if intent.get(INTENT_NAME_KEY) == self.intent:
                return float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return None

    def _set_intent(self, message: Message, confidence: float) -> None:
        crisis = {INTENT_NAME_KEY: self.intent, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get(INTENT_NAME_KEY) != self.intent]
        message.set(INTENT, crisis, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [crisis, *ranking], add_to_output=True)


    def _overrule(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [i for i in ranking if i.get(INTENT_NAME_KEY) != self.intent]
        crisis = [i for i in ranking if i.get(INTENT_NAME_KEY) == self.intent]
        message.set(INTENT, others[0] if others else {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    add_to_output=True)
        message.set(INTENT_RANKING_KEY, [*others, *crisis], add_to_output=True)


def _summary(detection: Detection, source: Optional[str], classifier: Optional[float]) -> Dict[Text, Any]:
    return {
        "category": detection.category.value if detection.category else None,
        "source": source,
        "classifier_confidence": classifier,  # the classifier's own crisis score, before any rule hit
        "flags": list(detection.flags),
        "phrases": list(detection.phrases),
        # Past, resolved risk: not a crisis now, but the clinician should see it.
        "history": sorted({m.category.value for m in detection.mentions if "historical" in m.flags}),
    }
