"""PHQ-9, GAD-7 and AUDIT-C: verbatim wording, answer reading, skip logic, scoring and bands."""

import pytest

from bot.instruments import AUDITC, CSSRS, DIFFICULTY, GAD7, INSTRUMENTS, PHQ9, Score, difficulty_due
from bot.questions import DECLINED, SKIPPED, Context

ALL_ITEMS = [item for inst in INSTRUMENTS.values() for item in inst.items]
SCALE_ITEMS = [item for inst in (PHQ9, GAD7) for item in inst.items]
PHQ9_1, GAD7_1 = PHQ9.items[0], GAD7.items[0]
FREQUENCY, QUANTITY, HEAVY = AUDITC.items


def test_instruments_in_order_with_slot_keys():
    assert list(INSTRUMENTS) == ["phq9", "gad7", "auditc", "cssrs"]
    assert [i.name for i in INSTRUMENTS.values()] == ["PHQ-9", "GAD-7", "AUDIT-C", "C-SSRS screener"]
    assert [q.key for q in PHQ9.items] == [f"phq9_{n}" for n in range(1, 10)]
    assert [q.key for q in GAD7.items] == [f"gad7_{n}" for n in range(1, 8)]
    assert [q.key for q in AUDITC.items] == ["auditc_1", "auditc_2", "auditc_3"]
    assert [q.key for q in CSSRS.items] == [f"cssrs_{n}" for n in range(1, 7)] + ["cssrs_6_recent"]
    assert all(q.instrument == inst.key for inst in INSTRUMENTS.values() for q in inst.items)


def test_phq9_wording_is_verbatim():
    assert PHQ9_1.stem == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert [q.text for q in PHQ9.items] == [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
        "or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ]
    assert [(c.value, c.label, c.payload) for c in PHQ9_1.choices] == [
        (0, "Not at all", "0"),
        (1, "Several days", "1"),
        (2, "More than half the days", "2"),
        (3, "Nearly every day", "3"),
    ]


def test_gad7_wording_is_verbatim():
    assert GAD7_1.stem == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert [q.text for q in GAD7.items] == [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ]
    assert GAD7_1.choices == PHQ9_1.choices


def test_auditc_wording_is_verbatim():
    assert [q.text for q in AUDITC.items] == [
        "How often do you have a drink containing alcohol?",
        "How many standard drinks containing alcohol do you have on a typical day?",
        "How often do you have six or more drinks on one occasion?",
    ]
    assert [[(c.value, c.label) for c in q.choices] for q in AUDITC.items] == [
        [
            (0, "Never"),
            (1, "Monthly or less"),
            (2, "2-4 times a month"),
            (3, "2-3 times a week"),
            (4, "4 or more times a week"),
        ],
        [(0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7 to 9"), (4, "10 or more")],
        [(0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily")],
    ]


@pytest.mark.parametrize("item", ALL_ITEMS, ids=lambda q: q.key)
def test_every_item_renders_for_self_and_for_someone_else(item):
    for ctx in (Context(), Context(for_self=False, name="Jordan"), Context(for_self=False)):
        text = item.wording(ctx)
        assert "{name}" not in text and "{" not in text
        assert item.text in item.wording(Context())
    if item.key != "cssrs_6_recent":
        assert "Jordan" in item.wording(Context(for_self=False, name="Jordan"))
    assert item.why and item.help and item.choices


def test_wording_about_someone_else():
    other = Context(for_self=False, name="Jordan")
    assert PHQ9.items[8].wording(other) == (
        "Over the last 2 weeks, how often has Jordan been bothered by any of the following problems?\n"
        "Thoughts that Jordan would be better off dead or of hurting themselves in some way"
    )
    assert FREQUENCY.wording(other) == (
        "These questions are about the past year.\nHow often does Jordan have a drink containing alcohol?"
    )


@pytest.mark.parametrize("item", ALL_ITEMS, ids=lambda q: q.key)
def test_every_button_payload_reads_back_as_its_value(item):
    for choice in item.choices:
        assert item.parse(choice.payload).value == choice.value
        assert item.parse(choice.label).value == choice.value


def test_only_phq9_item9_and_cssrs_cannot_be_skipped():
    fixed = {q.key for q in ALL_ITEMS if not q.skippable}
    assert fixed == {"phq9_9"} | {q.key for q in CSSRS.items}


@pytest.mark.parametrize(
    "text, value",
    [
        ("0", 0),
        ("not at all", 0),
        ("Not at all.", 0),
        ("never", 0),
        ("no", 0),
        ("nope", 0),
        ("none", 0),
        ("not really", 0),
        ("zero", 0),
        ("I haven't", 0),
        ("0 days", 0),
        ("1", 1),
        ("several days", 1),
        ("Several Days!", 1),
        ("a couple of times", 1),
        ("some days", 1),
        ("sometimes", 1),
        ("a few days", 1),
        ("once or twice", 1),
        ("occasionally", 1),
        ("now and then", 1),
        ("2 days", 1),
        ("twice a week", 1),
        ("sevral days", 1),
        ("sometims", 1),
        ("one", 1),
        ("2", 2),
        ("more than half the days", 2),
        ("most days", 2),
        ("often", 2),
        ("a lot", 2),
        ("alot", 2),
        ("half the time", 2),
        ("more often than not", 2),
        ("mor than half", 2),
        ("offen", 2),
        ("not every day, but most days", 2),
        ("5 days a week", 2),
        ("10 days", 2),
        ("2 - more than half the days", 2),
        ("3", 3),
        ("nearly every day", 3),
        ("pretty much every day", 3),
        ("every day", 3),
        ("everyday", 3),
        ("all the time", 3),
        ("always", 3),
        ("constantly", 3),
        ("daily", 3),
        ("24/7", 3),
        ("nearly evry day", 3),
        ("evryday", 3),
        ("allways", 3),
        ("7 days a week", 3),
        ("I'm not sure, nearly every day", 3),
        # A negated count is never a positive option; "not in the last 2 weeks" is not at all.
        ("not once", 0),
        ("not even one day", 0),
        ("not 1 day", 0),
        ("not one day", 0),
        ("never once", 0),
        ("not a single day", 0),
        ("not in the last 2 weeks", 0),
        ("not once in the past two weeks", 0),
        ("I haven't in 2 weeks", 0),
        ("I haven't felt that way in the last 2 weeks", 0),
        # The 2 weeks asked about, or a rate, are not a count of days.
        ("a few times in the last 2 weeks", 1),
        ("twice in 14 days", 1),
        ("once every 2 weeks", 1),
        ("most days for the past 2 weeks", 2),
        # How long it lasted.
        ("the whole 2 weeks", 3),
        ("every day for 2 weeks", 3),
        ("14 days", 3),
        ("all 14 days", 3),
        ("2 weeks straight", 3),
        ("the whole time", 3),
        ("5 days in a row", 1),
        ("1 week", 2),
        ("a week straight", 2),
        ("I couldn't sleep 5 nights", 1),
        # SMS shorthand.
        ("nvr", 0),
        ("a lil", 1),
        ("sumtimes", 1),
        ("evry day", 3),
    ],
)
def test_frequency_phrasings(text, value):
    assert PHQ9_1.parse(text).value == value
    assert GAD7_1.parse(text).value == value


@pytest.mark.parametrize(
    "text",
    [
        "3 or 4",
        "1 or 2",
        "I don't know",
        "idk",
        "not sure",
        "asdfgh",
        "",
        "   ",
        "👍",
        "🙂🙂",
        "x" * 5000,
        "not often",
        "I don't feel it every day",
        "1 nearly every day",
        "sometimes, nearly every day",
        "yes",
        "not 3 days",
        "not 1",
        "not the whole 2 weeks",
        "not every day in the last 2 weeks",
        "for 2 weeks",
        "no, not every day",
        "nope, not often",
    ],
)
def test_unclear_frequency_answers_are_asked_again(text):
    parsed = PHQ9_1.parse(text)
    assert parsed.ok is False and parsed.value is None and parsed.note


@pytest.mark.parametrize("text", ["7", "-1", "4", "12", "20 days", "1.5"])
def test_out_of_range_number_is_not_clipped(text):
    parsed = GAD7_1.parse(text)
    assert parsed.ok is False
    assert "0 to 3" in parsed.note


@pytest.mark.parametrize(
    "item, text, value",
    [
        (FREQUENCY, "never", 0),
        (FREQUENCY, "I don't drink", 0),
        (FREQUENCY, "nope", 0),
        (FREQUENCY, "monthly or less", 1),
        (FREQUENCY, "once a month", 1),
        (FREQUENCY, "a few times a year", 1),
        (FREQUENCY, "twice a month", 2),
        (FREQUENCY, "2-4 times a month", 2),
        (FREQUENCY, "weekly", 2),
        (FREQUENCY, "once a week", 2),
        (FREQUENCY, "2 to 3 times a week", 3),
        (FREQUENCY, "3 times a week", 3),
        (FREQUENCY, "3x a week", 3),
        (FREQUENCY, "on weekends", 3),
        (FREQUENCY, "4 or more times a week", 4),
        (FREQUENCY, "every day", 4),
        (FREQUENCY, "daily", 4),
        (FREQUENCY, "5 times a week", 4),
        (FREQUENCY, "wekly", 2),
        (QUANTITY, "1 or 2", 0),
        (QUANTITY, "2", 0),
        (QUANTITY, "two beers", 0),
        (QUANTITY, "a couple", 0),
        (QUANTITY, "3 or 4", 1),
        (QUANTITY, "3 or 4 drinks", 1),
        (QUANTITY, "4", 1),
        (QUANTITY, "about 2.5", 1),
        (QUANTITY, "5 or 6", 2),
        (QUANTITY, "a six pack", 2),
        (QUANTITY, "7 to 9", 3),
        (QUANTITY, "8 drinks", 3),
        (QUANTITY, "10 or more", 4),
        (QUANTITY, "10+", 4),
        (QUANTITY, "12", 4),
        (HEAVY, "never", 0),
        (HEAVY, "less than monthly", 1),
        (HEAVY, "once a year", 1),
        (HEAVY, "rarely", 1),
        (HEAVY, "monthly", 2),
        (HEAVY, "once a month", 2),
        (HEAVY, "weekly", 3),
        (HEAVY, "every weekend", 3),
        (HEAVY, "twice a week", 3),
        (HEAVY, "daily or almost daily", 4),
        (HEAVY, "almost daily", 4),
        (HEAVY, "5 times a week", 4),
    ],
)
def test_auditc_phrasings(item, text, value):
    assert item.parse(text).value == value


@pytest.mark.parametrize(
    "item, text, note",
    [
        (FREQUENCY, "5", "0 to 4"),
        (HEAVY, "-1", "0 to 4"),
        (QUANTITY, "0", "number of drinks"),
    ],
)
def test_auditc_out_of_range(item, text, note):
    parsed = item.parse(text)
    assert parsed.ok is False and note in parsed.note


@pytest.mark.parametrize(
    "item, text",
    [
        (FREQUENCY, "I don't know"),
        (FREQUENCY, "3 or 4 times a week"),
        (QUANTITY, "2 or 3"),
        (QUANTITY, "none"),
        (QUANTITY, "a lot"),
        (HEAVY, "sometimes weekly sometimes daily"),
    ],
)
def test_auditc_ambiguous(item, text):
    assert item.parse(text).ok is False


def _answers(inst, values):
    return {item.key: value for item, value in zip(inst.items, values, strict=False)}  # fewer values: the first items


def _with_total(inst, total, top):
    """Answers to every item adding up to `total`, each at most `top`."""
    values = []
    for _ in inst.items:
        values.append(min(top, total))
        total -= values[-1]
    assert total == 0
    return _answers(inst, values)


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total, band):
    assert PHQ9.score(_with_total(PHQ9, total, 3)) == Score(total, band, 9, (), True)


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total, band):
    assert GAD7.score(_with_total(GAD7, total, 3)) == Score(total, band, 7, (), True)


@pytest.mark.parametrize(
    "total, band",
    [
        (1, "negative"),
        (2, "negative"),
        (3, "positive"),
        (7, "positive"),
        (8, "positive, high"),
        (12, "positive, high"),
    ],
)
def test_auditc_bands(total, band):
    # Item 1 is at least 1 here: someone who drinks.
    values = [max(1, min(4, total - 8)), 0, 0]
    rest = total - values[0]
    values[1] = min(4, rest)
    values[2] = rest - values[1]
    assert AUDITC.score(_answers(AUDITC, values)) == Score(total, band, 3, (), True)


def test_auditc_never_drinks_asks_one_question_and_scores_zero():
    assert AUDITC.required({}) == ["auditc_1", "auditc_2", "auditc_3"]
    assert AUDITC.required({"auditc_1": 0}) == ["auditc_1"]
    assert AUDITC.required({"auditc_1": 1}) == ["auditc_1", "auditc_2", "auditc_3"]
    assert AUDITC.required({"auditc_1": SKIPPED}) == ["auditc_1", "auditc_2", "auditc_3"]
    assert AUDITC.score({"auditc_1": 0}) == Score(0, "negative", 1, (), True)


def test_auditc_skipped_item_leaves_no_total():
    score = AUDITC.score({"auditc_1": 2, "auditc_2": SKIPPED, "auditc_3": 1})
    assert score == Score(None, None, 2, ("auditc_2",), False)


def test_phq9_prorates_up_to_two_skipped_items():
    one = _answers(PHQ9, [2, 2, 2, 2, 2, 2, 2, 2, SKIPPED])  # 16 of 8 answered -> 16 * 9 / 8 = 18
    assert PHQ9.score(one) == Score(18, "moderately severe", 8, ("phq9_9",), True)
    two = _answers(PHQ9, [1, 1, 1, 1, 1, 1, 1, SKIPPED, SKIPPED])  # 7 * 9 / 7 = 9
    assert PHQ9.score(two) == Score(9, "mild", 7, ("phq9_8", "phq9_9"), True)
    three = _answers(PHQ9, [3, 3, 3, 3, 3, 3, SKIPPED, SKIPPED, SKIPPED])
    assert PHQ9.score(three) == Score(None, None, 6, ("phq9_7", "phq9_8", "phq9_9"), False)


def test_proration_rounds_halves_up():
    # 4 * 9 / 8 = 4.5: rounded up to 5, "mild", rather than Python's round-half-even 4, "minimal".
    answers = _answers(PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, SKIPPED])
    assert PHQ9.score(answers).total == 5
    assert PHQ9.score(answers).band == "mild"


def test_gad7_prorates_one_skipped_item_only():
    one = _answers(GAD7, [3, 3, 3, 3, 3, 0, SKIPPED])  # 15 * 7 / 6 = 17.5 -> 18
    assert GAD7.score(one) == Score(18, "severe", 6, ("gad7_7",), True)
    two = _answers(GAD7, [3, 3, 3, 3, 3, SKIPPED, SKIPPED])
    assert GAD7.score(two) == Score(None, None, 5, ("gad7_6", "gad7_7"), False)


def test_declined_item9_is_prorated_like_a_skipped_one():
    answers = _answers(PHQ9, [2, 2, 2, 2, 2, 2, 2, 2, DECLINED])  # 16 * 9 / 8 = 18
    assert PHQ9.score(answers) == Score(18, "moderately severe", 8, ("phq9_9",), True)


def test_unfinished_instrument_has_no_total():
    assert PHQ9.score({}) == Score(None, None, 0, (), False)
    assert GAD7.score({"gad7_1": 3, "gad7_2": 2}) == Score(None, None, 2, (), False)
    assert PHQ9.required({}) == [f"phq9_{n}" for n in range(1, 10)]


DIFFICULTY_TEXT = (
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?"
)


@pytest.mark.parametrize("inst", [PHQ9, GAD7], ids=lambda inst: inst.key)
def test_difficulty_item_is_verbatim_unscored_and_skippable(inst):
    item = DIFFICULTY[inst.key]
    assert (item.key, item.instrument, item.skippable) == (f"{inst.key}_difficulty", inst.key, True)
    assert item.wording(Context()) == DIFFICULTY_TEXT
    assert item.wording(Context(for_self=False, name="Jordan")) == (
        "If you checked off any problems, how difficult have these problems made it for Jordan to do their work, "
        "take care of things at home, or get along with other people?"
    )
    assert [(c.value, c.label, c.payload) for c in item.choices] == [
        (0, "Not difficult at all", "0"),
        (1, "Somewhat difficult", "1"),
        (2, "Very difficult", "2"),
        (3, "Extremely difficult", "3"),
    ]
    assert item.why and item.help
    assert item not in inst.items and all(q.key != item.key for q in ALL_ITEMS)
    # The total and its bands stay the scored items'.
    answers = {**_with_total(inst, 5, 3), item.key: 3}
    assert inst.score(answers).total == 5


@pytest.mark.parametrize(
    "text, value",
    [
        ("0", 0),
        ("Not difficult at all", 0),
        ("not at all", 0),
        ("not difficult", 0),
        ("no", 0),
        ("nope", 0),
        ("not dificult at all", 0),
        ("1", 1),
        ("Somewhat difficult", 1),
        ("somewhat", 1),
        ("a little", 1),
        ("kinda hard", 1),
        ("somwhat", 1),
        ("not very difficult", 1),
        ("not too bad", 1),
        ("2", 2),
        ("Very difficult", 2),
        ("very", 2),
        ("really hard", 2),
        ("verry hard", 2),
        ("pretty difficult", 2),
        ("3", 3),
        ("Extremely difficult", 3),
        ("extremely", 3),
        ("impossible", 3),
        ("extremly", 3),
        ("almost impossible", 3),
    ],
)
def test_difficulty_phrasings(text, value):
    for item in DIFFICULTY.values():
        assert item.parse(text).value == value


@pytest.mark.parametrize(
    "text, note",
    [
        ("difficult", "wasn't sure"),
        ("hard", "wasn't sure"),
        ("idk", "wasn't sure"),
        ("very or extremely", "wasn't sure"),
        ("", "wasn't sure"),
        ("5", "0 to 3"),
    ],
)
def test_difficulty_unclear_is_asked_again(text, note):
    parsed = DIFFICULTY["phq9"].parse(text)
    assert parsed.ok is False and note in parsed.note


def test_difficulty_is_due_once_any_problem_is_checked():
    assert difficulty_due(PHQ9, {}) is False
    assert difficulty_due(PHQ9, _answers(PHQ9, [0] * 9)) is False
    assert difficulty_due(PHQ9, {**_answers(PHQ9, [0] * 8), "phq9_9": DECLINED}) is False
    assert difficulty_due(PHQ9, {"phq9_1": SKIPPED, "phq9_4": 1}) is True
    assert difficulty_due(GAD7, {"phq9_4": 3}) is False
    assert difficulty_due(GAD7, {"gad7_7": 2}) is True
