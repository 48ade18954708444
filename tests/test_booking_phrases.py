"""Reading when someone can come for an assessment: "next Tuesday afternoon", "tomorrow after 5", "no mornings"."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.booking.phrases import read_when, zone_named

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 26, 10, tzinfo=LA)  # Thursday, 10 AM
END = NOW + timedelta(days=60)  # Monday 2027-01-25, 10 AM


def day(month: int, dom: int) -> date:
    """A day within the 60 days after NOW."""
    return date(2027 if month < 11 else 2026, month, dom)


def at(d: date, hours: float, zone: ZoneInfo = LA) -> datetime:
    """Local wall time `hours` after midnight of `d` (11.5 is 11:30, 24 is the next midnight)."""
    minutes = round(hours * 60)
    return datetime.combine(d + timedelta(days=minutes // 1440), time(minutes % 1440 // 60, minutes % 60), zone)


def joined(windows):
    """Clipped to [NOW, END), sorted, touching windows made one."""
    out = []
    for a, b in sorted((max(a, NOW), min(b, END)) for a, b in windows):
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def on(month: int, dom: int, start: float = 0, end: float = 24):
    return joined([(at(day(month, dom), start), at(day(month, dom), end))])


def daily(start: float, end: float, weekdays=range(7)):
    days = (NOW.date() + timedelta(days=n) for n in range(61))
    return joined([(at(d, start), at(d, end)) for d in days if d.weekday() in weekdays])


NEXT_WEEK = [(at(day(11, 30), 0), at(day(12, 7), 0))]
WEEKDAYS = range(5)

CASES = [
    # days
    ("today", on(11, 26)),  # the part before NOW is dropped
    ("tonight", on(11, 26, 17, 21)),
    ("tomorrow", on(11, 27)),
    ("tmrw", on(11, 27)),
    ("tmr", on(11, 27)),
    ("day after tomorrow", on(11, 28)),
    ("tuesday", on(12, 1)),
    ("tues", on(12, 1)),
    ("this tuesday", on(12, 1)),
    ("next tuesday", on(12, 1)),
    ("thursday", on(11, 26)),  # today is Thursday
    ("thurs", on(11, 26)),
    ("next thursday", on(12, 3)),
    ("mon", on(11, 30)),
    ("weds", on(12, 2)),
    ("sat", on(11, 28)),
    ("tuesdays", daily(0, 24, {1})),
    ("every friday", daily(0, 24, {4})),
    ("this week", [(NOW, at(day(11, 30), 0))]),
    ("next week", NEXT_WEEK),
    ("this weekend", [(at(day(11, 28), 0), at(day(11, 30), 0))]),
    ("weekend", [(at(day(11, 28), 0), at(day(11, 30), 0))]),
    ("next weekend", [(at(day(12, 5), 0), at(day(12, 7), 0))]),
    ("weekdays", daily(0, 24, WEEKDAYS)),
    ("mon-fri", daily(0, 24, WEEKDAYS)),
    ("any day", [(NOW, END)]),
    ("Dec 3", on(12, 3)),
    ("December 3rd", on(12, 3)),
    ("3 December", on(12, 3)),
    ("3rd of dec", on(12, 3)),
    ("12/3", on(12, 3)),
    ("12/03", on(12, 3)),
    ("jan 5", on(1, 5)),  # next year: the nearest Jan 5
    ("the 3rd", on(12, 3)),  # the 3rd of November has passed
    ("the 30th", on(11, 30)),
    ("in 2 days", on(11, 28)),
    ("in a week", on(12, 3)),
    ("a week from today", on(12, 3)),
    ("tuesday or thursday", on(11, 26) + on(12, 1)),
    ("mon/wed", on(11, 30) + on(12, 2)),
    ("mon, wed or fri", on(11, 27) + on(11, 30) + on(12, 2)),
    ("tuesday next week", on(12, 1)),
    # parts of the day, alone: every day
    ("morning", daily(5, 12)),
    ("mornings", daily(5, 12)),
    ("afternoons", daily(12, 17)),
    ("evenings", daily(17, 21)),
    ("nights", daily(17, 21)),
    ("lunchtime", daily(11.5, 13.5)),
    ("after lunch", daily(13.5, 24)),
    # clock times
    ("after 5", daily(17, 24)),
    ("after 5pm", daily(17, 24)),
    ("after 10am", daily(10, 24)),
    ("before noon", daily(0, 12)),
    ("before 3", daily(0, 15)),
    ("by 4", daily(0, 16)),
    ("at 3", daily(15, 16)),
    ("3pm", daily(15, 16)),
    ("3 pm", daily(15, 16)),
    ("3:30pm", daily(15.5, 16.5)),
    ("15:00", daily(15, 16)),
    ("3 p.m.", daily(15, 16)),
    ("at 9", daily(9, 10)),  # 8-11 are mornings
    ("around 2", daily(13.5, 15.5)),
    ("2ish", daily(13.5, 15.5)),
    ("between 1 and 3", daily(13, 15)),
    ("noon", daily(12, 13)),
    ("midday", daily(12, 13)),
    ("1-3pm", daily(13, 15)),
    ("10-2pm", daily(10, 14)),
    ("from 2 to 4", daily(14, 16)),
    # days with times
    ("next tuesday afternoon", on(12, 1, 12, 17)),
    (
        "any morning next week",
        joined([(at(day(11, 30) + timedelta(n), 5), at(day(11, 30) + timedelta(n), 12)) for n in range(7)]),
    ),
    ("tomorrow after 5", on(11, 27, 17, 24)),
    ("tomorrow night", on(11, 27, 17, 21)),
    ("this afternoon", on(11, 26, 12, 17)),
    ("friday at 3", on(11, 27, 15, 16)),
    ("wednesday between 1 and 3", on(12, 2, 13, 15)),
    ("tuesday 1-3", on(12, 1, 13, 15)),
    ("weekday evenings", daily(17, 21, WEEKDAYS)),
    ("weeknights", daily(17, 21, WEEKDAYS)),
    ("saturday morning", on(11, 28, 5, 12)),
    ("12/3 at 10am", on(12, 3, 10, 11)),
    ("dec 3 after 2", on(12, 3, 14, 24)),
    ("tuesday morning or afternoon", on(12, 1, 5, 17)),
    ("tuesday or thursday afternoon", on(11, 26, 12, 17) + on(12, 1, 12, 17)),
    ("wednesday afternoon or thursday morning", on(11, 26, 10, 12) + on(12, 2, 12, 17)),
    ("monday morning, tuesday after 3", on(11, 30, 5, 12) + on(12, 1, 15, 24)),
    # exclusions
    ("any day but friday", daily(0, 24, {0, 1, 2, 3, 5, 6})),
    ("not monday", daily(0, 24, {1, 2, 3, 4, 5, 6})),
    ("anything except mornings", joined(daily(0, 5) + daily(12, 24))),
    ("no mornings", joined(daily(0, 5) + daily(12, 24))),
    ("I can't do mornings", joined(daily(0, 5) + daily(12, 24))),
    ("mornings but not friday", daily(5, 12, {0, 1, 2, 3, 5, 6})),
    ("next week but not monday", [(at(day(12, 1), 0), at(day(12, 7), 0))]),
    ("any day but mon, wed or fri", daily(0, 24, {1, 3, 5, 6})),
    ("tuesday, not mornings", on(12, 1, 0, 5) + on(12, 1, 12, 24)),
    ("I'm not free monday, tuesday is good", on(12, 1)),  # a new clause: Tuesday is wanted
    ("not sure, maybe tuesday", on(12, 1)),
    ("no, tuesday works", on(12, 1)),
    # noise
    ("How about next Tuesday afternoon?", on(12, 1, 12, 17)),
    ("maybe tomorrow after 5", on(11, 27, 17, 24)),
    ("I can do Friday at 3", on(11, 27, 15, 16)),
    ("saturday works for me", on(11, 28)),
    ("sometime next week", NEXT_WEEK),
    ("TOMORROW MORNING!!", on(11, 27, 5, 12)),
    ("friday at 3 may work", on(11, 27, 15, 16)),  # "3 may" is not May 3
    # what does not suit
    ("I work 9-5", joined(daily(0, 9) + daily(17, 24))),
    ("I'm busy mornings", joined(daily(0, 5) + daily(12, 24))),
    ("after work", daily(17, 24)),
    ("tuesday after school", on(12, 1, 15, 24)),
    ("saturday dec 12", on(12, 12)),  # the weekday names the date, not another day
]


@pytest.mark.parametrize("text, expected", CASES)
def test_reads_days_and_times(text, expected):
    when = read_when(text, NOW, LA)
    assert when is not None
    assert list(when.windows) == expected
    assert when.tz == LA and not when.named_zone


@pytest.mark.parametrize("text", [text for text, _ in CASES])
def test_windows_are_aware_sorted_apart_and_inside_the_horizon(text):
    windows = read_when(text, NOW, LA).windows
    for (a, b), following in zip(windows, windows[1:] + ((None, None),), strict=True):
        assert a.utcoffset() is not None and NOW <= a < b <= END
        assert following[0] is None or b < following[0]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "2",
        "yes",
        "no thanks",
        "other times",
        "more",
        "cancel",
        "reschedule",
        "R",
        "C",
        "hello",
        "what is an IOP",
        "503-555-0123",
        "I have 3 kids",
        "feb 30",
        "2-3 days a week",
        "about 3 times a week",
    ],
)
def test_none_when_no_day_or_time_is_named(text):
    assert read_when(text, NOW, LA) is None


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("next tuesday afternoon", "Tuesday Dec 1 afternoon"),
        ("any morning next week", "mornings next week"),
        ("tomorrow after 5", "after 5 PM tomorrow"),
        ("friday at 3", "at 3 PM tomorrow"),
        ("12/3 at 10am", "at 10 AM on Thursday Dec 3"),
        ("weekday evenings", "evenings on weekdays"),
        ("tuesdays", "Tuesdays"),
        ("between 1 and 3", "from 1 PM to 3 PM"),
        ("tonight", "this evening"),
        ("any day but friday", "any day except Fridays"),
        ("anything except mornings", "any time except mornings"),
        ("wednesday afternoon or thursday morning", "Wednesday Dec 2 afternoon or this morning"),
        ("tomorrow at 3pm eastern", "at 3 PM tomorrow Eastern time"),
    ],
)
def test_phrase_to_echo(text, phrase):
    assert read_when(text, NOW, LA).phrase == phrase


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("yesterday", "yesterday"),
        ("today at 9am", "at 9 AM today"),
        ("Nov 20", "Friday Nov 20"),
        ("last tuesday", "Tuesday Nov 24"),
        ("march 3", "Wednesday Mar 3"),  # beyond the horizon
    ],
)
def test_the_past_gives_no_windows_but_a_phrase_to_say_so(text, phrase):
    when = read_when(text, NOW, LA)
    assert when is not None and when.windows == () and when.phrase == phrase


def test_what_is_left_of_today_counts():
    assert list(read_when("today morning", NOW, LA).windows) == on(11, 26, 10, 12)


def test_this_and_next_on_the_day_itself():
    tuesday = datetime(2026, 12, 1, 10, tzinfo=LA)
    for text, start in (
        ("tuesday", at(date(2026, 12, 1), 10)),
        ("this tuesday", at(date(2026, 12, 1), 10)),
        ("next tuesday", at(date(2026, 12, 8), 0)),
    ):
        assert read_when(text, tuesday, LA).windows[0][0] == start


def test_an_ordinal_already_past_is_next_month():
    when = read_when("the 3rd", datetime(2026, 12, 5, 9, tzinfo=LA), LA)
    assert when.windows[0] == (at(date(2027, 1, 3), 0), at(date(2027, 1, 4), 0))


def test_morning_on_the_day_clocks_fall_back_is_local_time():
    friday = datetime(2026, 10, 30, 9, tzinfo=LA)
    ((start, end),) = read_when("sunday morning", friday, LA).windows
    assert (start.hour, end.hour, start.date()) == (5, 12, date(2026, 11, 1))
    assert start.utcoffset() == end.utcoffset() == timedelta(hours=-8)  # after the 2 AM change
    assert end.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(hours=7)
    ((start, end),) = read_when("saturday morning", friday, LA).windows
    assert start.utcoffset() == timedelta(hours=-7)
    ((start, end),) = read_when("sunday", friday, LA).windows  # a 25-hour day
    assert end.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(hours=25)
    ((start, end),) = read_when("sunday before 3", friday, LA).windows
    assert (start.utcoffset(), end.utcoffset()) == (timedelta(hours=-7), timedelta(hours=-8))
    assert end.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(hours=16)


def test_a_day_when_clocks_spring_forward_is_23_hours():
    ((start, end),) = read_when("sunday", datetime(2027, 3, 11, 9, tzinfo=LA), LA).windows
    assert start == at(date(2027, 3, 14), 0)
    assert end.astimezone(timezone.utc) - start.astimezone(timezone.utc) == timedelta(hours=23)


def test_a_named_zone_reads_the_phrase_in_that_zone():
    when = read_when("tomorrow at 3pm eastern", NOW, LA)
    assert when.windows == ((at(day(11, 27), 15, NY), at(day(11, 27), 16, NY)),)
    assert when.windows[0][0].tzinfo == NY and when.tz == NY and when.named_zone
    assert when.windows[0][0].astimezone(LA).hour == 12


def test_tomorrow_is_the_named_zones_tomorrow():
    late = datetime(2026, 11, 26, 22, tzinfo=LA)  # already Friday 1 AM in New York
    when = read_when("tomorrow 3pm ET", late, LA)
    assert when.windows == ((at(day(11, 28), 15, NY), at(day(11, 28), 16, NY)),)


def test_naming_the_programs_own_zone_still_counts_as_named():
    when = read_when("friday 10am pacific", NOW, LA)
    assert when.named_zone and when.tz == LA and when.windows == tuple(on(11, 27, 10, 11))


def test_now_may_be_in_any_zone():
    assert read_when("tuesdays after 5", NOW.astimezone(timezone.utc), LA) == read_when("tuesdays after 5", NOW, LA)


def test_horizon_limits_the_days():
    assert len(read_when("tuesdays", NOW, LA, horizon_days=14).windows) == 2
    assert read_when("jan 5", NOW, LA, horizon_days=30).windows == ()


def test_until_ends_the_horizon_at_a_day_boundary_whatever_the_hour():
    midnight = datetime(2026, 12, 18, tzinfo=LA)  # the desk's last bookable day is Dec 17
    for now in (NOW, NOW.replace(hour=23)):
        day_after = read_when("december 18", now, LA, horizon_days=22, until=midnight)
        assert day_after is not None and day_after.windows == () and day_after.phrase == "Friday Dec 18"
        assert read_when("december 17", now, LA, horizon_days=22, until=midnight).windows


@pytest.mark.parametrize(
    "text, zone",
    [
        ("3pm eastern", "America/New_York"),
        ("10 EST", "America/New_York"),
        ("noon ET", "America/New_York"),
        ("central time", "America/Chicago"),
        ("2 CT", "America/Chicago"),
        ("mountain", "America/Denver"),
        ("9am MT", "America/Denver"),
        ("arizona", "America/Phoenix"),
        ("pacific", "America/Los_Angeles"),
        ("PT", "America/Los_Angeles"),
        ("4 PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("alaska time", "America/Anchorage"),
        ("hawaii", "Pacific/Honolulu"),
    ],
)
def test_zone_named(text, zone):
    assert zone_named(text) == ZoneInfo(zone)


@pytest.mark.parametrize("text", ["tomorrow at 3", "the earliest", "best", "", "GMT", "pet"])
def test_no_zone_named(text):
    assert zone_named(text) is None
