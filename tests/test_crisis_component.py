"""The CrisisDetector Rasa component on Message objects: rules OR classifier, no model training."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis import CrisisDetector

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> CrisisDetector:
    storage = LocalModelStorage(tmp_path_factory.mktemp("models"))
    return CrisisDetector.create(CrisisDetector.get_default_config(), storage, Resource("crisis"),
                                 ExecutionContext(GraphSchema({})))


def parsed(text: str, intent: str = "inform", confidence: float = 0.9, crisis: float = 0.02) -> Message:
    """A message as the classifier and the FallbackClassifier leave it."""
    ranking = [{"name": intent, "confidence": confidence}, {"name": "crisis", "confidence": crisis}]
    message = Message(data={"text": text})
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return message


def run(component: CrisisDetector, message: Message) -> dict:
    component.process([message])
    return message.as_dict(only_output_properties=True)


def crisis_key(output: dict) -> Optional[dict]:
    return output.get("crisis")


def test_a_rule_hit_makes_the_intent_crisis_with_its_category(component: CrisisDetector) -> None:
    output = run(component, parsed("honestly i want to kms"))
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}
    assert output["intent_ranking"][0] == {"name": "crisis", "confidence": 1.0}
    assert [i["name"] for i in output["intent_ranking"]] == ["crisis", "inform"]
    assert crisis_key(output) == {"category": "suicidal_ideation", "source": "rules", "classifier_confidence": 0.02,
                                  "flags": [], "phrases": ["kms"], "history": []}


def test_a_rule_hit_overrides_the_fallback_intent(component: CrisisDetector) -> None:
    output = run(component, parsed("my son keeps saying he wants to kill himself", "nlu_fallback", 0.3))
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}
    assert crisis_key(output)["category"] == "third_party"
    assert crisis_key(output)["flags"] == ["third_party"]


def test_the_classifier_alone_makes_a_crisis_without_a_category(component: CrisisDetector) -> None:
    output = run(component, parsed("everything is grey and pointless", "crisis", 0.84, 0.84))
    assert output["intent"] == {"name": "crisis", "confidence": 0.84}
    assert crisis_key(output) == {"category": None, "source": "classifier", "classifier_confidence": 0.84,
                                  "flags": [], "phrases": [], "history": []}


def test_rules_and_classifier_together(component: CrisisDetector) -> None:
    output = run(component, parsed("I took 30 of my pills an hour ago", "crisis", 0.95, 0.95))
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}
    assert crisis_key(output)["source"] == "both"
    assert crisis_key(output)["category"] == "overdose_or_medical"


def test_a_classifier_below_the_bar_is_left_alone(component: CrisisDetector) -> None:
    output = run(component, parsed("I feel low today", "inform", 0.55, 0.45))
    assert output["intent"] == {"name": "inform", "confidence": 0.55}
    assert crisis_key(output) is None


@pytest.mark.parametrize("text", ["What insurance do you take?", "this homework is killing me", "my phone died",
                                  "I could kill for a coffee", "yes", ""])
def test_ordinary_messages_are_left_alone(component: CrisisDetector, text: str) -> None:
    message = parsed(text, "faq", 0.93)
    before = dict(message.data)
    output = run(component, message)
    assert message.data == before
    assert crisis_key(output) is None


def test_resolved_history_is_recorded_without_changing_the_intent(component: CrisisDetector) -> None:
    output = run(component, parsed("I attempted ten years ago and have been stable since", "inform", 0.97))
    assert output["intent"] == {"name": "inform", "confidence": 0.97}
    assert crisis_key(output) == {"category": None, "source": None, "classifier_confidence": 0.02,
                                  "flags": ["historical"], "phrases": [], "history": ["attempt_or_preparation"]}


def test_a_denial_is_explained_and_the_intent_kept(component: CrisisDetector) -> None:
    output = run(component, parsed("I'm not suicidal, just stressed", "inform", 0.8))
    assert output["intent"]["name"] == "inform"
    assert crisis_key(output)["flags"] == ["negated"]
    assert crisis_key(output)["source"] is None


def test_the_classifier_is_not_trusted_over_a_negation_the_rules_found(component: CrisisDetector) -> None:
    message = Message(data={"text": "I'm not suicidal, I just can't sleep"})
    ranking = [{"name": "crisis", "confidence": 0.93}, {"name": "inform", "confidence": 0.05}]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    output = run(component, message)
    assert output["intent"]["name"] == "inform"
    assert "negated" in crisis_key(output)["flags"]


def test_a_message_without_a_ranking(component: CrisisDetector) -> None:
    message = Message(data={"text": "I want to die"})
    output = run(component, message)
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}
    assert crisis_key(output)["classifier_confidence"] is None


def test_the_threshold_and_intent_name_are_configurable() -> None:
    strict = CrisisDetector({"intent": "crisis", "classifier_threshold": 0.9})
    message = Message(data={"text": "I feel empty"})
    ranking = [{"name": "crisis", "confidence": 0.84}, {"name": "inform", "confidence": 0.1}]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    output = run(strict, message)
    assert crisis_key(output) is None
    assert output["intent"] == {"name": "inform", "confidence": 0.1}  # below the bar: overruled
    renamed = CrisisDetector({"intent": "emergency", "classifier_threshold": 0.7})
    assert run(renamed, parsed("kms"))["intent"] == {"name": "emergency", "confidence": 1.0}


def test_registered_and_last_in_the_pipeline() -> None:
    assert DefaultV1Recipe._from_registry("bot.nlu.crisis.CrisisDetector").clazz is CrisisDetector
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    names = [step["name"] for step in pipeline]
    assert names[-1] == "bot.nlu.crisis.CrisisDetector"
    assert names.index("FallbackClassifier") < names.index("bot.nlu.crisis.CrisisDetector")
