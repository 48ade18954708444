"""The shared text helpers: yes/no, numbers, forgiving phrase tables."""

import pytest

from bot.parsing import (
    PhraseTable,
    find_phrases,
    fuzzy_lookup,
    match_key,
    negated_at,
    normalise,
    numbers,
    parse_number,
    parse_yes_no,
    words,
)


def test_normalise_strips_case_accents_and_punctuation():
    assert normalise("  Café, NO!!  ") == "cafe no"
    assert normalise("I don’t") == "i don't"
    assert words("Yes, I do.") == ["yes", "i", "do"]


def test_match_key_drops_apostrophes_and_reads_digit_ranges():
    assert match_key("I don't") == "i dont"
    assert match_key("2-4 times a month") == "2 to 4 times a month"
    assert match_key("non-stop") == "non stop"
    assert match_key("-1") == "-1"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("34", [34.0]),
        ("-1", [-1.0]),
        ("2.5 drinks", [2.5]),
        ("2-4", [2.0, 4.0]),
        ("three", [3.0]),
        ("3 or 4", [3.0, 4.0]),
        ("none of the days", []),
        ("several", []),
    ],
)
def test_numbers(text, expected):
    assert numbers(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("34", 34),
        ("I'm 34", 34),
        ("thirty four", 34),
        ("3 or 4", None),
        ("two three", None),
        ("none", 0),
        ("no idea", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yes!",
        "yeah",
        "yep",
        "y",
        "sure",
        "ok",
        "of course",
        "I do",
        "I have",
        "yes I have",
        "I agree",
        "I don't mind",
        "absolutely",
    ],
)
def test_parse_yes_no_yes(text):
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "nope",
        "nah",
        "n",
        "never",
        "I don't",
        "I dont",
        "I don’t",
        "I haven't",
        "no I haven't",
        "I do not",
        "not really",
        "of course not",
        "absolutely not",
        "I don't think so",
        "nvr",
        "I have never",
        "I've never",
        "not once",
        "I won't",
    ],
)
def test_parse_yes_no_no(text):
    assert parse_yes_no(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "not sure",
        "I'm not sure",
        "I am not sure",
        "I don't know",
        "idk",
        "maybe",
        "no idea",
        "yes and no",
        "not ok",
        "",
        "🤷",
        "blue",
        "I have no idea",
        "now",
    ],
)
def test_parse_yes_no_neither(text):
    assert parse_yes_no(text) is None


def test_phrase_table_prefers_longer_phrases_and_reads_typos():
    table = PhraseTable({"half": 2, "more than half the days": 2, "several days": 1, "every day": 3})
    assert table.find("sevral days").values == [1]
    assert table.find("mor than half the days").values == [2]
    assert table.find("every day, or 7 of them").rest == "or 7 of them"


def test_phrase_table_typo_keeps_first_letter():
    # "ever" is one letter from "never", but it is a different word: it must not become a "no".
    assert PhraseTable({"never": False}).find("ever since").values == []


@pytest.mark.parametrize(
    "entries, text, values",
    [
        ({"no": False, "nope": False}, "now", []),  # "now" is not "no"
        ({"yes": True, "ye": True}, "yet", []),
        ({"not at all": 0, "every day": 3}, "note every day", [3]),  # "note" is not "not"
    ],
)
def test_phrase_table_short_words_are_not_typos(entries, text, values):
    assert PhraseTable(entries).find(text).values == values


def test_phrase_table_still_reads_typos_of_longer_words():
    table = PhraseTable({"never": False, "more than half the days": 2, "maybe": True})
    assert table.find("nver").values == [False]
    assert table.find("morre than hallf the days").values == [2]
    assert table.find("mybe").values == [True]


def test_phrase_table_steady_phrases_survive_a_negator():
    assert PhraseTable({"yet": True}).find("not yet").values == []
    assert PhraseTable({"yet": True}).find("not yet").negated == [True]
    assert PhraseTable({"yet": True}, steady=["yet"]).find("I haven't yet").values == [True]


def test_phrase_table_without_typos():
    assert PhraseTable({"tried": True}).find("tired").values == [True]
    assert PhraseTable({"tried": True}, fuzzy=False).find("tired").values == []


@pytest.mark.parametrize(
    "text, word, negated",
    [
        ("not once", "once", True),
        ("I haven't once", "once", True),
        ("didnt 2 days", "2", True),
        ("not even one day", "one", True),
        ("never 1 day", "1", True),
        ("I spent 3 days", "3", False),
        ("not every day, 3 days", "3", False),
        ("I want 2", "2", False),
    ],
)
def test_negated_at(text, word, negated):
    assert negated_at(text, text.index(word)) is negated


@pytest.mark.parametrize(
    "text, expected",
    [
        ("not every day", []),
        ("I don't feel it every day", []),
        ("not every day, most days", [2]),
        ("not every day but most days", [2]),
        ("every day", [3]),
    ],
)
def test_phrase_table_negation(text, expected):
    table = PhraseTable({"every day": 3, "most days": 2})
    assert table.find(text).values == expected


def test_fuzzy_lookup_and_find_phrases_still_work():
    assert fuzzy_lookup("oregn", {"oregon": "OR", "texas": "TX"}) == "OR"
    assert fuzzy_lookup("xyz", {"oregon": "OR"}) is None
    assert find_phrases("Blue Cross and Aetna", ["blue cross", "aetna", "cigna"]) == ["blue cross", "aetna"]
