"""Rasa's REST channel, answering an empty message kindly instead of silently, and never letting a
participant's text be read as a command.

Rasa drops a message with no text before the dialogue sees it, so the person would get no reply at all.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels import speedups
from bot.channels.text import participant_text
from bot.messages import EMPTY_MESSAGE

speedups.apply()  # the REST channel is loaded by every `rasa run` and `rasa shell` of this project


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # same webhook path as Rasa's own: /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> Any:
            message.text = participant_text(message.text or "")
            if not message.text.strip():
                await message.output_channel.send_text_message(message.sender_id, EMPTY_MESSAGE)
                return None
            return await on_new_message(message)

        return super().blueprint(guarded)
