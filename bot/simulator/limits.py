"""Telegram's sending limits, enforced by the emulator when asked: about 30 messages a second
for the whole bot and one a second per chat; a message beyond either gets a 429 with
``retry_after``, as Telegram answers. Off by default (the tests send as fast as they like)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SENDING_METHODS", "SendingLimits"]

# Methods that put a new message in a chat: what Telegram's limits count.
SENDING_METHODS = frozenset(
    {"sendmessage", "sendphoto", "senddocument", "sendvoice", "sendaudio", "sendvideo"}
)


class SendingLimits:
    """Counts accepted messages over the last second, overall and per chat."""

    def __init__(
        self,
        *,
        per_second: int = 30,
        per_chat_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_second = per_second
        self._per_chat_seconds = per_chat_seconds
        self._clock = clock
        self._recent: deque[float] = deque()
        self._last_by_chat: dict[object, float] = {}
        self.refused = 0  # 429s answered

    def retry_after(self, method: str, chat_id: object) -> int | None:
        """None: the message may go (and is counted); else the seconds to wait first."""
        if method.lower() not in SENDING_METHODS:
            return None
        now = self._clock()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        wait = 0.0
        if len(self._recent) >= self._per_second:
            wait = 1.0 - (now - self._recent[0])
        last = self._last_by_chat.get(chat_id)
        if last is not None and now - last < self._per_chat_seconds:
            wait = max(wait, self._per_chat_seconds - (now - last))
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        self._recent.append(now)
        self._last_by_chat[chat_id] = now
        return None
