"""C-SSRS answers: a no with a qualifier is not a no, and when "within the past 3 months" was."""

from datetime import date

import pytest

from bot.instruments import CSSRS
from bot.instruments.cssrs import WhenParser
from bot.questions import Parsed

ITEMS = {item.key: item for item in CSSRS.items}
YES_NO_ITEMS = [ITEMS[f"cssrs_{n}"] for n in range(1, 7)]
INTENT, PLAN, BEHAVIOUR, RECENT = (ITEMS[key] for key in ("cssrs_4", "cssrs_5", "cssrs_6", "cssrs_6_recent"))
WHEN = WhenParser(today=lambda: date(2026, 6, 5))
by_key = dict(ids=lambda q: q.key)


def reading(parsed: Parsed):
    """The stored value, or "ask again"."""
    return parsed.value if parsed.ok else "ask again"


@pytest.mark.parametrize("item", [INTENT, PLAN], **by_key)
@pytest.mark.parametrize(
    "text",
    [
        "no, not yet but I will",
        "no but soon",
        "not yet",
        "Not yet.",
        "no not yet",
        "no, but I'm about to tonight",
        "not right now",
        "not today",
        "no, not at the moment",
        "no, maybe later",
        "no, someday",
        "not tomorrow",
    ],
)
def test_intent_or_plan_that_is_only_not_yet_is_yes(item, text):
    assert item.parse(text) == Parsed(True, True)


@pytest.mark.parametrize(
    "text",
    [
        "not really, I just wrote a note",
        "no, not since 2019",
        "no not recently",
        "no, not lately",
        "nope, not anymore",
        "no, years ago",
        "not in a long time",
        "no, when I was a teenager",
        "no, I almost did",
        "not really, I gave my things away",
        "no, I stopped myself",
        "no, I changed my mind",
        "I wrote a will",
        "no. I said goodbye to everyone",
        "no, not since I was a kid",
        "I haven't done it yet",
        "no, I attempted before",
    ],
)
def test_behaviour_with_a_qualified_no_is_yes(text):
    # Lifetime behaviour: the recency question comes next.
    assert BEHAVIOUR.parse(text) == Parsed(True, True)


@pytest.mark.parametrize("item", YES_NO_ITEMS, **by_key)
@pytest.mark.parametrize(
    "text",
    ["no, only once", "not often", "not always", "not a lot", "no, once in a while", "rarely", "hardly ever", "a lil"],
)
def test_qualified_no_is_yes_on_every_item(item, text):
    assert item.parse(text) == Parsed(True, True)


EARLIER_THAN_THE_MONTH = [
    "not anymore",
    "no, not lately",
    "nah, not recently",
    "no, but I used to",
    "not for a while",
    "ever since",
]


@pytest.mark.parametrize("item", [ITEMS[key] for key in ("cssrs_1", "cssrs_2", "cssrs_3", "cssrs_6")], **by_key)
@pytest.mark.parametrize("text", EARLIER_THAN_THE_MONTH)
def test_a_no_about_only_recent_times_is_yes_to_thoughts_and_to_lifetime_behaviour(item, text):
    assert item.parse(text) == Parsed(True, True)


@pytest.mark.parametrize("item", [INTENT, PLAN], **by_key)
@pytest.mark.parametrize("text", EARLIER_THAN_THE_MONTH + ["no, not since 2019", "no, when I was a teenager"])
def test_intent_or_plan_before_the_past_month_is_asked_again_not_guessed(item, text):
    # A yes there stops the screening for crisis care; a no could hide intent: neither is read from "not lately".
    assert reading(item.parse(text)) == "ask again"


@pytest.mark.parametrize("item", [INTENT, PLAN], **by_key)
@pytest.mark.parametrize("text", ["not really, I just wrote a note", "no, but I gave my things away"])
def test_preparing_is_yes_to_intent_and_plan_too(item, text):
    assert item.parse(text) == Parsed(True, True)


@pytest.mark.parametrize("item", YES_NO_ITEMS, **by_key)
@pytest.mark.parametrize(
    "text",
    [
        "no, I'm going to try to sleep more",
        "no, I tried to get help",
        "no, I will",
        "I will",
        "no, I might",
        "no, not in the past month",
        "no, not this week",
        "no, never again",
        "no, not a little",
        "not really, I think about it",
        "no, I'm planning",
    ],
)
def test_no_beside_intent_or_action_words_is_asked_again(item, text):
    parsed = item.parse(text)
    assert parsed.ok is False and parsed.note


@pytest.mark.parametrize("item", YES_NO_ITEMS, **by_key)
@pytest.mark.parametrize(
    "text",
    [
        "no",
        "nope",
        "never",
        "no never",
        "not really",
        "no I haven't",
        "nvr",
        "Nvr.",
        "noo",
        "I have never",
        "I've never done anything like that",
        "no, I never tried",
        "I haven't tried anything",
        "I didn't write a note",
        "I never wrote a note",
        "no I will not",
        "I won't",
        "no, and I never will",
        "I'm not going to",
        "no plans",
        "no, I have no plan",
        "I have no intention of doing that",
        "no, I'll be fine",
        "not once",
        "I would never",
        "still no",
        "again, no",
        "I'm tired, no",
        "no, just tired",
        "I have no such thoughts",
        "no chance",
        "not a single time",
    ],
)
def test_real_no_stays_no(item, text):
    assert item.parse(text) == Parsed(True, False)


@pytest.mark.parametrize(
    "text",
    [
        "now",
        "just now",
        "doing it now",
        "happening now",
        "still now",
        "right now",
        "rn",
        "1.5 months ago",
        "2.5 months ago",
        "last night",
        "tonight",
        "an hour ago",
        "last month",
        "13 weeks ago",
        "90 days ago",
        "a month and a half ago",
        "2 or 3 weeks ago",
        "less than a month ago",
        "within the past month",
        "over the last 3 months",
        "2 wks ago",
        "not long ago",
        "in April",
        "in May",
        "several weeks ago",
        "a few months ago",
        "in 2019 and again last week",
    ],
)
def test_within_three_months(text):
    assert WHEN(text) == Parsed(True, True)


@pytest.mark.parametrize(
    "text",
    [
        "more than 3 months ago",
        "over 3 months ago",
        "years ago",
        "I did years ago",
        "20 weeks ago",
        "14 weeks ago",
        "in 2019",
        "2019",
        "back in 2024",
        "not since 2019",
        "I haven't done it since 2019",
        "not in the past 3 months",
        "no, not in the last 3 months",
        "half a year ago",
        "4 mos ago",
        "2 yrs ago",
        "in February",
        "March 2019",
        "it may have been 2019",
        "no, 5 months ago",
    ],
)
def test_not_within_three_months(text):
    assert WHEN(text) == Parsed(True, False)


@pytest.mark.parametrize(
    "text",
    [
        # This year or last year: either.
        "in 2026",
        "2025",
        "last year",
        "since 2019",
        # Part of it may be within: ask.
        "in March",
        "several months ago",
        "3 or 4 months ago",
        "over the past year",
        "more than a month ago",
        "not in the last week",
        "a while ago",
        "no, a while ago",
        # A no beside a time that may be recent, a yes beside one that is not, or no time at all.
        "no, not now",
        "not now",
        "yes, years ago",
        "maybe 5 months ago",
        "I'm fine now",
        "I did",
        "2 weeks",
        "not sure",
        "idk",
        "nvm",
        "",
    ],
)
def test_when_ambiguous_is_asked_again_never_no(text):
    parsed = WHEN(text)
    assert parsed.ok is False and parsed.note


def test_recency_question_dates_years_from_today():
    this_year = date.today().year
    assert RECENT.parse(f"in {this_year - 2}") == Parsed(True, False)
    assert RECENT.parse(f"in {this_year - 1}").ok is False
    assert RECENT.parse(f"in {this_year}").ok is False
    assert RECENT.parse(f"in {this_year + 1}").ok is False
