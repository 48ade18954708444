"""Reading when someone can come: "next Tuesday afternoon", "tomorrow after 5", "any day but Friday".

read_when turns a short answer into windows of time to match offered slots against. The text is scanned by a
list of patterns in order (dates before weekdays, ranges before single times); each match becomes a term and
is blanked so later patterns cannot read it twice. Terms right after "not", "no", "except" (or "but" after
"any...") are exclusions. A phrase that names only the past, or only days beyond the horizon, gives a When
with no windows, so the bot can say "that time has passed" instead of "I didn't understand".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Optional
from zoneinfo import ZoneInfo

Window = tuple[datetime, datetime]
DAY = 24 * 60  # minutes


@dataclass(frozen=True)
class When:
    windows: tuple[Window, ...]  # aware, half-open, sorted, merged, clipped to [now, now + horizon)
    tz: ZoneInfo  # the zone the phrase was read in: the person's own when they named one, else the program's
    named_zone: bool  # True when the person named a zone ("3pm eastern")
    phrase: str  # a short normalised description to echo: "Tuesday Dec 1 afternoon", "after 5 PM tomorrow"


# zone: label, then the words people use for it
_ZONES = {
    "America/New_York": ("Eastern", "eastern", "est", "edt", "et"),
    "America/Chicago": ("Central", "central", "cst", "cdt", "ct"),
    "America/Denver": ("Mountain", "mountain", "mst", "mdt", "mt"),
    "America/Phoenix": ("Arizona", "arizona"),
    "America/Los_Angeles": ("Pacific", "pacific", "pst", "pdt", "pt"),
    "America/Anchorage": ("Alaska", "alaska", "akst", "akdt"),
    "Pacific/Honolulu": ("Hawaii", "hawaii", "hst"),
}
_ZONE_WORD = {word: key for key, (_, *words) in _ZONES.items() for word in words}
_ZONE_RE = re.compile(r"\b(" + "|".join(_ZONE_WORD) + r")\b", re.IGNORECASE)


def zone_named(text: str) -> Optional[ZoneInfo]:
    """The US time zone the text names ("3pm eastern", "10 PT"), else None."""
    found = _ZONE_RE.search(text)
    return ZoneInfo(_ZONE_WORD[found[1].lower()]) if found else None


@dataclass(frozen=True)
class _Term:
    """One thing the text says about days or times. A term with no days and no minutes is "any day/time"."""

    label: str
    day: Optional[date] = None  # a named day: "tomorrow", "Dec 3"
    span: Optional[tuple[date, date]] = None  # a run of days, inclusive: "next week"
    weekdays: frozenset[int] = frozenset()  # a filter: "tuesdays", "weekdays"
    one: bool = False  # a lone "tuesday": the next one, unless a span says which week
    strict: bool = False  # "next tuesday": not today
    minutes: Optional[tuple[int, int]] = None  # [start, end) past local midnight; end may pass midnight
    part: bool = False  # a part of day ("morning"), which reads in the plural for many days
    start: int = 0  # where it was found, for exclusions
    end: int = 0
    negated: bool = False
    clause: int = 0  # which of "monday morning, wednesday afternoon" it is in


_WEEKDAYS = _Term("weekdays", weekdays=frozenset(range(5)))
_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"(mon(?:day)?|tue(?:sday|s)?|wed(?:nesday|s)?|thu(?:rsday|rs|r)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NAMED_DAYS = {"today": 0, "tonight": 0, "tonite": 0, "yesterday": -1}  # the other words are tomorrows
_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_N = r"(\d{1,2}|" + "|".join(_COUNT) + ")"
_PARTS = {
    "morning": (300, 720),
    "afternoon": (720, 1020),
    "evening": (1020, 1260),
    "night": (1020, 1260),
    "lunch": (690, 810),
    "lunchtime": (690, 810),
}
_PART_LABEL = {"night": "evening", "lunch": "lunchtime"}
_T = r"(\d{1,2}(?::\d{2})?(?:\s*(?:[ap]m|o'?clock)\b)?|noon|midday)"  # a clock time; bare digits need context
_NOT_COUNT = r"(?![\d:/-]| ?(?:days?|weeks?|months?|hours?|hrs?|minutes?|mins?|times|x)\b)"  # "2-3 days a week"
_RELATIONS = {
    "after": "after",
    "past": "after",
    "from": "after",
    "since": "after",
    "later than": "after",
    "before": "before",
    "by": "before",
    "until": "before",
    "till": "before",
    "til": "before",
    "earlier than": "before",
    "no later than": "before",
    "at": "at",
    "around": "around",
    "about": "around",
    "approx": "around",
    "approximately": "around",
    "roughly": "around",
}
# "I work 9-5", "I'm busy mornings", "in class until 3" name the times that do not suit.
_NEGATOR = re.compile(
    r"\b(?:not|no|nothing|except(?: for)?|other than|apart from|besides|excluding|can'?t|"
    r"cannot|but|work|working|busy|in class|at school|at work)(?= \w)"
)
_ANY_BEFORE = re.compile(r"\b(?:any|every|all)")  # "but" excludes only after these: "any day but friday"
_FILLER = re.compile(r"(?:\s|\b(?:or|and|nor|on|the|a|an|any|do|free|available|either|at|in)\b|[/&])*")
_LIST = re.compile(r"(?:[\s,/&]|\b(?:or|and|nor|on|the|any|either)\b)*")


def _date_label(d: date, today: date) -> str:
    near = {-1: "yesterday", 0: "today", 1: "tomorrow"}.get((d - today).days)
    return near or f"{_NAMES[d.weekday()]} {_MONTHS[d.month - 1].title()} {d.day}"


def _on(d: date, today: date) -> list[_Term]:
    return [_Term(_date_label(d, today), day=d)]


def _valid(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _dated(month: int, day: int, year: Optional[str], today: date) -> list[_Term]:
    """With no year, the occurrence nearest today: "Jan 5" in November is next year, "Nov 20" is the past."""
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [today.year + n for n in (-1, 0, 1)]
    options = [d for y in years if (d := _valid(y, month, day))]
    return _on(min(options, key=lambda d: abs((d - today).days)), today) if options else []


def _ordinal(m: re.Match[str], today: date) -> list[_Term]:
    """ "the 3rd": this month unless past, else the next month that has that day."""
    months = (today.replace(day=1) + timedelta(days=31 * n) for n in range(3))
    options = [d for first in months if (d := _valid(first.year, first.month, int(m[1]))) and d >= today]
    return _on(options[0], today) if options else []


def _relative(m: re.Match[str], today: date) -> list[_Term]:
    n, unit = m[1] or m[3], m[2] or m[4]
    count = _COUNT.get(n) or int(n)
    return _on(today + timedelta(days=count * (7 if unit == "week" else 1)), today)


def _named_day(m: re.Match[str], today: date) -> list[_Term]:
    word = m[1]
    if word.startswith("this "):  # "this morning"
        return _on(today, today) + _part_term(word[5:])
    evening = _part_term("evening") if word.startswith("toni") else []
    return _on(today + timedelta(days=_NAMED_DAYS.get(word, 1)), today) + evening


def _weekday_index(word: str) -> int:
    return ("mo", "tu", "we", "th", "fr", "sa", "su").index(word[:2])


def _weekday(m: re.Match[str], today: date) -> list[_Term]:
    which, wd = m[1], _weekday_index(m[2])
    if m[3] or which in ("every", "any"):
        return [_Term(_NAMES[wd] + "s", weekdays=frozenset({wd}))]
    if which == "last":
        return _on(today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1), today)
    return [_Term(_NAMES[wd], weekdays=frozenset({wd}), one=True, strict=which == "next")]


def _weekday_range(m: re.Match[str], today: date) -> list[_Term]:
    first, last = _weekday_index(m[1]), _weekday_index(m[2])
    days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
    if days == _WEEKDAYS.weekdays:
        return [_WEEKDAYS]
    return [_Term(f"{_NAMES[first]} to {_NAMES[last]}", weekdays=days)]


def _weekend(m: re.Match[str], today: date) -> list[_Term]:
    if m[2]:
        return [_Term("weekends", weekdays=frozenset({5, 6}))]
    saturday = today + timedelta(days=5 - today.weekday() + (7 if m[1] == "next" else 0))
    return [_Term(f"{m[1] or 'this'} weekend", span=(saturday, saturday + timedelta(days=1)))]


def _week(m: re.Match[str], today: date) -> list[_Term]:
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7 if m[1] == "next" else 0)
    return [_Term(f"{m[1]} week", span=(max(monday, today), monday + timedelta(days=6)))]


def _part_term(word: str) -> list[_Term]:
    word = word.replace(" ", "")
    return [_Term(_PART_LABEL.get(word, word), minutes=_PARTS[word], part=True)]


def _clock(text: str, meridiem: Optional[str] = None) -> Optional[int]:
    """Minutes past midnight. Without am/pm, 1-7 are afternoon, 8-11 morning, 12 noon, 13-23 the 24h clock."""
    if text in ("noon", "midday"):
        return 720
    found = re.match(r"(\d{1,2})(?::(\d{2}))?\s*([ap]m)?", text)
    assert found is not None  # callers pass a time their own pattern matched
    hour, minute, meridiem = int(found[1]), int(found[2] or 0), found[3] or meridiem
    if minute > 59 or hour > (12 if meridiem else 23):
        return None
    if meridiem:
        return None if hour == 0 else (hour % 12 + (12 if meridiem == "pm" else 0)) * 60 + minute
    return (hour + (12 if 1 <= hour <= 7 else 0)) * 60 + minute


def _label(minutes: int) -> str:
    hour, minute = divmod(minutes % DAY, 60)
    if (hour, minute) == (12, 0):
        return "noon"
    return f"{hour % 12 or 12}{f':{minute:02d}' if minute else ''} {'AM' if hour < 12 else 'PM'}"


def _span(m: re.Match[str], today: date) -> list[_Term]:
    """ "1-3pm", "between 11 and 1", "10-2pm": an am/pm on one end reaches the other when that makes sense."""
    a, b = m[1], m[2]
    ma, mb = (re.search(r"[ap]m", t) for t in (a, b))
    end = _clock(b)
    start = _clock(a, mb and mb[0]) if mb and not ma else _clock(a)
    if start is None or end is None:
        return []
    if mb and not ma and start >= end:
        start = _clock(a, "am" if mb[0] == "pm" else "pm")
    elif not mb and end <= start and end < 720:
        end += 720
    end = end or DAY  # "10pm-12am"
    if start is None or end <= start:
        return []
    return [_Term(f"from {_label(start)} to {_label(end)}", minutes=(start, end))]


def _relation(word: str, clock: str) -> list[_Term]:
    """ "after 5", "by 4", "at 3", "around 2" (the hour's slot with half an hour either side)."""
    at, kind = _clock(clock), _RELATIONS[word]
    if at is None or (kind == "before" and at == 0):
        return []
    minutes = {"after": (at, DAY), "before": (0, at), "at": (at, at + 60), "around": (max(0, at - 30), at + 90)}
    return [_Term(f"{kind} {_label(at)}", minutes=minutes[kind])]


_Reader = Callable[[re.Match[str], date], list[_Term]]
_READERS: tuple[tuple[re.Pattern[str], _Reader], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (
            r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])",  # US order: 12/3 is December 3
            lambda m, t: _dated(int(m[1]), int(m[2]), m[3], t),
        ),
        (
            rf"\b{_MONTH}\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b(?! ?(?:[ap]m\b|:))",
            lambda m, t: _dated(_MONTHS.index(m[1][:3]) + 1, int(m[2]), m[3], t),
        ),
        # "3 may work" is not a date: May needs an ordinal or "of"
        (
            rf"\b(\d{{1,2}})(st|nd|rd|th)? (of )?{_MONTH}\b",
            lambda m, t: (
                [] if m[4] == "may" and not (m[2] or m[3]) else _dated(_MONTHS.index(m[4][:3]) + 1, int(m[1]), None, t)
            ),
        ),
        (r"\b(?:the )?(\d{1,2})(?:st|nd|rd|th)\b", _ordinal),
        (r"\b(?:the )?day after (?:tomorrow|tmrw?|tmr)\b", lambda m, t: _on(t + timedelta(days=2), t)),
        (rf"\b(?:in {_N} (day|week)s?|{_N} (day|week)s? from (?:today|now))\b", _relative),
        (r"\b(today|tonight|tonite|yesterday|tomm?orr?ow|tmrw?|this (?:morning|afternoon|evening))\b", _named_day),
        (rf"\b{_DAY} ?(?:-|to|through|thru) ?{_DAY}\b", _weekday_range),
        (rf"\b(?:(this|next|last|every|any) )?{_DAY}(s)?\b", _weekday),
        (r"\bweek ?days?\b", lambda m, t: [_WEEKDAYS]),
        (r"\bweek ?nights?\b", lambda m, t: [_WEEKDAYS, *_part_term("night")]),
        (r"\b(?:(this|next) )?(?:the )?weekend(s)?\b", _weekend),
        (r"\b(this|next) week\b", _week),
        (
            r"\b(?:(?:any|every) ?day|daily|any ?time|whenever|all day)\b",  # names no day or time, but answers
            lambda m, t: [_Term("any day" if "day" in m[0] else "any time")],
        ),
        (
            r"\bafter (work|school)\b",  # the end of a usual working or school day
            lambda m, t: [_Term(f"after {m[1]}", minutes=(17 * 60 if m[1] == "work" else 15 * 60, DAY))],
        ),
        (
            r"\b(before|after) lunch\b",  # lunchtime's edges
            lambda m, t: [_Term(f"{m[1]} lunch", minutes=(0, 690) if m[1] == "before" else (810, DAY))],
        ),
        (r"\b(?:early |late )?(morning|afternoon|evening|night|lunch ?time|lunch)s?\b", lambda m, t: _part_term(m[1])),
        (rf"\bbetween {_T} and {_T}", _span),
        (rf"(?:\bfrom )?(?<![\d:/-]){_T} ?(?:-|to|till|until|til) ?{_T}{_NOT_COUNT}", _span),
        (
            r"\b(" + "|".join(sorted(_RELATIONS, key=len, reverse=True)) + rf") {_T}{_NOT_COUNT}",
            lambda m, t: _relation(m[1], m[2]),
        ),
        (rf"(?<![\d:/]){_T} ?-?ish\b", lambda m, t: _relation("around", m[1])),
        (
            r"(?<![\w:/.-])(\d{1,2}(?::\d{2})? ?[ap]m|\d{1,2}:\d{2}|\d{1,2} ?o'?clock|noon|midday)(?![\w:])",
            lambda m, t: _relation("at", m[1]),
        ),
    )
)


def _scan(text: str, today: date) -> list[_Term]:
    """The terms in the text, in order, with the exclusions marked."""
    terms: list[_Term] = []
    said = text
    for pattern, read in _READERS:
        for found in pattern.finditer(text):
            new = read(found, today)
            if new:
                terms += [replace(term, start=found.start(), end=found.end()) for term in new]
                text = text[: found.start()] + " " * len(found[0]) + text[found.end() :]
    terms = _without_date_weekdays(terms)
    breaks = [b.start() for b in re.finditer(r"[,;/]|\b(?:or|and)\b", text)]
    terms = [replace(term, clause=sum(b < term.start for b in breaks)) for term in terms]
    return _exclude(sorted(terms, key=lambda term: term.start), text, said)


def _without_date_weekdays(terms: list[_Term]) -> list[_Term]:
    """ "Saturday Dec 12", "Dec 12 (Sat)": a weekday right beside a date on that weekday names the date."""

    def beside_its_date(term: _Term) -> bool:
        return term.one and any(
            other.day is not None
            and other.day.weekday() in term.weekdays
            and min(abs(other.start - term.end), abs(term.start - other.end)) <= 3
            for other in terms
        )

    return [term for term in terms if not beside_its_date(term)]


def _exclude(terms: list[_Term], text: str, said: str) -> list[_Term]:
    """Marks the terms right after "not", "no", "except"..., and the list they start: "not mon, wed or fri".
    `text` has the terms blanked out. After a comma the list goes on only if it is still a list ("not
    monday, tuesday or wednesday"), not a new clause ("not monday, tuesday is good")."""
    cuts = [
        n
        for n in _NEGATOR.finditer(said)
        if text[n.start() : n.end()] == n[0] and (n[0] != "but" or _ANY_BEFORE.search(said[: n.start()]))
    ]
    negated, end = False, 0
    for i, term in enumerate(terms):
        gap = text[end : term.start]
        after = text[term.end : next((t.start for t in terms[i:] if t.start >= term.end), len(text))]
        cut = [n for n in cuts if end <= n.start() and n.end() <= term.start]
        if cut:
            negated = bool(_FILLER.fullmatch(text[cut[-1].end() : term.start]))
        else:
            still_list = "," not in gap or _LIST.fullmatch(after.rstrip(".!? "))
            negated = negated and bool(_LIST.fullmatch(gap) and still_list)
        terms[i] = replace(term, negated=negated)
        end = max(end, term.end)
    return terms


def _settle(terms: list[_Term], today: date, negated: bool) -> list[_Term]:
    """A lone "tuesday" is the next Tuesday; with "next week" it is that week's; excluded, it is every one."""
    has_span = any(term.span for term in terms)
    settled = []
    for term in terms:
        if term.one and negated:
            term = replace(term, one=False, label=term.label + "s")
        elif term.one and not has_span:
            (wd,) = term.weekdays
            ahead = (wd - today.weekday()) % 7 or (7 if term.strict else 0)
            term = _on(today + timedelta(days=ahead), today)[0]
        settled.append(term)
    return settled


def _windows(terms: list[_Term], today: date, last: date, zone: ZoneInfo) -> list[Window]:
    """UTC windows from local wall-clock times, so a DST day gets its true length. Named days count whatever
    the horizon (the past is clipped later); spans and weekday filters pick from the days up to `last`."""
    named = {term.day for term in terms if term.day}
    spans = [term.span for term in terms if term.span]
    picks = frozenset().union(*(term.weekdays for term in terms))
    every = [today + timedelta(days=n) for n in range((last - today).days + 1)]
    if not (named or spans or picks):
        named = set(every)  # a time alone ("after 5") is every day
    days = named | {
        d
        for d in every
        if (spans or picks)
        and (not picks or d.weekday() in picks)
        and (not spans or any(a <= d <= b for a, b in spans))
    }
    minutes = [term.minutes for term in terms if term.minutes] or [(0, DAY)]

    def moment(d: date, minute: int) -> datetime:
        d += timedelta(days=minute // DAY)
        return datetime.combine(d, time(minute % DAY // 60, minute % 60), zone).astimezone(timezone.utc)

    return [(moment(d, a), moment(d, b)) for d in days for a, b in minutes]


def _merge(windows: list[Window], low: datetime, high: datetime) -> list[Window]:
    merged: list[Window] = []
    for a, b in sorted((max(a, low), min(b, high)) for a, b in windows):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _subtract(windows: list[Window], cuts: list[Window]) -> list[Window]:
    for c, d in cuts:  # keep what lies before and after each cut
        windows = [piece for a, b in windows for piece in ((a, min(b, c)), (max(a, d), b)) if piece[0] < piece[1]]
    return windows


def _describe(terms: list[_Term]) -> str:
    """ "Tuesday Dec 1 afternoon", "mornings next week", "after 5 PM tomorrow", "at 3 PM on Tuesdays"."""
    days = [term for term in terms if _is_day(term)]
    times = [term for term in terms if term.minutes]
    spans = [term.label for term in days if term.span]
    if spans:  # "Tuesday next week", "weekdays next week"
        picks = " or ".join(term.label for term in days if term.weekdays)
        day = " or ".join([f"{picks} {' or '.join(spans)}".strip()] + [term.label for term in days if term.day])
    else:
        day = " or ".join(dict.fromkeys(term.label for term in days))
    dated = bool(days) and all(term.day for term in days)
    parts = bool(times) and all(term.part for term in times)
    when = " or ".join(dict.fromkeys(term.label + ("s" if parts and not dated else "") for term in times))
    if not day or not when:
        return day or when or next((term.label for term in terms), "any time")  # "any day"
    if parts and dated:  # "tomorrow morning", "this afternoon"
        return f"this {when}" if day == "today" else f"{day} {when}"
    on = "" if re.match(r"today|tomorrow|yesterday|this|next", day) else "on "
    return f"{when} {on}{day}"


def _is_day(term: _Term) -> bool:
    return bool(term.day or term.span or term.weekdays)


def _read(terms: list[_Term], today: date, last: date, zone: ZoneInfo) -> tuple[list[Window], str]:
    wanted = _settle([term for term in terms if not term.negated], today, negated=False)
    unwanted = _settle([term for term in terms if term.negated], today, negated=True)
    windows, phrase = _windows(wanted, today, last, zone), _describe(wanted)
    if unwanted:
        windows = _subtract(windows, _windows(unwanted, today, last, zone))
        phrase += " except " + _describe(unwanted)
    return windows, phrase


def read_when(
    text: str, now: datetime, tz: ZoneInfo, *, horizon_days: int = 60, until: Optional[datetime] = None
) -> Optional[When]:
    """None when the text names no day and no time of day (e.g. "1", "yes", "other times", "cancel").

    Windows are in the zone read (the named one, else `tz`) and clipped to [now, now + horizon_days), or to
    `until` when that comes first (the booking desk's last day ends at midnight, whatever the hour of asking).
    Days that are past or beyond the horizon give a When with no windows and a phrase, e.g. "yesterday".
    """
    named = zone_named(text)
    zone = named or tz
    low = now.astimezone(timezone.utc)
    high = low + timedelta(days=horizon_days)
    if until is not None:
        high = min(high, until.astimezone(timezone.utc))
    today, last = low.astimezone(zone).date(), high.astimezone(zone).date()
    clean = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'").replace("\u2013", "-"))
    terms = _scan(re.sub(r"\b([ap])\.m\b\.?", r"\1m", clean), today)
    if not terms:
        return None
    # "monday morning or wednesday afternoon" pairs each day with its own time; "tuesday or thursday
    # afternoon" (a clause without both) shares the time among all the days.
    clauses = [[term for term in terms if term.clause == c] for c in sorted({term.clause for term in terms})]
    paired = len(clauses) > 1 and all(
        any(map(_is_day, clause)) and any(term.minutes for term in clause) and not any(term.negated for term in clause)
        for clause in clauses
    )
    reads = [_read(clause, today, last, zone) for clause in (clauses if paired else [terms])]
    phrase = " or ".join(phrase for _, phrase in reads) + (f" {_ZONES[named.key][0]} time" if named else "")
    windows = _merge([window for found, _ in reads for window in found], low, high)
    return When(tuple((a.astimezone(zone), b.astimezone(zone)) for a, b in windows), zone, bool(named), phrase)
