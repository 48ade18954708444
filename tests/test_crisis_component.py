"""The CrisisDetector Rasa component on Message objects: the tiered detector (model with the rules as a second
opinion) over whatever the intent classifier said; no Rasa model training."""

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

from rasa_edge.nlu.crisis import CrisisDetector

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> CrisisDetector:
    storage = LocalModelStorage(tmp_path_factory.mktemp("models"))
    return CrisisDetector.create(
        CrisisDetector.get_default_config(), storage, Resource("crisis"), ExecutionContext(GraphSchema({}))
    )


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
    found = crisis_key(output)
    assert (found["tier"], found["category"], found["phrases"]) == ("crisis", "suicidal_ideation", ["kms"])
    assert found["source"] in ("rules", "both") and 0 <= found["model_score"] <= 1


def test_a_rule_hit_overrides_the_fallback_intent(component: CrisisDetector) -> None:
    output = run(component, parsed("my son keeps saying he wants to kill himself", "nlu_fallback", 0.3))
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}
    assert crisis_key(output)["category"] == "third_party"
    assert crisis_key(output)["flags"] == ["third_party"]


@pytest.mark.parametrize(
    "text",
    [
        "I live in Boise, Idaho",
        "this traffic is killing me",
        "I'm dying to get started",
        "my anxiety is killing me at work",
    ],
)
def test_the_intent_classifier_never_makes_a_crisis_on_its_own(component: CrisisDetector, text: str) -> None:
    # The bag-of-words classifier said crisis at 0.85 for the first: it is overruled, and the model decides.
    message = Message(data={"text": text})
    ranking = [{"name": "crisis", "confidence": 0.85}, {"name": "inform", "confidence": 0.1}]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    output = run(component, message)
    assert output["intent"]["name"] == "inform"
    assert (crisis_key(output) or {}).get("tier") in (None, "none")


def test_a_model_only_crisis_takes_the_models_probability(component: CrisisDetector) -> None:
    output = run(component, parsed("there is no reason for me to be here anymore, everyone would be better off"))
    found = crisis_key(output)
    assert found["tier"] == "crisis" and output["intent"]["name"] == "crisis"
    if found["source"] == "model":
        assert output["intent"]["confidence"] == pytest.approx(found["model_score"], abs=1e-4)


def test_an_unsure_reading_asks_for_a_check_in_and_leaves_the_intent(component: CrisisDetector) -> None:
    # A denial of what the model hears as a crisis: embeddings do not see "not", so it is asked, not paged.
    output = run(component, parsed("I'm not suicidal, I just can't sleep", "inform", 0.8))
    found = crisis_key(output)
    assert output["intent"]["name"] == "inform"
    assert found["tier"] in ("check_in", "none") and "negated" in found["flags"]


@pytest.mark.parametrize("text", ["What insurance do you take?", "my phone died", "yes", "3", ""])
def test_ordinary_messages_are_left_alone(component: CrisisDetector, text: str) -> None:
    message = parsed(text, "faq", 0.93)
    before = dict(message.data)
    output = run(component, message)
    assert message.data == before
    assert crisis_key(output) is None


def test_resolved_history_is_recorded_without_changing_the_intent(component: CrisisDetector) -> None:
    output = run(component, parsed("I attempted ten years ago and have been stable since", "inform", 0.97))
    assert output["intent"] == {"name": "inform", "confidence": 0.97}
    found = crisis_key(output)
    assert found["tier"] != "crisis"
    assert found["flags"] == ["historical"] and found["history"] == ["attempt_or_preparation"]


def test_a_message_without_a_ranking(component: CrisisDetector) -> None:
    message = Message(data={"text": "I want to die"})
    output = run(component, message)
    assert output["intent"] == {"name": "crisis", "confidence": 1.0}


def test_the_intent_name_is_configurable() -> None:
    renamed = CrisisDetector({"intent": "emergency"})
    assert run(renamed, parsed("kms"))["intent"] == {"name": "emergency", "confidence": 1.0}


def test_registered_and_last_in_the_pipeline() -> None:
    assert DefaultV1Recipe._from_registry("rasa_edge.nlu.crisis.CrisisDetector").clazz is CrisisDetector
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    names = [step["name"] for step in pipeline]
    assert names[-1] == "rasa_edge.nlu.crisis.CrisisDetector"
    assert names.index("FallbackClassifier") < names.index("rasa_edge.nlu.crisis.CrisisDetector")
