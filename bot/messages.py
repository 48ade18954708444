"""What the bot says around the questions: the introduction, re-asks, endings. Program facts come from
program.yml; nothing here diagnoses, and nothing here echoes what the person typed."""

from __future__ import annotations

from datetime import datetime

from bot.dialogue import is_safety_question
from bot.program import Program
from bot.questions import SKIPPED, Context, Question
from bot.safety.resources import EMERGENCY, FIND_CARE, LIFELINE, TEXT_HOME, closing_crisis_lines


def introduction(program: Program) -> str:
    return (
        f"Hi, I'm the intake assistant for {program.name}. I can check whether our Intensive Outpatient "
        "Program may be a good fit and help you get a free assessment with a clinician. It takes about "
        "5 minutes: a few questions about you, how you've been feeling, your schedule and insurance. "
        "Your answers go to our intake team.\n"
        f"I'm not an emergency service. If you are in danger, call {EMERGENCY}; for a crisis, call or text {LIFELINE}."
    )


def unclear(note: str) -> str:
    return note or "Sorry, I didn't quite catch that."


def help_offer(question: Question) -> str:
    if question.skippable:
        return 'You can type "skip" to move on.'
    if is_safety_question(question):
        return "This one matters for your safety, so I can't skip it."
    return "I need this one to go on."


def welcome_back(ctx: Context) -> str:
    name = f", {ctx.name}" if ctx.for_self and ctx.name else ""
    return f"Welcome back{name}. Let's pick up where we left off."


HELLO_AGAIN = "Hi again! Here's where we were:"


def safety_refusal(ctx: Context) -> str:
    """A safety question refused for the first time: why it matters, and that saying so again is allowed."""
    whose = "your" if ctx.for_self else f"{ctx.them}'s"
    return (
        f"I understand this can be hard to answer. It matters for {whose} safety: an answer helps our team "
        "make sure the right support comes quickly. Could you answer it? If you'd still rather not, just say "
        "so again and we'll go on."
    )


def after_answer(key: str, value: object, program: Program) -> str:
    """A word after an answer, where one is owed: declining to give a number means the team cannot call, so
    the person learns how to reach the team instead."""
    if key == "contact_phone" and value == SKIPPED:
        return f"No problem. Our team won't call, so please reach out when you're ready: {staff_contact(program)}"
    return ""


def staff_contact(program: Program) -> str:
    return f"You can reach our intake team at {program.phone} ({program.staff_hours})."


def declined(program: Program) -> str:
    return f'No problem. {staff_contact(program)} If you change your mind, just say "start".'


def stopped(program: Program) -> str:
    return (
        "Okay, I've stopped the questions and saved what you've answered so far. "
        f'Say "start" any time to continue where you left off. {staff_contact(program)}'
    )


CRISIS_LINES = f"If anyone is in danger, call {EMERGENCY}. For a crisis, call or text {LIFELINE}, or {TEXT_HOME}."


def out_of_range(program: Program, ctx: Context) -> str:
    who = "you" if ctx.for_self else ctx.them
    return (
        f"Thank you. Our program serves people aged {program.ages}, so it isn't the right fit for {who}. "
        f"{FIND_CARE} Our intake team can also suggest other services: {program.phone} ({program.staff_hours}). "
        f"{CRISIS_LINES}"
    )


def out_of_area(program: Program, ctx: Context) -> str:
    """Licensing follows where the person lives, for online sessions too: no booking here."""
    who = "you" if ctx.for_self else ctx.them
    return (
        f"Thank you. {program.short_name} can only treat people who live in {program.states_text('or')}, for "
        f"online sessions too, so it isn't the right fit for {who}. {FIND_CARE} {CRISIS_LINES}"
    )


def needs_guardian(program: Program, ctx: Context, consent_age: int) -> str:
    """A minor younger than their state lets consent to outpatient care alone."""
    name = f", {ctx.name}" if ctx.name else ""
    return (
        f"Thank you{name}. Where you live, people under {consent_age} need a parent or guardian to agree to care "
        'like this. Please ask a parent or guardian to continue with you: they can say "start over" here and '
        f"answer for you, or call our intake team at {program.phone} ({program.staff_hours}). {CRISIS_LINES}"
    )


def completed_by_text(program: Program, ctx: Context, *, crisis_lines: bool, callback: bool) -> str:
    """The end of a screening over SMS: a text can be read on a lock screen or a shared phone, so it says
    nothing of the answers, the result or its reasons; the intake team gives those in person. After answers
    about safety it still gives the crisis lines (`crisis_lines`), and says a clinician will call (`callback`:
    a moderate C-SSRS risk) rather than leave it for the team's usual follow-up."""
    name = f", {ctx.name}" if ctx.for_self and ctx.name else ""
    if callback:
        text = (
            f"Thank you{name}. The screening is complete. A clinician from our team will call you at this number soon."
        )
    else:
        text = (
            f"Thank you{name}. The screening is complete and our intake team has it; they will talk the "
            f"results through with you. {staff_contact(program)}"
        )
    return f"{text} {closing_crisis_lines(program)}" if crisis_lines or callback else text


def already_complete(program: Program) -> str:
    return (
        "Your screening is complete and our intake team has it. You can ask me about the program, or say "
        f'"start over" to begin a new screening. {staff_contact(program)}'
    )


def handoff_requested(program: Program, now: datetime) -> str:
    """When a person will reply, said honestly for the time `now` (timezone-aware)."""
    if program.staff_on_duty(now):
        return (
            "Of course. I've asked our intake team to take over: someone from the team will reply here shortly. "
            f"You can also call them at {program.phone}."
        )
    return (
        f"Of course. I've let our intake team know. They're off duty right now and back at "
        f"{program.staff_back_text(now)}, when someone will reply here. You can also call them at {program.phone} "
        f"({program.staff_hours}). In an emergency, call {EMERGENCY}, or call or text {LIFELINE}."
    )


def handed_back(program: Program, *, resuming: bool, completed: bool) -> str:
    """The bot taking the conversation back from staff; the screening's next question follows when resuming."""
    back = "Thanks for waiting. You're talking with the intake assistant again."
    if resuming:
        return f"{back} Let's pick up where we left off."
    return f"{back} {already_complete(program) if completed else outside_screening()}"


def outside_screening() -> str:
    return (
        "I can answer questions about our program, or help you start a short screening for it. "
        'Say "start" to begin, or ask me something like "what is an IOP?".'
    )


def section_intro(key: str, ctx: Context) -> str:
    """A short line before the first question of each part, so the person knows where they are."""
    about = "you've" if ctx.for_self else f"{ctx.them} has"
    intros = {
        "phq9_1": f"Thank you. Next are 9 standard questions about how {about} been feeling over the last "
        "2 weeks. Choose an option or reply with its number.",
        "gad7_1": "Thanks. Now 7 standard questions about worry and nerves, also over the last 2 weeks.",
        "alcohol_use": "Thanks. A few questions about alcohol, because it often affects mood and treatment.",
        "auditc_1": "Three standard questions about drinking.",
        "cssrs_1": "Now a few questions about safety. Please answer yes or no.",
        "schedule_times": "Thank you. An IOP usually meets about 3 hours a day, 3 to 5 days a week, for 8 to 12 "
        "weeks. A few questions about your schedule.",
        "insurance_carrier": "Almost done. A couple of questions about insurance.",
    }
    return intros.get(key, "")


START_OVER = "Okay, let's start over from the beginning."
EMPTY_MESSAGE = "I didn't get any text there. Could you type your answer?"
# Said by Rasa itself when the action that should answer could not run (the action server unreachable).
ACTION_FAILED = "Sorry, something went wrong on my side and I missed that. Could you send it again in a moment?"
