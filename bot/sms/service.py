"""What the SMS channel does with a request from Twilio and with a reply from the bot, without Rasa.

Inbound: the signature is checked against the configured public URL (behind a proxy the server sees
another one), a MessageSid seen before is dropped, compliance keywords are answered here and never reach
the bot, an empty or picture-only message gets a short reply, and anything else goes to the bot under the
conversation's pseudonym, with "2" read as the second option of the latest question.

Outbound: the bot's text with its buttons rendered as options, in plain GSM-7, split into texts of at
most 320 characters, queued in order; the first text to a new number is followed by the opt-out notice.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from bot.channels.text import participant_text
from bot.messages import EMPTY_MESSAGE
from bot.notify.sms import TwilioConfig
from bot.program import Program, load_program
from bot.settings import Settings
from bot.sms import compliance
from bot.sms.compliance import Keyword, keyword
from bot.sms.identity import NumberCipher, e164, pseudonym
from bot.sms.outbox import Outbox, TwilioTransport
from bot.sms.render import Options, chosen_payload, sms_texts
from bot.store import sms as store
from bot.store.booking import upcoming_booking
from bot.store.db import session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)

WEBHOOK_PATH = "webhook"
STATUS_PATH = "status"


class BadRequest(ValueError):
    """A signed request without what every Twilio message has (MessageSid, From)."""


@dataclass(frozen=True)
class Inbound:
    conversation_id: str
    message_sid: str
    text: Optional[str]  # for the bot; None when the channel answered (or ignored) it itself


class SmsService:
    def __init__(self, *, program: Program, database_url: str, auth_token: str, public_url: str, id_key: str,
                 cipher: NumberCipher, outbox: Outbox) -> None:
        self.program = program
        self.database_url = database_url
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url.rstrip("/")
        self.id_key = id_key
        self.cipher = cipher
        self.outbox = outbox
        self._noticed: set[str] = set()  # conversations known to have had the first-contact notice

    @classmethod
    def from_settings(cls, current: Settings) -> Optional["SmsService"]:
        """None when the channel is off (no SMS_PUBLIC_URL); ConfigError when its settings are unsafe."""
        current.check()
        config = TwilioConfig.from_settings(current)
        if not current.sms_channel_configured or config is None:
            return None
        cipher = NumberCipher(current.sms_number_key)
        transport = TwilioTransport(config, status_callback=f"{current.sms_public_url}/{STATUS_PATH}")
        return cls(program=load_program(current.program_file), database_url=current.database_url,
                   auth_token=current.twilio_auth_token, public_url=current.sms_public_url,
                   id_key=current.sms_id_key, cipher=cipher,
                   outbox=Outbox(current.database_url, transport, cipher))

    def signed(self, path: str, query: str, params: Any, signature: Optional[str]) -> bool:
        """Whether X-Twilio-Signature matches the request as Twilio sent it to our public URL."""
        if not signature:
            return False
        url = f"{self.public_url}/{path}" + (f"?{query}" if query else "")
        return self.validator.validate(url, params, signature)

    async def receive(self, form: Mapping[str, str]) -> Inbound:
        """Handle one incoming message (call on the event loop)."""
        sid = (form.get("MessageSid") or form.get("SmsMessageSid") or "").strip()
        number = e164(form.get("From") or "")
        if not sid or number is None:
            raise BadRequest("a message needs a MessageSid and a From number")
        conversation_id = pseudonym(number, self.id_key)
        body = form.get("Body") or ""
        try:
            with session_scope(self.database_url) as session:
                if not store.record_inbound(session, message_sid=sid, conversation_id=conversation_id):
                    return self._duplicate(conversation_id, sid)
                contact = store.ensure_contact(session, conversation_id=conversation_id,
                                               number_encrypted=self.cipher.encrypt(number))
                text = self._answer(session, contact, body, has_media=_count(form.get("NumMedia")) > 0)
        except IntegrityError:  # the same MessageSid committed by a concurrent request
            return self._duplicate(conversation_id, sid)
        self.outbox.wake(conversation_id)
        return Inbound(conversation_id, sid, text)

    @staticmethod
    def _duplicate(conversation_id: str, sid: str) -> Inbound:
        log.info("SMS %s: message %s received before (a Twilio retry), ignored", conversation_id, sid)
        return Inbound(conversation_id, sid, None)

    def _answer(self, session: Session, contact: store.SmsContact, body: str, *, has_media: bool) -> Optional[str]:
        """Answer keywords and empty messages here; the text for the bot otherwise."""
        word = keyword(body, opted_out=contact.opted_out)
        program = self.program
        if word is Keyword.OPT_OUT:
            if store.opt_out(session, contact=contact):  # one confirmation; a second STOP gets nothing
                booked = upcoming_booking(session, conversation_id=contact.conversation_id, now=utcnow()) is not None
                self._queue(session, contact, compliance.opted_out_text(program, booked=booked), "opt_out")
            log.info("SMS %s opted out", contact.conversation_id)
        elif word is Keyword.OPT_IN:
            store.opt_in(session, contact=contact)
            self._queue(session, contact, compliance.opted_in_text(program), "opt_in")
            log.info("SMS %s opted back in", contact.conversation_id)
        elif word is Keyword.HELP:
            self._queue(session, contact, compliance.help_text(program), "channel")
        elif not participant_text(body).strip():
            self._queue(session, contact, compliance.MEDIA_ONLY if has_media else EMPTY_MESSAGE, "channel")
            self._notice(session, contact)
        else:
            text = participant_text(body)  # "/restart" typed by a person is text, never a command
            return chosen_payload(text, Options.from_json(contact.last_options)) or text
        if word is not None:
            self._notice(session, contact, explained=True)  # each of these texts says how to opt out
        return None

    async def send_bot_message(self, conversation_id: str, text: str,
                               buttons: Optional[Sequence[Mapping[str, Any]]] = None, *, staff: bool = False) -> None:
        """Queue a message of the bot (or of staff through Rasa) for the person (call on the event loop).

        Written on a worker thread: Rasa awaits each message in turn, so their order is kept, and the event
        loop stays free to acknowledge Twilio's webhooks."""
        loop = asyncio.get_running_loop()
        if await loop.run_in_executor(None, self._record_bot_message, conversation_id, text, buttons, staff):
            self.outbox.wake(conversation_id)

    def _record_bot_message(self, conversation_id: str, text: str, buttons: Optional[Sequence[Mapping[str, Any]]],
                            staff: bool) -> bool:
        texts, options = sms_texts(text or "", buttons)
        with session_scope(self.database_url) as session:
            contact = store.contact(session, conversation_id=conversation_id)
            if contact is None:
                log.warning("SMS: no number on record for %s; message not sent", conversation_id)
                return False
            # Only the latest message's options can be picked by number: an older "2" means nothing now.
            store.set_options(session, conversation_id=conversation_id, options=options.as_json() if options else None)
            for part in texts:
                store.enqueue(session, conversation_id=conversation_id, body=part, kind="staff" if staff else "bot")
        return True

    async def turn_done(self, conversation_id: str) -> None:
        """The bot has answered a message: the opt-out notice follows the first answer to a new number, so
        crisis resources are never held back by it (call on the event loop)."""
        if conversation_id in self._noticed:
            return
        with session_scope(self.database_url) as session:
            contact = store.contact(session, conversation_id=conversation_id)
            if contact is None:
                return
            self._notice(session, contact)
        self._noticed.add(conversation_id)
        self.outbox.wake(conversation_id)

    def _queue(self, session: Session, contact: store.SmsContact, text: str, kind: str) -> None:
        for part in sms_texts(text)[0]:
            store.enqueue(session, conversation_id=contact.conversation_id, body=part, kind=kind)

    def _notice(self, session: Session, contact: store.SmsContact, *, explained: bool = False) -> None:
        """The first-contact notice, once per number (not when the text just sent said it already)."""
        if contact.notice_sent_at is not None:
            return
        if not explained:
            self._queue(session, contact, compliance.first_contact_notice(self.program), "channel")
        contact.notice_sent_at = utcnow()

    def delivery_status(self, form: Mapping[str, str]) -> bool:
        """Twilio's status callback for a text we sent; False when it is not about one of ours."""
        sid = (form.get("MessageSid") or "").strip()
        status = (form.get("MessageStatus") or "").strip().lower()
        code = _count(form.get("ErrorCode")) or None
        with session_scope(self.database_url) as session:
            return store.update_status(session, twilio_sid=sid, status=status, error_code=code)


def _count(value: Optional[str]) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() else 0
