"""The intake questions, in the order the screening asks them (the engine may skip some).

Wording is short and plain for SMS. `text_other` is used when someone asks on another person's behalf;
{name} is that person's first name. consent, for_whom and first_name come before the name is known, so
their wording never uses it.
"""

from __future__ import annotations

from bot.intake.care import CARE_BUTTONS, RECENT_STOP_DAYS, parse_alcohol_use, parse_current_care
from bot.intake.concerns import parse_concerns
from bot.intake.coverage import parse_carrier, parse_holder, parse_holder_other, parse_member_id
from bot.intake.person import parse_age, parse_consent, parse_first_name, parse_for_whom
from bot.intake.place import parse_state
from bot.intake.schedule import TIMES, parse_days, parse_modality, parse_times, parse_transport
from bot.questions import Choice, Question

_CARE_LABELS = {
    "therapist": "A therapist",
    "psychiatrist": "A psychiatrist",
    "recent_discharge": "Left a hospital or residential program",
    "none": "None of these",
}
_TIME_LABELS = {"morning": "Mornings", "afternoon": "Afternoons", "evening": "Evenings", "weekend": "Weekends"}

_QUESTIONS = (
    Question(
        key="consent",
        text="Is it OK to start?",
        parse=parse_consent,
        choices=(Choice(True, "Yes, let's start", "yes"), Choice(False, "Not now", "no")),
        why="We only ask questions if you agree. Your answers go to the program's intake team to help set up an "
        "assessment.",
        help="Say yes to start the questions, or no if now isn't a good time.",
        skippable=False,
    ),
    Question(
        key="for_whom",
        text="Are you asking for yourself or for someone else?",
        parse=parse_for_whom,
        choices=(Choice("self", "For me", "self"), Choice("other", "For someone else", "other")),
        why="If you're asking for someone else, like your child or partner, I'll ask the questions about them.",
        help='Say "for me" if this is about you, or "someone else", for example "my son".',
        skippable=False,
    ),
    Question(
        key="first_name",
        text="What's your first name?",
        text_other="What's the first name of the person you're asking about?",
        parse=parse_first_name,
        why="So we can use the right name, and the team knows who to ask for when they call.",
        help="Just a first name or nickname, in letters, like Sam.",
        skippable=False,
    ),
    Question(
        key="age",
        text="How old are you?",
        text_other="How old is {name}?",
        parse=parse_age,
        why="Programs are set up for certain age groups, so age helps us see whether this one fits.",
        help="Type the age in years as a number, like 34.",
        skippable=False,
    ),
    Question(
        key="state",
        text="Which state do you live in?",
        text_other="Which state does {name} live in?",
        parse=parse_state,
        why="The program is licensed to treat people in certain states only.",
        help="Type the state's name, like Oregon, or its 2-letter code, like OR.",
        skippable=False,
    ),
    Question(
        key="concerns_text",
        text="In a few words, what's been going on that brings you here?",
        text_other="In a few words, what's been going on with {name}?",
        parse=parse_concerns,
        why="It helps the team understand what support you're looking for before the assessment. It's not a diagnosis.",
        help="Anything is fine, for example: feeling down, worry or panic, mood swings, trauma, drinking or "
        "drugs, or eating. A few words is enough.",
    ),
    Question(
        key="current_care",
        text="Are you seeing a therapist or psychiatrist now, or did you leave a hospital or residential "
        "program in the last month? You can pick more than one.",
        text_other="Is {name} seeing a therapist or psychiatrist now, or did they leave a hospital or "
        "residential program in the last month? You can pick more than one.",
        parse=parse_current_care,
        choices=tuple(Choice(option, _CARE_LABELS[option], option) for option in CARE_BUTTONS),
        why="It helps the team see how the program would fit with care you already have.",
        help="You can say a therapist, a psychiatrist, just left the hospital, or none. More than one is fine. "
        "If you left a hospital or program, saying when helps too.",
        # An earlier stay is read from words only; "10 days ago" (when a discharge was) is shown as it is.
        meta={"multiple": True, "labels": {"earlier_stay": "A hospital or residential stay before the last month"}},
    ),
    Question(
        key="alcohol_use",
        text="In the past year, have you had any alcohol, even occasionally?",
        text_other="In the past year, has {name} had any alcohol, even occasionally?",
        parse=parse_alcohol_use,
        choices=(Choice("drinks", "Yes", "yes"), Choice("none", "No", "no")),
        why="If so, we ask three short standard questions about drinking in the past year, because alcohol can "
        "affect mood and treatment, and stopping heavy drinking suddenly can need medical care.",
        help="Say yes if there was any alcohol in the past year, even now and then or if it has stopped since, or "
        "no if there wasn't. If it stopped, saying when helps.",
        meta={
            "labels": {
                "daily": "Yes, every day",
                "stopped": "Yes, and has stopped",
                "stopped_recently": f"Yes, and stopped in the last {RECENT_STOP_DAYS} days",
            }
        },
    ),
    Question(
        key="schedule_times",
        text="What times could you usually come? Mornings, afternoons, evenings or weekends? You can pick "
        "more than one.",
        text_other="What times could {name} usually come? Mornings, afternoons, evenings or weekends? You can "
        "pick more than one.",
        parse=parse_times,
        choices=tuple(Choice(part, _TIME_LABELS[part], part) for part in TIMES),
        why="Groups meet at set times, usually about 3 hours at a time, so we look for times that work.",
        help="For example: mornings, after 5, evenings and weekends, or any time.",
        meta={"multiple": True},
    ),
    Question(
        key="schedule_days",
        text="How many days a week could you come? Most programs like this meet 3 to 5 days a week.",
        text_other="How many days a week could {name} come? Most programs like this meet 3 to 5 days a week.",
        parse=parse_days,
        choices=tuple(Choice(n, f"{n} day" if n == 1 else f"{n} days", str(n)) for n in range(1, 8)),
        why="An intensive outpatient program usually meets 3 to 5 days a week, about 3 hours a day.",
        help="A number from 1 to 7, like 3, or the days, like mon wed fri.",
    ),
    Question(
        key="modality",
        text="Would you prefer sessions in person, online by video, or either?",
        text_other="Would {name} prefer sessions in person, online by video, or either?",
        parse=parse_modality,
        choices=(
            Choice("in_person", "In person", "in_person"),
            Choice("telehealth", "Online (video)", "telehealth"),
            Choice("either", "Either works", "either"),
        ),
        why="Some groups meet in person and some online, so this helps us suggest the right one.",
        help="Say in person, online, or either.",
    ),
    Question(
        key="transport",
        text="Is transportation a problem for getting to appointments?",
        text_other="Is transportation a problem for {name} getting to appointments?",
        parse=parse_transport,
        choices=(Choice(True, "Yes, it's hard", "yes"), Choice(False, "No, that's fine", "no")),
        why="If getting there is hard, the team can talk about online sessions or other options.",
        help="Say yes if getting to appointments would be hard, or no if it's not a problem.",
    ),
    Question(
        key="insurance_carrier",
        text="What health insurance do you have? The company name is enough, or say none.",
        text_other="What health insurance does {name} have? The company name is enough, or say none.",
        parse=parse_carrier,
        why="So the team can check whether the program works with the plan before the assessment.",
        help="Type the company name from the insurance card, like Aetna or Medicaid. If there's no "
        "insurance, say none.",
    ),
    Question(
        key="insurance_holder",
        text="Whose plan is it: your own, a parent's, or a spouse's or partner's?",
        text_other="Whose plan is {name} on: their own, a parent's, or a spouse's or partner's?",
        parse=parse_holder,
        parse_other=parse_holder_other,
        choices=(
            Choice("self", "Own plan", "self"),
            Choice("parent", "A parent's", "parent"),
            Choice("spouse_partner", "A spouse's or partner's", "spouse_partner"),
            Choice("other", "Someone else's", "other"),
        ),
        why="Insurers ask who the policy holder is when the team checks coverage.",
        help="Say own, parent, spouse or partner, or someone else.",
        # Values no button sends, as staff read them.
        meta={"labels": {"respondent": "The plan of the person answering (parent, guardian or partner)"}},
    ),
    Question(
        key="member_id",
        text="If you have your insurance card handy, what's the member ID? You can say skip.",
        text_other="If you have {name}'s insurance card handy, what's the member ID? You can say skip.",
        parse=parse_member_id,
        why="With the member ID the team can check coverage before the assessment. It's fine to skip; they "
        "can get it later.",
        help="The member ID is on the front of the card: letters and numbers, like ABC123456. Or say skip.",
    ),
)

INTAKE: dict[str, Question] = {question.key: question for question in _QUESTIONS}
