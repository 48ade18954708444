"""The worker's re-alerts when several Rasa servers share the load: Rasa's events, read from RabbitMQ.

With one Rasa server, rasa_edge.event_broker.RealertBroker runs inside it. With several (endpoints.cluster.yml),
each publishes every stored event to RabbitMQ through Rasa's own pika broker, and the worker process reads
them here (aio-pika, which Rasa uses too, on a thread of its own) and runs the same RealertBroker logic: a
crisis message written while the bot is paused opens or joins the conversation's escalation, pages on-call
staff (when a page is due) and sends the crisis lines again through Rasa's events API (RASA_URL: the load
balancer). No Rasa server pages from a thread or calls back into the API while it holds a conversation's lock.

A message is acknowledged only once it has been handled, so a worker killed half-way gets it again from
RabbitMQ; the re-delivery is recognised (RealertBroker.handle's `redelivered`) and never recorded twice.
While the application database is unreachable a message goes back to the queue and is tried again.
Log lines name error types only, never what anyone wrote.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

import aio_pika
from sqlalchemy.exc import SQLAlchemyError

from bot import handoff
from bot.notify import Notifier
from bot.settings import Settings
from rasa_edge.event_broker import RealertBroker

log = logging.getLogger(__name__)

PREFETCH = 50  # events in flight: most are not crisis messages and are acknowledged at once
RETRY_SECONDS = 5.0  # after a lost connection or an unreachable database
REMINDER_ATTEMPTS = 3  # the crisis lines through the events API (a Rasa server may be restarting)


def remind(conversation_id: str, text: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """The crisis lines to a paused conversation, tried again a few times: a Rasa server may be restarting, or
    the conversation's lock busy."""
    for attempt in range(1, REMINDER_ATTEMPTS + 1):
        try:
            handoff.send_crisis_lines(conversation_id, text)
            return
        except handoff.HandoffError as error:
            if attempt == REMINDER_ATTEMPTS:
                log.error("could not repeat the crisis lines in a paused conversation: %s", error)
                return
            sleep(attempt)


class RealertConsumer:
    """Reads the queue on a thread of its own until `close()`, connecting again after RabbitMQ goes away."""

    def __init__(self, broker: RealertBroker, current: Settings, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.broker = broker
        self.settings = current
        self.retry_seconds = retry_seconds
        # One thread handles the events, in order; the event loop only talks to RabbitMQ (heartbeats go on
        # while a page waits for Twilio).
        self._handler = ThreadPoolExecutor(max_workers=1, thread_name_prefix="realert")
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self.ready = threading.Event()  # set once the queue is declared and read

    @classmethod
    def from_settings(cls, current: Settings) -> RealertConsumer:
        # Paging and the reply run on the handling thread: acknowledging only after them is what makes a
        # killed worker's message come back.
        broker = RealertBroker(
            Notifier.from_settings(current), pager=lambda page, escalation_id: page(escalation_id), reminder=remind
        )
        return cls(broker, current)

    def handle(self, body: bytes, redelivered: bool) -> bool:
        """Handle one event; True to acknowledge it, False to put it back in the queue for later."""
        try:
            event = json.loads(body)
            if not isinstance(event, dict):
                raise ValueError("not an event")
            self.broker.handle(event, redelivered=redelivered)
        except SQLAlchemyError as error:
            log.error("re-alerts: database unavailable (%s); the event goes back to the queue", type(error).__name__)
            return False
        except (ValueError, TypeError) as error:  # not a Rasa event: nothing to re-alert, and it would fail again
            log.error("re-alerts: an unreadable event was dropped (%s)", type(error).__name__)
        return True

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        loop = asyncio.get_running_loop()
        if await loop.run_in_executor(self._handler, self.handle, message.body, bool(message.redelivered)):
            await message.ack()
        else:
            await asyncio.sleep(self.retry_seconds)
            await message.nack(requeue=True)

    async def _consume_once(self, stop: asyncio.Event) -> None:
        current = self.settings
        connection = await aio_pika.connect(
            host=current.rabbitmq_host,
            port=current.rabbitmq_port,
            login=current.rabbitmq_username,
            password=current.rabbitmq_password,
        )
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=PREFETCH)
            # Declared as Rasa's broker declares them (same arguments, or RabbitMQ refuses), so the worker may
            # start first and keep every event published meanwhile.
            exchange = await channel.declare_exchange(current.events_exchange, aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(current.events_queue, durable=True)
            await queue.bind(exchange, "")
            await queue.consume(self._on_message)
            log.info("re-alerts: reading Rasa's events from RabbitMQ")
            self.ready.set()
            while not stop.is_set() and not connection.is_closed:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=1)
                except asyncio.TimeoutError:
                    pass
        finally:
            self.ready.clear()
            if not connection.is_closed:
                await connection.close()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = stop = asyncio.Event()
        while not stop.is_set():
            try:
                await self._consume_once(stop)
            except (aio_pika.exceptions.AMQPException, OSError, asyncio.TimeoutError) as error:
                log.warning("re-alerts: RabbitMQ unavailable (%s); retrying", type(error).__name__)
            if not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.retry_seconds)
                except asyncio.TimeoutError:
                    pass

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="realerts", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop reading: events not yet acknowledged go back to the queue."""
        if self._loop is not None and self._stop is not None:
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # its loop has ended already
                pass
