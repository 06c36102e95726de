"""``/start <payload>`` links: one router, so invites and events plug in without touching
onboarding. A payload is ``<prefix>_<code>``, e.g. ``inv_7f3a`` or ``ev_autumn``.

A link that is for members (an event's) sends someone who has not signed up through
``sign_up_first``: sign-up (onboarding's, given at construction) follows the link once done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

DeepLinkHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]


class DeepLinks:
    """Maps payload prefixes to the handlers that take their codes."""

    def __init__(self, sign_up: DeepLinkHandler | None = None) -> None:
        self._routes: dict[str, DeepLinkHandler] = {}
        self._sign_up = sign_up

    def register(self, prefix: str, handler: DeepLinkHandler) -> None:
        if not prefix.isalnum() or prefix in self._routes:
            raise ValueError(f"deep-link prefix {prefix!r} is invalid or taken")
        self._routes[prefix] = handler

    async def route(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str
    ) -> bool:
        """Hand the payload to its handler; False if no handler claims it."""
        prefix, _, code = payload.partition("_")
        handler = self._routes.get(prefix)
        if handler is None or not code:
            return False
        await handler(update, context, code)
        return True

    async def sign_up_first(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str
    ) -> None:
        """Take the person through sign-up, then back to ``payload``."""
        if self._sign_up is None:
            raise RuntimeError("no sign-up was given to the deep-link router")
        await self._sign_up(update, context, payload)
