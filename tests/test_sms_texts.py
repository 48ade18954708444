"""Every text the bot can send, as it goes out over SMS: rendered with its options, in plain GSM-7 and split
into texts of at most 320 characters, never inside a word. The test also reports which templates are
longer than one 320-character text or carry characters outside GSM-7 (costlier UCS-2 if sent as they are):
run with `-s` for the full table with lengths and encodings.

Messages come from where the bot makes them: bot/messages.py, bot/safety/resources.py, the questions as the
action server asks them (actions/common.ask, with the section intros and after repeated misses), "why"
answers, the parsers' notes for unclear answers, FAQ answers, outcome and insurance messages, the literal
texts of the actions, and the channel's own texts.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator, Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import ask_question
from bot import messages
from bot.dialogue import MISSES_BEFORE_HELP
from bot.eligibility import ScreeningFacts, assess, outcome_message
from bot.faq import FAQ_TOPICS, faq_answer
from bot.insurance import insurance_summary, recognise_insurance
from bot.program import load_program
from bot.questions import Context
from bot.safety.resources import crisis_message, crisis_opening, staff_alert
from bot.screening import QUESTIONS
from bot.settings import ROOT
from bot.sms import compliance
from bot.sms.encoding import MAX_SMS_CHARS, is_gsm7, non_gsm7, plain, segments
from bot.sms.render import render, sms_texts

PROGRAM = load_program()
ON_DUTY = datetime(2025, 6, 2, 17, 0, tzinfo=timezone.utc)  # Monday 10am in Portland
OFF_DUTY = datetime(2025, 6, 3, 5, 0, tzinfo=timezone.utc)  # Monday 10pm in Portland
CONTEXTS = {"self": Context(True, "Sam"), "other": Context(False, "Alex")}
ODD_ANSWERS = ("blorp", "", "7", "-1", "200", "x" * 60, "maybe", "1 2", "yes no", "5 6 7 8", "0.5", "99999")


@dataclass(frozen=True)
class Text:
    source: str  # file:function (what to edit)
    name: str
    text: str
    buttons: Optional[list] = None


def _outcome_facts() -> dict[str, ScreeningFacts]:
    base = dict(
        age=29,
        state="OR",
        concerns=frozenset({"depression"}),
        phq9_total=14,
        phq9_item9=0,
        gad7_total=8,
        times=frozenset({"morning"}),
        days_per_week=3,
        modality="either",
        insurance_status="in_network",
    )
    return {
        "likely_fit": ScreeningFacts(**base),
        "likely_fit_other": ScreeningFacts(**{**base, "for_self": False}),
        "step_down": ScreeningFacts(**{**base, "care": frozenset({"recent_discharge"})}),
        "needs_review_urgent": ScreeningFacts(**{**base, "cssrs_risk": "moderate"}),
        "needs_review_severe": ScreeningFacts(**{**base, "phq9_total": 22, "gad7_total": 17, "cssrs_risk": "low"}),
        "needs_review_item9": ScreeningFacts(**{**base, "phq9_item9": 1}),
        "needs_review_unmeasured": ScreeningFacts(
            **{**base, "phq9_total": 3, "gad7_total": 2, "concerns": frozenset({"bipolar", "ptsd_trauma", "other"})}
        ),
        "needs_review_mixed": ScreeningFacts(**{**base, "concerns": frozenset({"depression", "eating_disorder"})}),
        "needs_review_mild": ScreeningFacts(**{**base, "phq9_total": 6, "gad7_total": 7}),
        "needs_review_skipped": ScreeningFacts(**{**base, "phq9_total": None, "gad7_total": None}),
        "refer_specialized": ScreeningFacts(**{**base, "concerns": frozenset({"eating_disorder"})}),
        "refer_outpatient": ScreeningFacts(**{**base, "phq9_total": 2, "gad7_total": 1}),
        "flags_everywhere": ScreeningFacts(
            **{**base, "age": 70, "state": "CA", "insurance_status": "out_of_network", "times": frozenset({"weekend"})}
        ),
        "no_track": ScreeningFacts(**{**base, "times": frozenset({"weekend"}), "days_per_week": 1}),
    }


def _action_literals() -> Iterator[Text]:
    """Texts written straight into the actions' utter_message(text="...") calls."""
    for path in sorted((ROOT / "actions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message":
                for keyword in node.keywords:
                    if keyword.arg == "text" and isinstance(keyword.value, ast.Constant):
                        yield Text(f"{path.relative_to(ROOT)}", keyword.value.value[:40], keyword.value.value)


def all_texts() -> list[Text]:
    p = PROGRAM
    texts = [
        Text("bot/messages.py:introduction", "introduction", messages.introduction(p)),
        Text("bot/messages.py:declined", "declined", messages.declined(p)),
        Text("bot/messages.py:stopped", "stopped", messages.stopped(p)),
        Text("bot/messages.py:already_complete", "already_complete", messages.already_complete(p)),
        Text("bot/messages.py:outside_screening", "outside_screening", messages.outside_screening()),
        Text("bot/messages.py:START_OVER", "START_OVER", messages.START_OVER),
        Text("bot/messages.py:EMPTY_MESSAGE", "EMPTY_MESSAGE", messages.EMPTY_MESSAGE),
        Text("bot/messages.py:unclear", "unclear", messages.unclear("")),
    ]
    for when, now in (("on duty", ON_DUTY), ("off duty", OFF_DUTY)):
        texts.append(Text("bot/messages.py:handoff_requested", when, messages.handoff_requested(p, now)))
        for for_self in (True, False):
            who = "self" if for_self else "other"
            texts.append(
                Text(
                    "bot/safety/resources.py:crisis_message",
                    f"{who}, {when}",
                    crisis_message(p, now, for_self=for_self),
                )
            )
    for resuming in (True, False):
        for completed in (True, False):
            texts.append(
                Text(
                    "bot/messages.py:handed_back",
                    f"resuming={resuming} completed={completed}",
                    messages.handed_back(p, resuming=resuming, completed=completed),
                )
            )
    for who, ctx in CONTEXTS.items():
        texts.append(Text("bot/messages.py:welcome_back", who, messages.welcome_back(ctx)))
        texts.append(Text("bot/messages.py:out_of_range", who, messages.out_of_range(p, ctx)))
    # The questions exactly as the action server sends them: first time (with the section intro) and after
    # repeated misses (explained, with Skip where allowed), for the person and for someone else.
    for key, question in QUESTIONS.items():
        for who in CONTEXTS:
            answers = {"for_whom": who, "first_name": CONTEXTS[who].name}
            for misses in (0, MISSES_BEFORE_HELP):
                dispatcher = CollectingDispatcher()
                ask_question(dispatcher, key, answers, misses)
                for sent in dispatcher.messages:
                    texts.append(
                        Text(f"question {key}", f"asked, {who}, misses={misses}", sent["text"], sent.get("buttons"))
                    )
        if question.why:
            texts.append(Text(f"question {key}", "why", question.why))
        notes = dict.fromkeys(parsed.note for parsed in map(question.parse, ODD_ANSWERS) if not parsed.ok)
        for i, note in enumerate(filter(None, notes)):
            texts.append(Text(f"question {key}", f"parser note {i + 1}", note))
    for topic in FAQ_TOPICS:
        texts.append(Text(f"program.yml faq.{topic} (bot/faq.py:faq_answer)", topic, faq_answer(topic, p)))
    for name, facts in _outcome_facts().items():
        assessment = assess(facts, p)
        texts.append(
            Text(
                "bot/eligibility.py:outcome_message",
                name,
                outcome_message(assessment, p, facts.for_self, "Alex" if not facts.for_self else "Sam"),
            )
        )
    high = assess(ScreeningFacts(age=29, state="OR", phq9_total=20, cssrs_risk="high"), p)
    for when, now in (("on duty", ON_DUTY), ("off duty", OFF_DUTY)):
        texts.append(
            Text(
                "actions/screening.py:ActionFinishScreening (high risk)",
                when,
                f"{crisis_opening(True)}\n{outcome_message(high, p, True, 'Sam')}\n{staff_alert(p, now)}",
            )
        )
    for said in ("bcbs", "kaiser", "no insurance", "acme mutual"):
        texts.append(
            Text("bot/insurance.py:insurance_summary", said, insurance_summary(recognise_insurance(said, p), p))
        )
    texts += list(_action_literals())
    texts += [
        Text("bot/sms/compliance.py:help_text", "HELP", compliance.help_text(p)),
        Text("bot/sms/compliance.py:first_contact_notice", "notice", compliance.first_contact_notice(p)),
        Text("bot/sms/compliance.py:opted_out_text", "STOP", compliance.opted_out_text(p)),
        Text("bot/sms/compliance.py:opted_in_text", "START", compliance.opted_in_text(p)),
        Text("bot/sms/compliance.py:MEDIA_ONLY", "media", compliance.MEDIA_ONLY),
    ]
    return texts


TEXTS = all_texts()
QUESTION_SOURCES = "question texts: bot/intake/questions.py, bot/instruments/, bot/messages.py:section_intro"


def sms_of(entry: Text) -> tuple[str, list[str]]:
    rendered, _ = render(entry.text, entry.buttons)
    return rendered, sms_texts(entry.text, entry.buttons)[0]


def test_the_walk_covers_every_kind_of_message() -> None:
    sources = {entry.source.split(":")[0].split(" ")[0] for entry in TEXTS}
    assert {
        "bot/messages.py",
        "bot/safety/resources.py",
        "question",
        "bot/eligibility.py",
        "bot/insurance.py",
        "bot/sms/compliance.py",
        "actions/screening.py",
    } <= sources
    assert len([e for e in TEXTS if e.source.startswith("program.yml faq.")]) == len(FAQ_TOPICS)
    assert {e.source.split()[1] for e in TEXTS if e.name.startswith("asked")} == set(QUESTIONS)


@pytest.mark.parametrize("entry", TEXTS, ids=lambda e: f"{e.source.split()[0]}-{e.name}")
def test_every_text_goes_out_as_gsm7_texts_of_at_most_320_characters_split_between_words(entry: Text) -> None:
    rendered, parts = sms_of(entry)
    assert parts, "nothing to send"
    assert all(len(part) <= MAX_SMS_CHARS for part in parts)
    assert all(is_gsm7(part) for part in parts), non_gsm7("".join(parts))
    assert " ".join(parts).split() == plain(rendered).split()  # nothing lost or reordered, no word cut in two
    if len(rendered) <= MAX_SMS_CHARS and is_gsm7(rendered):
        assert parts == [rendered]  # what fits in one text is sent as one, unchanged


@pytest.mark.parametrize("entry", [e for e in TEXTS if e.buttons], ids=lambda e: f"{e.source.split()[1]}-{e.name}")
def test_a_questions_options_arrive_together_in_its_last_text(entry: Text) -> None:
    _, parts = sms_of(entry)
    option_lines = [line for line in parts[-1].splitlines() if re.match(r"[0-9A-Z]\) ", line)]
    assert len(option_lines) == len([b for b in entry.buttons if not b["title"] == "Skip"]) or len(option_lines) == len(
        entry.buttons
    )
    assert parts[-1].splitlines()[-1].startswith("Reply ")
    assert not any(re.match(r"[0-9A-Z]\) ", line) for part in parts[:-1] for line in part.splitlines())


def test_the_channels_own_texts_are_one_gsm7_text_each() -> None:
    for entry in TEXTS:
        if entry.source.startswith("bot/sms/"):
            assert len(entry.text) <= MAX_SMS_CHARS and is_gsm7(entry.text), entry.source


def _summary() -> tuple[list[str], list[str], list[str]]:
    """The full table, the templates over 320 characters and those outside GSM-7, grouped by source."""
    rows: list[str] = []
    over: dict[str, list[int]] = {}
    non_gsm: dict[str, set[str]] = {}
    for entry in TEXTS:
        rendered, parts = sms_of(entry)
        bad = non_gsm7(rendered)
        rows.append(
            f"{len(rendered):5d} chars {segments(plain(rendered)):2d} segments {len(parts)} text(s) "
            f"{'GSM-7' if not bad else 'UCS-2 ' + repr(bad):12s} {entry.source} [{entry.name}]"
        )
        source = entry.source
        if source.startswith("question ") and entry.name.startswith("asked"):
            # After two unclear answers every question is explained before it is asked again: one group.
            source = f"{source} [asked]" if "misses=0" in entry.name else "every question explained after misses"
        if len(rendered) > MAX_SMS_CHARS:
            over.setdefault(source, []).append(len(rendered))
        if bad:
            non_gsm.setdefault(source, set()).update(bad)
    over_lines = [f"{s}: {min(n)}" + (f"-{max(n)}" if max(n) != min(n) else "") for s, n in over.items()]
    return rows, over_lines, [f"{s}: {''.join(sorted(c))!r}" for s, c in non_gsm.items()]


def test_report_lengths_and_encodings(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a check: the table (with -s) and a warning naming the templates that need several texts or
    carry characters outside GSM-7 (replaced by plain ones before sending)."""
    rows, over, non_gsm = _summary()
    print(
        "\n".join(
            [
                "",
                f"SMS texts ({len(TEXTS)} variants):",
                *rows,
                "",
                "Over 320 characters:",
                *over,
                "",
                "Outside GSM-7:",
                *non_gsm,
            ]
        )
    )
    assert rows
    if over:
        warnings.warn(
            f"{len(over)} SMS templates are over {MAX_SMS_CHARS} characters (sent as several texts): "
            + "; ".join(over),
            stacklevel=1,
        )
    if non_gsm:
        warnings.warn(
            f"{len(non_gsm)} SMS templates have characters outside GSM-7: " + "; ".join(non_gsm), stacklevel=1
        )


NO_RESULTS = re.compile(
    r"\b(PHQ|GAD|AUDIT|C-SSRS|scores?|scored|(?<!not a )diagnos\w*|severe|moderate(ly)?|mild|"
    r"in the \w+ range|high risk|cutoff)\b",
    re.IGNORECASE,
)
OUTCOMES = ("bot/eligibility.py", "actions/screening.py:ActionFinishScreening")


def test_no_text_outside_the_outcome_messages_reports_scores_or_diagnosis_words() -> None:
    offenders = [
        f"{e.source} [{e.name}]: {NO_RESULTS.search(e.text).group(0)}"
        for e in TEXTS
        if not e.source.startswith(OUTCOMES) and NO_RESULTS.search(e.text)
    ]
    assert not offenders


def test_report_outcome_messages_with_health_details(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a check: bot/eligibility.py's outcome messages name symptom bands and concerns, which the SMS
    issue says should not go out by text; reported for the owner of that file to decide."""
    details = re.compile(
        r"\b(depression|anxiety|symptoms?|severe|moderately severe|moderate|mild|range|cutoff|"
        r"bipolar|PTSD|trauma|eating disorders?|substance use|suicide|self-harm|thoughts of death)\b",
        re.IGNORECASE,
    )
    findings = []
    for entry in TEXTS:
        words = (
            sorted({m.group(0).lower() for m in details.finditer(entry.text)})
            if entry.source.startswith(OUTCOMES)
            else []
        )
        if words:
            findings.append(f"{entry.name}: {', '.join(words)}")
    print("\n".join(["", "Outcome messages with health details:", *findings]))
    if findings:
        warnings.warn(
            f"{len(findings)} outcome messages (bot/eligibility.py:outcome_message) name symptoms, bands "
            "or concerns: " + "; ".join(findings),
            stacklevel=1,
        )
