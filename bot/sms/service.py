"""What the SMS channel does with a request from Twilio and with a reply from the bot, without Rasa.

Inbound: the signature is checked against the configured public URL (behind a proxy the server sees
another one), a MessageSid seen before is dropped, compliance keywords are answered here and never reach
the bot, an empty or picture-only message gets a short reply, and anything else goes to the bot under the
conversation's pseudonym, with "2" read as the second option of the latest question. A message for the bot
is written (its text encrypted, pending) in the same transaction that records its MessageSid, before Twilio
is answered; the bot's turn on it ends with `finish_turn`, and the texts that turn writes are held
until it is finished, so a turn replayed after a crash (rasa_edge.channels.sms) never answers twice.

Outbound: the bot's text with its buttons rendered as options, in plain GSM-7, split into texts of at
most 320 characters, queued in order; the first text to a new number is followed by the opt-out notice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Collection, Mapping, Optional, Sequence, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from bot.booking.store import upcoming_booking
from bot.channels.text import participant_text
from bot.messages import EMPTY_MESSAGE
from bot.program import Program, load_program
from bot.settings import Settings
from bot.sms import compliance, store
from bot.sms.compliance import Keyword, keyword
from bot.sms.identity import NumberCipher, e164, pseudonym
from bot.sms.outbox import Outbox, TwilioTransport
from bot.sms.render import Options, chosen_payload, sms_texts
from bot.sms.twilio_rest import TwilioConfig
from bot.store.db import session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

WEBHOOK_PATH = "webhook"
STATUS_PATH = "status"


class BadRequest(ValueError):
    """A signed request without what every Twilio message has (MessageSid, From)."""


@dataclass(frozen=True)
class Pending:
    """A message for the bot whose turn is not stored yet (a process died on it), claimed for a replay."""

    conversation_id: str
    message_sid: str
    text: str


@dataclass(frozen=True)
class Inbound:
    conversation_id: str
    message_sid: str
    text: Optional[str]  # for the bot; None when the channel answered (or ignored) it itself


class SmsService:
    def __init__(
        self,
        *,
        program: Program,
        database_url: str,
        auth_token: str,
        public_url: str,
        id_key: str,
        cipher: NumberCipher,
        outbox: Outbox,
    ) -> None:
        self.program = program
        self.database_url = database_url
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url.rstrip("/")
        self.id_key = id_key
        self.cipher = cipher
        self.outbox = outbox
        self.instance = uuid.uuid4().hex  # claims inbound messages for this process
        self._noticed: set[str] = set()  # conversations known to have had the first-contact notice

    @classmethod
    def from_settings(cls, current: Settings) -> Optional[SmsService]:
        """None when the channel is off (no SMS_PUBLIC_URL); ConfigError when its settings are unsafe."""
        current.check()
        config = TwilioConfig.from_settings(current)
        if not current.sms_channel_configured or config is None:
            return None
        cipher = NumberCipher(current.sms_number_key)
        transport = TwilioTransport(config, status_callback=f"{current.sms_public_url}/{STATUS_PATH}")
        return cls(
            program=load_program(current.program_file),
            database_url=current.database_url,
            auth_token=current.twilio_auth_token,
            public_url=current.sms_public_url,
            id_key=current.sms_id_key,
            cipher=cipher,
            outbox=Outbox(current.database_url, transport, cipher),
        )

    def signed(self, path: str, query: str, params: Any, signature: Optional[str]) -> bool:
        """Whether X-Twilio-Signature matches the request as Twilio sent it to our public URL."""
        if not signature:
            return False
        url = f"{self.public_url}/{path}" + (f"?{query}" if query else "")
        return bool(self.validator.validate(url, params, signature))

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
                row = store.record_inbound(session, message_sid=sid, conversation_id=conversation_id)
                if row is None:
                    return self._duplicate(conversation_id, sid)
                contact = store.ensure_contact(
                    session, conversation_id=conversation_id, number_encrypted=self.cipher.encrypt(number)
                )
                text = self._answer(session, contact, body, has_media=_count(form.get("NumMedia")) > 0)
                if text is not None:  # committed before Twilio hears back: a crash now loses nothing
                    store.for_bot(row, text_encrypted=self.cipher.encrypt(text), claimed_by=self.instance)
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

    async def send_bot_message(
        self,
        conversation_id: str,
        text: str,
        buttons: Optional[Sequence[Mapping[str, Any]]] = None,
        *,
        staff: bool = False,
        turn: Optional[str] = None,
    ) -> None:
        """Queue a message of the bot (or of staff through Rasa) for the person (call on the event loop);
        during the turn on inbound message `turn`, held until `finish_turn`.

        Written on a worker thread: Rasa awaits each message in turn, so their order is kept, and the event
        loop stays free to acknowledge Twilio's webhooks."""
        loop = asyncio.get_running_loop()
        queued = await loop.run_in_executor(None, self._record_bot_message, conversation_id, text, buttons, staff, turn)
        if queued and turn is None:
            self.outbox.wake(conversation_id)

    def _record_bot_message(
        self,
        conversation_id: str,
        text: str,
        buttons: Optional[Sequence[Mapping[str, Any]]],
        staff: bool,
        turn: Optional[str],
    ) -> bool:
        texts, options = sms_texts(text or "", buttons)
        with session_scope(self.database_url) as session:
            contact = store.contact(session, conversation_id=conversation_id)
            if contact is None:
                log.warning("SMS: no number on record for %s; message not sent", conversation_id)
                return False
            # Only the latest message's options can be picked by number: an older "2" means nothing now.
            store.set_options(session, conversation_id=conversation_id, options=options.as_json() if options else None)
            for part in texts:
                store.enqueue(
                    session, conversation_id=conversation_id, body=part, kind="staff" if staff else "bot", turn_sid=turn
                )
        return True

    async def renew_claim(self, message_sid: str) -> bool:
        """Before the bot's turn on a message that waited long: False when it is no longer this process's to
        run (done meanwhile, or taken over by another server after the lease lapsed)."""
        return await self._in_thread(store.renew_claim, message_sid=message_sid, by=self.instance)

    async def finish_turn(self, conversation_id: str, message_sid: str, *, failed: bool = False) -> None:
        """The bot's turn is stored: queue what it said and stop holding the text."""
        await self._in_thread(store.finish_turn, message_sid=message_sid, state="failed" if failed else "done")
        self.outbox.wake(conversation_id)

    async def restart_turn(self, message_sid: str) -> None:
        """A turn that never got stored runs again: what its first run wrote was never sent, and is dropped."""
        await self._in_thread(store.drop_held, message_sid=message_sid)

    async def _in_thread(self, query: Callable[..., T], **arguments: Any) -> T:
        """One transaction on a worker thread: with SQLite a write may wait for another's lock, and the event
        loop must keep acknowledging Twilio meanwhile."""

        def run() -> T:
            with session_scope(self.database_url) as session:
                return query(session, **arguments)

        return await asyncio.get_running_loop().run_in_executor(None, run)

    def stale_inbound(
        self, lease: timedelta, *, skip: Collection[str] = (), now: Optional[datetime] = None
    ) -> list[Pending]:
        """Messages for the bot whose claim lapsed more than `lease` ago, now claimed by this process, oldest
        first; not those in `skip` (this process has them in hand, waiting their turn). The claim is one UPDATE
        per message: of several servers replaying at once, one gets each, and one gets all of a conversation's."""
        now = now or utcnow()
        taken = []
        with session_scope(self.database_url) as session:
            candidates = [
                (row.id, row.message_sid, row.conversation_id, row.text_encrypted)
                for row in store.stale_pending(session, older_than=now - lease)
                if row.message_sid not in skip
            ]
        elsewhere: set[str] = set()  # conversations another server is replaying: it takes all their messages
        for inbound_id, sid, conversation_id, token in candidates:
            if conversation_id in elsewhere:
                continue
            with session_scope(self.database_url) as session:
                if not store.claim(session, inbound_id=inbound_id, by=self.instance, older_than=now - lease, now=now):
                    elsewhere.add(conversation_id)  # so one server runs a conversation's messages, in order
                    continue
            try:
                text = self.cipher.decrypt(token or "")
            except ValueError:
                log.error("SMS %s: message %s does not decrypt with SMS_NUMBER_KEY; not replayed", conversation_id, sid)
                with session_scope(self.database_url) as session:
                    store.finish_turn(session, message_sid=sid, state="failed")
                continue
            taken.append(Pending(conversation_id, sid, text))
        return taken

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
