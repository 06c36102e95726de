"""Telegram's sending limits, where a flood wait holds back only the chat it was for.

PTB's ``AIORateLimiter`` pauses every request while any one of them waits out a 429; here a
``retry_after`` delays that chat alone, so one person's trouble never slows anyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.logs import log_event

__all__ = ["PerChatRateLimiter", "Retries"]

logger = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class Retries:
    """A call's ``rate_limit_args``: how often to wait out a flood wait and try again."""

    after_flood_wait: int


class PerChatRateLimiter(BaseRateLimiter[Retries]):
    """About 30 messages a second overall and 20 a minute per group; flood waits per chat.

    ``rate_limit_args=Retries(n)`` on a call sets its retries (default ``max_retries``).
    """

    def __init__(
        self,
        *,
        per_second: float = FloodLimit.MESSAGES_PER_SECOND,
        per_group_per_minute: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        max_retries: int = 3,
    ) -> None:
        self._overall = AsyncLimiter(per_second, 1)
        self._per_group_per_minute = per_group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str, float] = {}
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat: int | str) -> AsyncLimiter:
        if chat not in self._groups:
            self._groups[chat] = AsyncLimiter(self._per_group_per_minute, 60)
        return self._groups[chat]

    async def _wait_out(self, chat: int | str) -> None:
        """Sleep while the chat is in a flood wait."""
        loop = asyncio.get_running_loop()
        # A loop, not one sleep: another 429 for the chat may push the pause further out.
        while (until := self._paused_until.get(chat, 0.0)) > loop.time():  # noqa: ASYNC110
            await asyncio.sleep(until - loop.time())
        self._paused_until.pop(chat, None)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Retries | None,
    ) -> JSON:
        retries = (
            self._max_retries if rate_limit_args is None else rate_limit_args.after_flood_wait
        )
        chat: int | str | None = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat)  # type: ignore[arg-type]
        is_group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        for attempt in range(retries + 1):
            try:
                if chat is None:
                    return await callback(*args, **kwargs)
                await self._wait_out(chat)
                group = self._group(chat) if is_group else contextlib.nullcontext()
                async with group, self._overall:
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log_event(logger, "flood_wait", endpoint=endpoint, seconds=seconds)
                if chat is None:
                    await asyncio.sleep(seconds)
                else:
                    until = asyncio.get_running_loop().time() + seconds
                    self._paused_until[chat] = max(self._paused_until.get(chat, 0.0), until)
        raise AssertionError("unreachable: the last attempt returns or raises")
