"""The intake questions: wording, buttons, and how real answers (and hostile ones) are read."""

from __future__ import annotations

import pytest

from bot.intake import CARE_OPTIONS, CONCERNS, HOLDERS, INTAKE, TIMES, recognise_concerns
from bot.intake.care import ALCOHOL_USE, CARE_BUTTONS, care_options, discharge_days_ago, drank_in_past_year
from bot.intake.concerns import CONCERN_PHRASES
from bot.program import US_STATES
from bot.questions import Context, Parsed

FREE_TEXT = {"first_name", "age", "state", "concerns_text", "insurance_carrier", "member_id", "contact_phone"}
NOT_SKIPPABLE = {"consent", "for_whom", "first_name", "age", "state"}
OTHER = Context(for_self=False, name="Avery")

HOSTILE = {
    "markup": "<script>alert(1)</script>",
    "sql": "'; DROP TABLE screenings; --",
    "sql_or": "x' OR '1'='1",
    "emoji": "\U0001f600\U0001f622\u2764\ufe0f",
    "empty": "",
    "spaces": "   \n ",
    "long": "a" * 5000,
}


def _valid(key: str, value) -> bool:
    """The type and range each slot promises the engine."""
    checks = {
        "consent": lambda v: isinstance(v, bool),
        "for_whom": lambda v: v in ("self", "other"),
        "first_name": lambda v: isinstance(v, str) and 0 < len(v) <= 80 and not any(c.isdigit() for c in v),
        "age": lambda v: isinstance(v, int) and 1 <= v <= 120,
        "state": lambda v: v in US_STATES,
        "concerns_text": lambda v: len(v["text"]) <= 1000 and set(v["concerns"]) <= set(CONCERNS),
        "current_care": lambda v: (
            bool(care_options(v)) and len(v) == len(care_options(v)) + (discharge_days_ago(v) is not None)
        ),
        "alcohol_use": lambda v: v in ALCOHOL_USE,
        "schedule_times": lambda v: bool(v) and set(v) <= set(TIMES),
        "schedule_days": lambda v: isinstance(v, int) and 1 <= v <= 7,
        "modality": lambda v: v in ("in_person", "telehealth", "either"),
        "transport": lambda v: isinstance(v, bool),
        "insurance_carrier": lambda v: isinstance(v, str) and v == v.strip() and v,
        "insurance_holder": lambda v: v in HOLDERS,
        "member_id": lambda v: isinstance(v, str) and 4 <= len(v) <= 30,
    }
    return bool(checks[key](value))


def ok(key: str, text: str) -> Parsed:
    return INTAKE[key].parse(text)


# --- the shape of the questions ---------------------------------------------------------------------


def test_intake_keys_in_screening_order():
    assert list(INTAKE) == [
        "consent",
        "for_whom",
        "first_name",
        "age",
        "state",
        "concerns_text",
        "current_care",
        "alcohol_use",
        "schedule_times",
        "schedule_days",
        "modality",
        "transport",
        "insurance_carrier",
        "insurance_holder",
        "member_id",
        "contact_phone",
        "contact_ok",
        "contact_time",
    ]
    assert all(question.key == key and question.instrument is None for key, question in INTAKE.items())


def test_option_tables():
    assert CARE_OPTIONS == ("therapist", "psychiatrist", "recent_discharge", "earlier_stay", "none")
    assert CARE_BUTTONS == ("therapist", "psychiatrist", "recent_discharge", "none")
    assert ALCOHOL_USE == ("none", "drinks", "daily", "stopped", "stopped_recently")
    assert TIMES == ("morning", "afternoon", "evening", "weekend")
    assert list(CONCERNS) == [
        "depression",
        "anxiety",
        "stress",
        "bipolar",
        "ptsd_trauma",
        "substance_use",
        "eating_disorder",
        "other",
    ]
    assert set(CONCERN_PHRASES) == set(CONCERNS)


@pytest.mark.parametrize("key", list(INTAKE))
def test_every_question_is_complete(key):
    question = INTAKE[key]
    assert question.text and question.why and question.help
    assert question.skippable is (key not in NOT_SKIPPABLE)
    assert bool(question.choices) is (key not in FREE_TEXT)


@pytest.mark.parametrize("key", list(INTAKE))
def test_wording_for_self_and_for_someone_else(key):
    question = INTAKE[key]
    for text in (
        question.wording(Context()),
        question.wording(OTHER),
        question.why,
        question.help,
        *(choice.label for choice in question.choices),
    ):
        assert "{" not in text and "}" not in text
        assert text.isascii(), "plain SMS text: no emoji, no curly quotes"
    if question.text_other and "{name}" in question.text_other:
        assert "Avery" in question.wording(OTHER)
        assert "Avery" not in question.wording(Context())


def test_questions_asked_before_the_name_is_known_never_use_it():
    for key in ("consent", "for_whom", "first_name"):
        assert "{name}" not in INTAKE[key].text + (INTAKE[key].text_other or "")
    assert INTAKE["age"].wording(OTHER) == "How old is Avery?"


@pytest.mark.parametrize(
    "key,choice",
    [(key, choice) for key, q in INTAKE.items() for choice in q.choices],
    ids=lambda c: getattr(c, "payload", c),
)
def test_every_button_payload_parses_back_to_its_value(key, choice):
    parsed = ok(key, choice.payload)
    assert parsed.ok
    multiple = INTAKE[key].meta.get("multiple", False)
    assert parsed.value == ([choice.value] if multiple else choice.value)


def test_multi_select_questions_are_marked():
    assert {key for key, q in INTAKE.items() if q.meta.get("multiple")} == {"current_care", "schedule_times"}


# --- hostile and foreign input, for every question -----------------------------------------------------


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("key", list(INTAKE))
def test_hostile_input_is_refused_kindly(key, kind):
    text = HOSTILE[kind]
    parsed = ok(key, text)
    if key == "concerns_text" and kind == "long":
        assert parsed.ok and len(parsed.value["text"]) == 1000
        return
    assert not parsed.ok
    assert parsed.note, "a failed answer always says what to do"
    assert text.strip() == "" or text.strip()[:20] not in parsed.note


@pytest.mark.parametrize("key", list(INTAKE))
def test_another_language_never_crashes_and_stays_in_range(key):
    for text in ("hola, me llamo", "estoy bien, gracias", "\u6211\u53eb\u674e\u534e", "\u0645\u0631\u062d\u0628\u0627"):
        parsed = ok(key, text)
        assert isinstance(parsed, Parsed)
        if parsed.ok:
            assert _valid(key, parsed.value)
        else:
            assert parsed.note


def test_notes_never_echo_the_answer():
    marker = "Zorbulon"
    for key in INTAKE:
        parsed = ok(key, f"{marker} {marker} {marker} {marker} {marker}")
        if not parsed.ok:
            assert marker.lower() not in parsed.note.lower()


# --- consent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", True),
        ("Sure", True),
        ("ok", True),
        ("let's go!", True),
        ("yes please", True),
        ("go ahead", True),
        ("no", False),
        ("not now", False),
        ("maybe later", False),
        ("no thanks", False),
        ("nope", False),
    ],
)
def test_consent_accepted(text, expected):
    assert ok("consent", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["not sure", "idk", "maybe", "what is this?", "hola", "42"])
def test_consent_unclear(text):
    assert not ok("consent", text).ok


# --- for whom ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("for me", "self"),
        ("myself", "self"),
        ("me", "self"),
        ("Me.", "self"),
        ("it's for me", "self"),
        ("I am", "self"),
        ("my son", "other"),
        ("My daughter", "other"),
        ("for my partner", "other"),
        ("someone else", "other"),
        ("I'm asking for my mom", "other"),
        ("my kids", "other"),
        ("not for me, my wife", "other"),
    ],
)
def test_for_whom_accepted(text, expected):
    assert ok("for_whom", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "no",
        "hello",
        "for me and for my son too, myself",
        "idk",
        "42",
        "can I talk to a real person",
        "I would rather call you instead",
    ],
)
def test_for_whom_unclear(text):
    assert not ok("for_whom", text).ok


# --- first name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Sam", "Sam"),
        ("sam", "Sam"),
        ("I'm Sam", "Sam"),
        ("my name is sam", "Sam"),
        ("Mary-Jane", "Mary-Jane"),
        ("José", "José"),
        ("o'brien", "O'Brien"),
        ("DeShawn", "DeShawn"),
        ("mary jane", "Mary Jane"),
        ("Sam!", "Sam"),
        ("hi, it's Priya", "Priya"),
        ("call me Al", "Al"),
        ("his name is Leo", "Leo"),
        ("my son's name is Leo", "Leo"),
        ("hola, me llamo Ana", "Ana"),
        ("Sam \U0001f60a", "Sam"),
        ("An", "An"),
    ],
)
def test_first_name_accepted(text, expected):
    assert ok("first_name", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "Sam123",
        "\U0001f600\U0001f600",
        "<b>Sam</b>",
        "Robert'); DROP TABLE students;--",
        "I don't want to tell you that",
        "no",
        "skip",
        "hola, me llamo",
        "x" * 5000,
        "a b c d e",
        "J.",
    ],
)
def test_first_name_rejected(text):
    parsed = ok("first_name", text)
    assert not parsed.ok and parsed.note


# --- age -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("34", 34),
        ("I'm 34", 34),
        ("34 years old", 34),
        ("thirty-four", 34),
        ("16yo", 16),
        ("16 y/o", 16),
        ("twenty one", 21),
        ("she's 15", 15),
        ("120", 120),
        ("1", 1),
    ],
)
def test_age_accepted(text, expected):
    assert ok("age", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text",
    [
        "30-35",
        "between 30 and 40",
        "3 or 4",
        "I'm 34 and my son is 16",
        "in my 30s",
        "thirties",
        "-5",
        "34.5",
        "0",
        "121",
        "born in 1990",
        "6 months",
        "almost 18",
        "old enough",
        "1" * 5000,
    ],
)
def test_age_rejected(text):
    parsed = ok("age", text)
    assert not parsed.ok and parsed.note


def test_age_range_of_the_program_is_not_checked_here():
    assert ok("age", "12") == Parsed(True, 12)
    assert ok("age", "95") == Parsed(True, 95)


# --- state ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Oregon", "OR"),
        ("OR", "OR"),
        ("or", "OR"),
        ("oregn", "OR"),
        ("i live in washington state", "WA"),
        ("WA", "WA"),
        ("portland oregon", "OR"),
        ("Portland, OR", "OR"),
        ("I'm in WA", "WA"),
        ("new yrok", "NY"),
        ("West Virginia", "WV"),
        ("washington dc", "DC"),
        ("cali", "CA"),
        ("I LIVE IN OREGON", "OR"),
        ("i live in or", "OR"),
    ],
)
def test_state_accepted(text, expected):
    assert ok("state", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text",
    [
        "Canada",
        "London",
        "ok",
        "hi",
        "texas but moving to oregon",
        "Kansas City, Missouri",
        "somewhere",
        "<script>alert(1)</script>",
        "12345",
    ],
)
def test_state_rejected(text):
    parsed = ok("state", text)
    assert not parsed.ok and parsed.note


# --- concerns ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("depressed", ["depression"]),
        ("I can't get out of bed", ["depression"]),
        ("cant get out of bed most days", ["depression"]),
        ("panic attacks", ["anxiety"]),
        ("I worry all the time", ["anxiety"]),
        ("mood swings", ["bipolar"]),
        ("I think I was manic last week", ["bipolar"]),
        ("bipolar", ["bipolar"]),
        ("manic depression", ["bipolar"]),
        ("flashbacks", ["ptsd_trauma"]),
        ("trauma from my childhood", ["ptsd_trauma"]),
        ("nightmares since the accident", ["ptsd_trauma"]),
        ("drinking too much", ["substance_use"]),
        ("using again", ["substance_use"]),
        ("pills", ["substance_use"]),
        ("weed every day", ["substance_use"]),
        ("binge drinking on weekends", ["substance_use"]),
        ("not eating", ["eating_disorder"]),
        ("binge and purge", ["eating_disorder"]),
        ("anorexia", ["eating_disorder"]),
        ("I'm not depressed, just anxious", ["anxiety"]),
        ("not depressed but anxious", ["anxiety"]),
        ("depression and OCD", ["depression", "other"]),
        ("anxious, not eating, drinking too much", ["anxiety", "eating_disorder", "substance_use"]),
        ("my son is struggling", ["other"]),
        ("I don't know", ["other"]),
        ("estoy triste", ["depression"]),
    ],
)
def test_recognise_concerns(text, expected):
    assert recognise_concerns(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # Sleep and appetite are what the depression questions ask about, not an eating disorder.
        ("I can't eat or sleep", ["depression"]),
        ("cant sleep, no appetite", ["depression"]),
        ("not eating or sleeping", ["depression"]),
        ("binge watching", ["other"]),
        ("I binge on weekends", ["other"]),  # drinking, most likely: the alcohol questions follow
        ("binge watching and binge eating", ["eating_disorder"]),
        ("I'm starving", ["other"]),
        ("starving myself", ["eating_disorder"]),
        ("I can't stop eating", ["eating_disorder"]),
        # Stress is its own area: not anxiety on its own, and not "other".
        ("stress", ["stress"]),
        ("stressed out at work", ["stress"]),
        ("overwhelmed and burned out", ["stress"]),
        ("under a lot of pressure at work", ["stress"]),
        ("stressed and anxious", ["anxiety", "stress"]),
        ("post traumatic stress", ["ptsd_trauma"]),
        ("not stressed just sad", ["depression"]),
        # Texting.
        ("feelin super low", ["depression"]),
        ("feelin' really low", ["depression"]),
        ("sooo saaad", ["depression"]),
        ("depresed", ["depression"]),
        ("drinkin every nite", ["substance_use"]),
        ("anxeity", ["anxiety"]),
        # Words that look like a concern but are not.
        ("work is a nightmare", ["other"]),
        ("I take pills for anxiety", ["anxiety"]),
        ("I abuse alcohol", ["substance_use"]),
        ("my blood pressure", ["other"]),
        ("traumatic brain injury", ["other"]),
    ],
)
def test_recognise_concerns_without_false_readings(text, expected):
    assert recognise_concerns(text) == expected


def test_recognise_concerns_of_nothing_is_nothing():
    assert recognise_concerns("") == []
    assert recognise_concerns("   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "panic attacks and I can't sleep",
        "feeling down",
        "I'm Sam, drinking again",
        "hard to say",
        "flashbacks " * 600,
    ],
)
def test_concerns_text_keeps_the_words_as_typed(text):
    parsed = ok("concerns_text", f"  {text}  ")
    assert parsed.ok
    assert parsed.value["text"] == text.strip()[:1000]
    assert parsed.value["concerns"] == recognise_concerns(text)


@pytest.mark.parametrize("text", ["", "  ", "\U0001f622", "...", "<script>alert(1)</script>", "1 OR 1=1; --"])
def test_concerns_text_rejected(text):
    parsed = ok("concerns_text", text)
    assert not parsed.ok and parsed.note


# --- current care --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("I see a therapist and a psychiatrist", ["therapist", "psychiatrist"]),
        ("therapist, psychiatrist", ["therapist", "psychiatrist"]),
        ("both", ["therapist", "psychiatrist"]),
        ("counseling every other week", ["therapist"]),
        ("my psych NP manages my meds", ["psychiatrist"]),
        ("just got out of the hospital", ["recent_discharge"]),
        ("discharged from residential last week", ["recent_discharge", "7 days ago"]),
        ("therapist, and I left the psych ward on monday", ["therapist", "recent_discharge", "7 days ago"]),
        ("nothing right now", ["none"]),
        ("no", ["none"]),
        ("nope", ["none"]),
        ("I don't have a therapist", ["none"]),
        ("looking for a therapist", ["none"]),
        ("no therapist but I see a psychiatrist", ["psychiatrist"]),
        ("I used to see a psychiatrist, now a counselor", ["therapist"]),
    ],
)
def test_current_care_accepted(text, expected):
    assert ok("current_care", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        # A psychiatric stay in the last month: a step-down; its timing is kept when said.
        ("I just got out of the psych ward", ["recent_discharge"]),
        ("left residential last week", ["recent_discharge", "7 days ago"]),
        ("discharged from PHP 10 days ago", ["recent_discharge", "10 days ago"]),
        ("got out of detox yesterday", ["recent_discharge", "1 day ago"]),
        ("I just got out", ["recent_discharge"]),
        ("I was in the hospital after an overdose", ["recent_discharge"]),
        ("therapist for 3 years, and I just got out of the psych ward", ["therapist", "recent_discharge"]),
        # Longer ago: an earlier stay, not a step-down.
        ("hospitalized 3 years ago", ["earlier_stay"]),
        ("in the psych ward in 2019", ["earlier_stay"]),
        ("residential a couple of months ago", ["earlier_stay"]),
        ("hospitalized 3 years ago, I see a therapist", ["therapist", "earlier_stay"]),
        # Not psychiatric care at all.
        ("in the hospital for surgery last week", ["none"]),
        ("I got out of jail", ["none"]),
        ("I got out of jail and see a counselor", ["therapist"]),
        ("in the hospital for surgery last week, I see a psychiatrist", ["psychiatrist"]),
        ("I see a physical therapist", ["none"]),
        ("never been hospitalized", ["none"]),
    ],
)
def test_current_care_reads_only_recent_psychiatric_stays_as_discharges(text, expected):
    assert ok("current_care", text) == Parsed(True, expected)


def test_stored_current_care_gives_its_options_and_timing():
    value = ok("current_care", "therapist, and discharged from PHP 10 days ago").value
    assert (care_options(value), discharge_days_ago(value)) == (frozenset({"therapist", "recent_discharge"}), 10)
    assert (care_options(["none"]), discharge_days_ago(["none"])) == (frozenset({"none"}), None)
    assert (care_options(None), discharge_days_ago("skipped")) == (frozenset(), None)


@pytest.mark.parametrize(
    "text", ["yes", "sometimes", "idk", "my doctor", "hola", "I just got out of a bad relationship"]
)
def test_current_care_unclear(text):
    assert not ok("current_care", text).ok


# --- alcohol -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", "drinks"),
        ("socially", "drinks"),
        ("only on weekends", "drinks"),
        ("a glass of wine sometimes", "drinks"),
        ("I don't drink much", "drinks"),
        ("rarely", "drinks"),
        ("I'm trying to quit", "drinks"),
        ("not every day", "drinks"),
        ("every day", "daily"),
        ("daily", "daily"),
        ("yes, every night", "daily"),
        # Stopped: still drinking in the past year, which the AUDIT-C asks about.
        ("not anymore", "stopped"),
        ("I quit", "stopped"),
        ("quit last month", "stopped"),
        ("I quit drinking last year", "stopped"),
        ("I'm sober", "stopped"),
        ("no longer", "stopped"),
        ("sober 3 days", "stopped_recently"),
        ("stopped 2 weeks ago", "stopped_recently"),
        ("haven't had a drink in ten days", "stopped_recently"),
        ("I used to drink every day, quit 3 days ago", "stopped_recently"),
        ("no", "none"),
        ("never", "none"),
        ("I don't drink", "none"),
        ("not really", "none"),
        ("quit years ago", "none"),
        ("sober for 5 years", "none"),
    ],
)
def test_alcohol_use_accepted(text, expected):
    assert ok("alcohol_use", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["not sure", "maybe", "idk", "depends", "coffee", "yes and no"])
def test_alcohol_use_unclear(text):
    assert not ok("alcohol_use", text).ok


@pytest.mark.parametrize("key, values", [("alcohol_use", ALCOHOL_USE), ("current_care", CARE_OPTIONS)])
def test_staff_read_every_stored_value_in_words(key, values):
    question = INTAKE[key]
    words = {choice.value: choice.label for choice in question.choices} | question.meta.get("labels", {})
    assert set(words) == set(values)


def test_alcohol_question_asks_about_the_past_year():
    question = INTAKE["alcohol_use"]
    assert question.text == "In the past year, have you had any alcohol, even occasionally?"
    assert question.wording(OTHER) == "In the past year, has Avery had any alcohol, even occasionally?"


@pytest.mark.parametrize(
    "value, drank",
    [
        ("drinks", True),
        ("daily", True),
        ("stopped", True),
        ("stopped_recently", True),
        (True, True),
        ("none", False),
        (False, False),
        ("skipped", False),
        (None, False),
    ],
)
def test_every_answer_but_none_is_past_year_drinking(value, drank):
    assert drank_in_past_year(value) is drank


# --- schedule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mornings and evenings", ["morning", "evening"]),
        ("after 5", ["evening"]),
        ("after 3pm", ["afternoon", "evening"]),
        ("after school", ["afternoon"]),
        ("any time", list(TIMES)),
        ("whenever", list(TIMES)),
        ("any", list(TIMES)),
        ("nights", ["evening"]),
        ("saturdays", ["weekend"]),
        ("before noon", ["morning"]),
        ("at 10am", ["morning"]),
        ("weekday mornings", ["morning"]),
        ("I work 9-5 so after 5", ["evening"]),
        ("any time except mornings", ["afternoon", "evening", "weekend"]),
        ("anything but mornings", ["afternoon", "evening"]),
        ("I work mornings", ["afternoon", "evening"]),
        ("evenings and weekends", ["evening", "weekend"]),
    ],
)
def test_schedule_times_accepted(text, expected):
    assert ok("schedule_times", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["yes", "3 days", "soon", "idk", "por la tarde"])
def test_schedule_times_unclear(text):
    assert not ok("schedule_times", text).ok


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3", 3),
        ("three days", 3),
        ("3 days a week", 3),
        ("mon wed fri", 3),
        ("every weekday", 5),
        ("monday through friday", 5),
        ("twice a week", 2),
        ("once a week", 1),
        ("weekends", 2),
        ("every day", 7),
        ("3 or 4", 3),
        ("3-4 days", 3),
        ("Tuesdays and Thursdays", 2),
    ],
)
def test_schedule_days_accepted(text, expected):
    assert ok("schedule_days", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["0", "none", "zero", "8", "10 days", "24/7", "a few", "3 hours a day", "yes", "tres"])
def test_schedule_days_rejected(text):
    parsed = ok("schedule_days", text)
    assert not parsed.ok and parsed.note


def test_schedule_days_zero_suggests_skipping():
    assert "skip" in ok("schedule_days", "0").note


@pytest.mark.parametrize(
    "text,expected",
    [
        ("online", "telehealth"),
        ("video", "telehealth"),
        ("zoom", "telehealth"),
        ("virtual is best", "telehealth"),
        ("from home", "telehealth"),
        ("in person", "in_person"),
        ("In-person", "in_person"),
        ("face to face", "in_person"),
        ("either", "either"),
        ("both", "either"),
        ("no preference", "either"),
        ("in person or online", "either"),
        ("not in person", "telehealth"),
        ("I can't do online", "in_person"),
    ],
)
def test_modality_accepted(text, expected):
    assert ok("modality", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["yes", "no", "idk", "soon", "42"])
def test_modality_unclear(text):
    assert not ok("modality", text).ok


@pytest.mark.parametrize(
    "text,expected",
    [
        ("yes", True),
        ("yes it's hard to get there", True),
        ("I don't drive", True),
        ("I don't have a car", True),
        ("it's far", True),
        ("no", False),
        ("no problem", False),
        ("I have a car", False),
        ("my mom drives me", False),
        ("it isn't a problem", False),
        ("not really", False),
    ],
)
def test_transport_accepted(text, expected):
    assert ok("transport", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["not sure", "maybe", "depends", "idk", "the weather"])
def test_transport_unclear(text):
    assert not ok("transport", text).ok


def test_transport_question_is_worded_so_yes_means_a_problem():
    question = INTAKE["transport"]
    assert "problem" in question.text
    assert {c.payload: c.value for c in question.choices} == {"yes": True, "no": False}


# --- insurance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Aetna", "Aetna"),
        ("  Blue Cross  ", "Blue Cross"),
        ("bcbs thru work", "bcbs thru work"),
        ("none", "none"),
        ("no insurance", "no insurance"),
        ("self pay", "self pay"),
        ("Oregon\nHealth Plan", "Oregon Health Plan"),
    ],
)
def test_insurance_carrier_kept_as_given(text, expected):
    assert ok("insurance_carrier", text) == Parsed(True, expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\U0001f600",
        "<b></b>",
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "?!",
        "z" * 300,
    ],
)
def test_insurance_carrier_rejected(text):
    parsed = ok("insurance_carrier", text)
    assert not parsed.ok and parsed.note


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mine", "self"),
        ("my own", "self"),
        ("through my job", "self"),
        ("my mom's", "parent"),
        ("my dad", "parent"),
        ("parents", "parent"),
        ("my husband's", "spouse_partner"),
        ("my wife's plan", "spouse_partner"),
        ("partner", "spouse_partner"),
        ("grandma", "other"),
        ("my ex-husband's", "other"),
        ("someone else", "other"),
    ],
)
def test_insurance_holder_accepted(text, expected):
    assert ok("insurance_holder", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["yes", "no", "idk", "Aetna", "mine or my wife's"])
def test_insurance_holder_unclear(text):
    assert not ok("insurance_holder", text).ok


@pytest.mark.parametrize(
    "text,expected",
    [
        ("W123456789", "W123456789"),
        ("xyz-123-456", "XYZ-123-456"),
        ("ABC 123 456", "ABC123456"),
        ("my member id is W1234", "W1234"),
        ("ID: 98765", "98765"),
        ("1234", "1234"),
        ("A" * 29 + "1", "A" * 29 + "1"),
    ],
)
def test_member_id_accepted(text, expected):
    assert ok("member_id", text) == Parsed(True, expected)


@pytest.mark.parametrize("text", ["none", "idk", "123", "1" * 31, "-1234", "ABC_123", "don't have it", "ABCDEFG"])
def test_member_id_rejected(text):
    parsed = ok("member_id", text)
    assert not parsed.ok and parsed.note


@pytest.mark.parametrize(
    "text",
    ["ABC123456 and I want to kill myself", "XYZ987654 i want to die", "ABC123 is what it says but I am not sure"],
)
def test_a_sentence_is_not_a_member_id(text):
    assert not ok("member_id", text).ok


@pytest.mark.parametrize("text,member_id", [("W12 345 678", "W12345678"), ("id: XJ4 55 9021", "XJ4559021")])
def test_a_member_id_typed_in_groups_is_one_id(text, member_id):
    assert ok("member_id", text).value == member_id
