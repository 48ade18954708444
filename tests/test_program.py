"""program.yml loading: the example program's facts, duty hours, and validation errors naming the field."""

from __future__ import annotations

import copy
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.program import (
    DEFAULT_PROGRAM_FILE,
    PROGRAM_FILE_ENV,
    US_STATES,
    ProgramError,
    days_text,
    join_words,
    load_program,
    time_span_text,
)

PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "program.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_example_program_loads_with_its_facts():
    program = load_program()
    assert program.name == "Riverbend Behavioral Health"
    assert program.short_name == "Riverbend IOP"
    assert program.phone == "503-555-0100"
    assert program.timezone == "America/Los_Angeles"
    assert program.states == ("OR", "WA")
    assert (program.ages.low, program.ages.high) == (13, 64)
    assert [t.key for t in program.tracks] == ["adult_day", "adult_evening", "teen_after_school"]
    assert program.treated == ("depression", "anxiety", "bipolar", "ptsd_trauma", "substance_use")
    assert list(program.not_treated) == ["eating_disorder"]
    assert program.crisis_line.phone == "503-555-0199"
    assert str(program.crisis_line.hours) == "24/7"
    assert program.self_pay.scale_text == "$35 to $150 per session"
    assert program.accreditation == ("The Joint Commission",)
    kaiser = next(i for i in program.insurers if i.name == "Kaiser Permanente")
    assert kaiser.in_network is False and "kp" in kaiser.aliases


def test_tracks_carry_schedule_age_and_modality():
    program = load_program()
    day, evening, teen = program.tracks
    assert (day.days, day.start, day.end) == ((0, 1, 3), time(9), time(12))
    assert day.schedule_text == "Mon, Tue, Thu 9am-12pm"
    assert day.modality_text == "in person or by telehealth"
    assert day.offers("in_person") and day.offers("telehealth")
    assert evening.schedule_text == "Mon-Thu 6-9pm"
    assert evening.location is None and not evening.offers("in_person")
    assert teen.schedule_text == "Mon, Wed, Thu 3:30-6:30pm"
    assert 15 in teen.ages and 18 not in teen.ages
    assert [t.hours_per_week for t in program.tracks] == [9, 12, 9]


def test_track_by_key():
    program = load_program()
    assert program.track_by_key("adult_evening").name == "Adult Evening"
    with pytest.raises(KeyError, match="no track 'weekend'"):
        program.track_by_key("weekend")


def test_staff_hours_text():
    assert str(load_program().staff_hours) == "Mon-Fri 8am-6pm, Sat 9am-1pm"


@pytest.mark.parametrize(
    "at, on_duty",
    [
        (datetime(2025, 6, 2, 10, 0, tzinfo=PACIFIC), True),  # Monday morning
        (datetime(2025, 6, 2, 7, 59, tzinfo=PACIFIC), False),
        (datetime(2025, 6, 2, 18, 0, tzinfo=PACIFIC), False),  # closing time is off duty
        (datetime(2025, 6, 7, 12, 30, tzinfo=PACIFIC), True),  # Saturday
        (datetime(2025, 6, 7, 13, 0, tzinfo=PACIFIC), False),
        (datetime(2025, 6, 8, 10, 0, tzinfo=PACIFIC), False),  # Sunday
        (datetime(2025, 6, 2, 16, 0, tzinfo=timezone.utc), True),  # 9:00 PDT
        (datetime(2025, 6, 3, 2, 0, tzinfo=timezone.utc), False),  # 19:00 PDT Monday
        (datetime(2025, 1, 6, 16, 30, tzinfo=timezone.utc), True),  # 8:30 PST in winter
        (datetime(2025, 1, 6, 15, 30, tzinfo=timezone.utc), False),  # 7:30 PST
    ],
)
def test_staff_on_duty_in_program_time_zone(at, on_duty):
    assert load_program().staff_on_duty(at) is on_duty


def test_staff_on_duty_refuses_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        load_program().staff_on_duty(datetime(2025, 6, 2, 10, 0))


@pytest.mark.parametrize(
    "at, back",
    [
        (datetime(2025, 6, 2, 10, 0, tzinfo=PACIFIC), "10am today"),  # on duty: now
        (datetime(2025, 6, 2, 6, 15, tzinfo=PACIFIC), "8am today"),
        (datetime(2025, 6, 2, 18, 0, tzinfo=PACIFIC), "8am tomorrow"),
        (datetime(2025, 6, 6, 23, 0, tzinfo=PACIFIC), "9am tomorrow"),  # Friday night: Saturday opens at 9
        (datetime(2025, 6, 7, 13, 0, tzinfo=PACIFIC), "8am on Monday"),  # Saturday afternoon
        (datetime(2025, 6, 3, 4, 0, tzinfo=timezone.utc), "8am tomorrow"),  # 21:00 PDT Monday
    ],
)
def test_when_staff_are_back_in_words(at, back):
    assert load_program().staff_back_text(at) == back


def test_a_program_open_one_morning_a_week_is_back_next_week(tmp_path, example):
    data = copy.deepcopy(example)
    data["staff_hours"] = {"mon": "09:30-10:00"}
    program = load_program(write(tmp_path, data))
    assert program.staff_back_text(datetime(2025, 6, 2, 11, 0, tzinfo=PACIFIC)) == "9:30am next Monday"


def test_places_for_a_higher_level_of_care():
    first, second = load_program().inpatient
    assert (first.name, first.phone, str(first.hours)) == (
        "Willamette Crisis Stabilization Center",
        "503-555-0150",
        "24/7",
    )
    assert second.address == "400 NE Sample St, Vancouver, WA"
    assert str(second.hours) == "Mon-Fri 8am-8pm, Sat 10am-4pm"


def test_us_states_has_50_states_dc_and_pr():
    assert len(US_STATES) == 52
    assert US_STATES["OR"] == "Oregon"
    assert US_STATES["DC"] == "District of Columbia"
    assert US_STATES["PR"] == "Puerto Rico"


def test_wording_helpers():
    assert days_text([0, 1, 2, 3, 4]) == "Mon-Fri"
    assert days_text([5, 6]) == "Sat, Sun"
    assert days_text([0, 2, 3, 4, 6]) == "Mon, Wed-Fri, Sun"
    assert time_span_text(8 * 60, 18 * 60) == "8am-6pm"
    assert time_span_text(12 * 60, 13 * 60 + 30) == "12-1:30pm"
    assert time_span_text(0, 24 * 60) == "all day"
    assert join_words(["Aetna"]) == "Aetna"
    assert join_words(["Oregon", "Washington"], "or") == "Oregon or Washington"
    assert join_words(["a", "b", "c"]) == "a, b, and c"


def test_program_file_from_environment(tmp_path, monkeypatch, example):
    data = copy.deepcopy(example)
    data["name"] = "Cedar Hollow Counseling"
    monkeypatch.setenv(PROGRAM_FILE_ENV, str(write(tmp_path, data)))
    assert load_program().name == "Cedar Hollow Counseling"
    assert load_program(DEFAULT_PROGRAM_FILE).name == "Riverbend Behavioral Health"


def test_valid_variations_load(tmp_path, example):
    data = copy.deepcopy(example)
    data["staff_hours"] = {"Monday": ["08:00-12:00", "13:00-17:00"], "sun": "closed"}
    data["states"] = ["or", "wa", "id"]
    data["minor_consent_ages"] = {"or": 14, "WA": 13, "Id": 18}
    data["tracks"][0]["ages"] = {"min": 16, "max": 64}  # overlapping track ages are fine
    program = load_program(write(tmp_path, data))
    assert str(program.staff_hours) == "Mon 8am-12pm and 1-5pm"
    assert program.states == ("OR", "WA", "ID")
    assert (program.minor_consent_age("ID"), program.minor_consent_age("or")) == (18, 14)


def test_minor_consent_age_per_state():
    program = load_program()
    assert program.minor_consent_age("OR") == 14  # ORS 109.675
    assert program.minor_consent_age("wa") == 13  # RCW 71.34.530
    assert program.minor_consent_age("CA") is None  # not served


def test_step_down_window():
    assert load_program().step_down_days == 30


_DELETE = object()  # _set value that removes the key


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """Mutation setting a dotted path ("tracks.0.hours_per_week") in the example data."""

    def mutate(data: dict) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return mutate


@pytest.mark.parametrize(
    "mutate, message",
    [
        (_set("name", _DELETE), "name: is missing"),
        (_set("name", "  "), "name: should be non-empty text"),
        (_set("timezone", "Pacific/Portland"), "timezone: 'Pacific/Portland' is not a known time zone"),
        (
            _set("tracks.1.hours_per_week", 6),
            "tracks[1].hours_per_week: 6 is under 9: an IOP gives at least 9 hours a week",
        ),
        (_set("tracks.1.hours_per_week", 20), "tracks[1].hours_per_week: 20 is partial hospitalization level"),
        (
            _set("tracks.0.hours_per_week", 10),
            "tracks[0].hours_per_week: 10 is more than the schedule allows (9 hours a week)",
        ),
        (_set("tracks.0.hours_per_week", "nine"), "tracks[0].hours_per_week: should be a number"),
        (_set("states.1", "XX"), "states[1]: 'XX' is not a US state code"),
        (_set("states", []), "states: should be a list of two-letter state codes"),
        (_set("tracks.0.start", 540), 'tracks[0].start: write times as quoted 24-hour text like "09:00", not 540'),
        (_set("tracks.0.end", "8:00"), "tracks[0].end: should be after start"),
        (_set("tracks.0.start", "25:00"), "tracks[0].start: '25:00' is not a time of day"),
        (_set("tracks.2.part_of_day", "lunch"), "tracks[2].part_of_day: 'lunch' should be one of morning, afternoon"),
        (
            _set("tracks.2.part_of_day", "evening"),
            "tracks[2].part_of_day: should be 'afternoon' for a track starting at 15:30",
        ),
        (
            _set("tracks.0.part_of_day", "weekend"),
            "tracks[0].part_of_day: is 'weekend' exactly when every day is sat or sun",
        ),
        (
            _set("tracks.0.modality", "hybrid"),
            "tracks[0].modality: 'hybrid' should be one of in_person, telehealth, both",
        ),
        (_set("tracks.2.location", _DELETE), "tracks[2].location: is missing"),
        (_set("tracks.0.days", ["mon", "mon", "tue"]), "tracks[0].days: lists a day twice"),
        (_set("tracks.0.days.2", "thursday-ish"), "tracks[0].days[2]: 'thursday-ish' is not a day"),
        (
            _set("tracks.2.ages", {"min": 12, "max": 17}),
            "tracks[2].ages: 12 to 17 is outside the program's ages (13 to 64)",
        ),
        (_set("tracks.1.key", "adult_day"), "tracks[1].key: 'adult_day' is used by another track"),
        (_set("tracks.1.key", "Adult Evening"), "tracks[1].key: 'Adult Evening' should be lower_snake_case"),
        (_set("tracks", []), "tracks: should be a list with at least one track"),
        (_set("ages", {"min": 65, "max": 13}), "ages: min (65) should be 0 or more and not above max (13)"),
        (_set("phone", "555-0100"), "phone: '555-0100' is not a 10-digit US phone number"),
        (_set("crisis_line.phone", _DELETE), "crisis_line.phone: is missing"),
        (_set("inpatient", _DELETE), "inpatient: is missing"),
        (_set("inpatient", []), "inpatient: should list at least one hospital or crisis centre"),
        (_set("inpatient.0.phone", "555-0150"), "inpatient[0].phone: '555-0150' is not a 10-digit US phone number"),
        (_set("inpatient.0.address", _DELETE), "inpatient[0].address: is missing"),
        (_set("inpatient.1.hours.mon", "20:00-08:00"), "inpatient[1].hours.mon: '20:00-08:00' ends before it starts"),
        (_set("website", "example.org"), "website: 'example.org' should be a full address starting with https://"),
        (_set("staff_hours.mon", "18:00-08:00"), "staff_hours.mon: '18:00-08:00' ends before it starts"),
        (_set("staff_hours.mon", ["08:00-12:00", "11:00-14:00"]), "staff_hours.mon: has overlapping time windows"),
        (_set("staff_hours", {"sun": "closed"}), "staff_hours: has no open hours"),
        (_set("staff_hours.funday", "08:00-12:00"), "staff_hours.funday: 'funday' is not a day"),
        (_set("concerns.treated.0", "sadness"), "concerns.treated[0]: 'sadness' should be one of depression"),
        (
            _set("concerns.not_treated.depression", "Elsewhere."),
            "concerns.not_treated.depression: 'depression' is also listed as treated",
        ),
        (_set("insurers.2.in_network", "yes"), "insurers[2].in_network: should be true or false"),
        (_set("insurers.2.aliases", ["aetna", "uhc"]), "insurers[2].aliases: 'uhc' already names UnitedHealthcare"),
        (
            _set("self_pay.sliding_scale.max", 10),
            "self_pay.sliding_scale: min (35) should be 0 or more and not above max (10)",
        ),
        (_set("minor_consent_ages", _DELETE), "minor_consent_ages: is missing"),
        (
            _set("minor_consent_ages", {"OR": 14}),
            "minor_consent_ages: should give an age for every state served (missing: WA)",
        ),
        (_set("minor_consent_ages.CA", 12), "minor_consent_ages.CA: 'CA' is not one of the states served (OR, WA)"),
        (_set("minor_consent_ages.OR", 21), "minor_consent_ages.OR: 21 should be from 0 to 18"),
        (_set("minor_consent_ages.WA", "13"), "minor_consent_ages.WA: should be a whole number, not '13'"),
        (_set("step_down_days", _DELETE), "step_down_days: is missing"),
        (_set("step_down_days", 90), "step_down_days: 90 should be from 7 to 30 days"),
        (_set("step_down_days", 3), "step_down_days: 3 should be from 7 to 30 days"),
        (_set("step_down_days", "30"), "step_down_days: should be a whole number, not '30'"),
        (_set("faq.cost", _DELETE), "faq.cost: is missing"),
        (_set("faq.cost", "Call {phone} or {fax}."), "faq.cost: unknown placeholder {fax}"),
        (_set("faq.cost", "Prices { vary."), "faq.cost: has an unmatched { or }"),
        (_set("faq.parking", "Free."), "faq.parking: is not a topic"),
    ],
)
def test_validation_errors_name_the_field(tmp_path, example, mutate, message):
    data = copy.deepcopy(example)
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ProgramError) as error:
        load_program(path)
    assert str(error.value).startswith(f"{path.resolve()}: ")
    assert message in str(error.value)


def test_unquoted_yaml_time_is_explained(tmp_path):
    # YAML 1.1 reads unquoted 18:00 as the number 1080; the error should say how to write it.
    text = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8").replace('start: "18:00"', "start: 18:00")
    path = tmp_path / "program.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProgramError, match=r"tracks\[1\]\.start: write times as quoted 24-hour text"):
        load_program(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("- just\n- a list\n", "the file: should be a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
        ("", "the file: should be a mapping"),
    ],
)
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "program.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProgramError, match=message):
        load_program(path)


def test_missing_file(tmp_path):
    with pytest.raises(ProgramError, match="cannot read the program file"):
        load_program(tmp_path / "nowhere.yml")


def test_every_mistake_is_named_on_its_own_line_in_the_order_of_the_file(tmp_path, example):
    data = copy.deepcopy(example)
    data["phone"] = "555-0100"
    data["tracks"][0]["colour"] = "blue"  # a key no track has
    data["faq"]["cost"] = "Call {fax}."
    path = write(tmp_path, data)
    with pytest.raises(ProgramError) as error:
        load_program(path)
    lines = str(error.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["phone", "tracks[0].colour", "faq.cost"]
    assert all(line.startswith(f"{path.resolve()}: ") for line in lines)
    assert "tracks[0].colour: is not a key here (they are key, name, ages, days," in lines[1]


def test_a_misspelt_optional_setting_is_refused_not_ignored(tmp_path, example):
    data = copy.deepcopy(example)
    data["widget_idle_minute"] = 10  # would otherwise leave the default of 30 in force
    with pytest.raises(ProgramError, match=r"widget_idle_minute: is not a setting of the program \(they are name,"):
        load_program(write(tmp_path, data))


def test_the_loaded_program_cannot_be_changed():
    program = load_program()
    with pytest.raises(TypeError):
        program.name = "Elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        program.tracks[0].ages.low = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        program.faq["cost"] = "Free."  # type: ignore[index]
