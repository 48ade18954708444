"""The screening page (answers question by question, scores, risk, outcome, booking, escalations, notes) and
the conversation's transcript. Opening either writes an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import unquote

from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import or_, select

from bot.booking.store import Booking
from bot.console.auth import Staff, allow
from bot.console.web import Console, blocking, form, words
from bot.instruments import DIFFICULTY, INSTRUMENTS
from bot.questions import SKIPPED, Question
from bot.screening import ABOUT, CONTACT_KEYS, QUESTIONS, SCHEDULE, all_keys, context
from bot.sms.identity import NumberCipher, phone_text
from bot.store import staff as store
from bot.store.db import session_scope
from bot.store.models import Escalation, Screening

# The page's sections, in the order of the screening: (title, instrument key or None, question keys).
SECTIONS: tuple[tuple[str, Optional[str], tuple[str, ...]], ...] = (
    ("About the person", None, ABOUT),
    *(
        (INSTRUMENTS[key].name, key, (*(item.key for item in INSTRUMENTS[key].items), DIFFICULTY[key].key))
        for key in ("phq9", "gad7")
    ),
    ("Alcohol", "auditc", ("alcohol_use", *(item.key for item in INSTRUMENTS["auditc"].items))),
    (INSTRUMENTS["cssrs"].name, "cssrs", tuple(item.key for item in INSTRUMENTS["cssrs"].items)),
    ("Schedule", None, SCHEDULE),
    ("Insurance", None, ("insurance_carrier", "insurance_holder", "member_id")),
    ("Contact", None, CONTACT_KEYS),
)


def contact_number(screening: Screening, channel: str, number_key: str) -> str:
    """The number to call, for staff only: decrypted here, never stored or logged in the clear."""
    if screening.contact_number_encrypted:
        try:
            return phone_text(NumberCipher(number_key).decrypt(screening.contact_number_encrypted))
        except ValueError:
            return "Stored, but it cannot be read with this SMS_NUMBER_KEY"
    if channel == "sms":
        return "The number this person texts from (reply in the live conversation)"
    return "Not given"


def shown_value(question: Question, value: Any) -> str:
    """An answer as staff read it: the option's label (with its score on a scale), lists joined, the concerns
    recognised in free text."""
    if value is None:
        return ""
    if value == SKIPPED:
        return "Skipped"
    if isinstance(value, dict):
        concerns = value.get("concerns") or []
        return ", ".join(words(c) for c in concerns) if concerns else "No concern recognised"
    if isinstance(value, list):
        return ", ".join(shown_value(question, item) for item in value)
    for choice in question.choices:
        if type(choice.value) is type(value) and choice.value == value:
            return (
                f"{value} · {choice.label}" if isinstance(value, int) and not isinstance(value, bool) else choice.label
            )
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(question.meta.get("labels", {}).get(value, value))


@dataclass(frozen=True)
class AnswerRow:
    question: str
    value: str
    raw_text: str  # as typed: escaped by the template
    answered_at: Any


def asked(question: Question, about_other: bool, name: str) -> str:
    """The question as it was put: about the person writing, or about the person they asked for."""
    text = question.text_other if about_other and question.text_other else question.text
    return text.replace("{name}", name)


def sections(screening: Screening) -> list[dict[str, Any]]:
    answers = {answer.question_key: answer for answer in screening.answers}
    ctx = context({key: answer.value for key, answer in answers.items()})
    totals = {
        "phq9": (screening.phq9_total, screening.phq9_band),
        "gad7": (screening.gad7_total, screening.gad7_band),
        "auditc": (screening.auditc_total, screening.auditc_band),
    }
    shown = []
    for title, instrument, keys in SECTIONS:
        rows = [
            AnswerRow(
                asked(QUESTIONS[key], not ctx.for_self, ctx.them),
                shown_value(QUESTIONS[key], answers[key].value),
                answers[key].raw_text,
                answers[key].answered_at,
            )
            for key in keys
            if key in answers and key in QUESTIONS
        ]
        total, band = totals.get(instrument or "", (None, None))
        shown.append(
            {
                "title": title,
                "rows": rows,
                "total": total,
                "band": band,
                "risk": screening.cssrs_risk if instrument == "cssrs" else None,
            }
        )
    known = set(all_keys())
    others = [
        AnswerRow(a.question_key, str(a.value), a.raw_text, a.answered_at)
        for key, a in sorted(answers.items())
        if key not in known
    ]
    if others:  # answers to questions this version no longer asks
        shown.append({"title": "Other answers", "rows": others, "total": None, "band": None, "risk": None})
    return shown


def screening_page(console: Console, staff: Staff, screening_id: int) -> Optional[dict[str, Any]]:
    with session_scope(console.db_url) as session:
        screening = session.get(Screening, screening_id)
        if screening is None:
            return None
        bookings = list(
            session.execute(select(Booking).where(Booking.screening_id == screening_id).order_by(Booking.id)).scalars()
        )
        escalations = list(
            session.execute(
                select(Escalation)
                .where(
                    or_(
                        Escalation.screening_id == screening_id, Escalation.conversation_id == screening.conversation_id
                    )
                )
                .order_by(Escalation.id)
            ).scalars()
        )
        others = list(
            session.execute(
                select(Screening.id, Screening.status, Screening.started_at)
                .where(Screening.conversation_id == screening.conversation_id, Screening.id != screening_id)
                .order_by(Screening.id)
            ).all()
        )
        channel = screening.participant.channel
        page = {
            "screening": screening,
            "channel": channel,
            "sections": sections(screening),
            "contact_number": contact_number(screening, channel, console.settings.sms_number_key),
            "holder": shown_value(QUESTIONS["insurance_holder"], (screening.insurance or {}).get("holder")),
            "bookings": bookings,
            "escalations": escalations,
            "others": others,
            "notes": store.notes_for(session, screening_id=screening_id),
        }
        staff.audit(session, "view_screening", "screening", screening_id)
    return page


def transcript_page(console: Console, staff: Staff, conversation_id: str) -> dict[str, Any]:
    """The transcript; every opening is audited, refreshes included (a request header cannot opt out)."""
    lines = console.transcripts.lines(conversation_id)
    with session_scope(console.db_url) as session:
        screenings = list(
            session.execute(
                select(Screening.id, Screening.status)
                .where(Screening.conversation_id == conversation_id)
                .order_by(Screening.id)
            ).all()
        )
        if lines or screenings:
            staff.audit(session, "view_transcript", "conversation", conversation_id)
    return {"lines": lines, "screenings": screenings, "conversation_id": conversation_id}


def register(app: Sanic) -> None:
    @app.get("/screenings/<screening_id:int>")
    @allow("read")
    async def screening(request: Request, screening_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        page = await blocking(lambda: screening_page(console, request.ctx.staff, screening_id))
        if page is None:
            raise NotFound("no such screening")
        return console.render(
            request, "screening.html", title=f"Screening {screening_id}", **page, error=request.args.get("error", "")
        )

    @app.post("/screenings/<screening_id:int>/notes")
    @allow("act")
    async def add_note(request: Request, screening_id: int) -> HTTPResponse:
        console: Console = request.app.ctx.console
        staff: Staff = request.ctx.staff
        text = form(request, "text", 10_001)

        def save() -> bool:
            with session_scope(console.db_url) as session:
                if session.get(Screening, screening_id) is None:
                    return False
                store.add_note(session, screening_id=screening_id, author=staff.name, text=text)
                staff.audit(session, "add_note", "screening", screening_id)
                return True

        try:
            if not await blocking(save):
                raise NotFound("no such screening")
        except ValueError as error:  # empty or too long: say so on the page, keep nothing
            return response.redirect(
                f"/screenings/{screening_id}?error={'empty' if 'empty' in str(error) else 'long'}#notes", status=303
            )
        return response.redirect(f"/screenings/{screening_id}#notes", status=303)

    @app.get("/conversations/<conversation_id>/transcript")
    @allow("read")
    async def transcript(request: Request, conversation_id: str) -> HTTPResponse:
        console: Console = request.app.ctx.console
        conversation_id = unquote(conversation_id)  # Sanic passes the segment as sent: %-encoded
        page = await blocking(lambda: transcript_page(console, request.ctx.staff, conversation_id))
        if not page["lines"] and not page["screenings"]:
            raise NotFound("no such conversation")
        return console.render(request, "transcript.html", title="Transcript", **page)
