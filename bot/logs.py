"""Structured logging: one ``key=value`` line per event, and no bot token in any of them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_QUIET_LOGGERS = (
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    "httpx",
    "httpcore",
    "apscheduler",
    "aiohttp.access",
)


def _format_value(value: Any) -> str:
    text = str(value)
    if not text or any(ch.isspace() or ch in '"=' for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def event_line(event: str, **fields: Any) -> str:
    """Render ``event=<event> key=value ...`` with values quoted where they need it."""
    parts = [f"event={event}"]
    parts.extend(f"{key}={_format_value(value)}" for key, value in fields.items())
    return " ".join(parts)


def log_event(
    logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any
) -> None:
    """Log one structured event line; no personal data above DEBUG."""
    if logger.isEnabledFor(level):
        logger.log(level, event_line(event, **fields))


class _RedactingFormatter(logging.Formatter):
    """Replaces the token wherever a library prints it (PTB logs its API URL at DEBUG)."""

    def __init__(self, secret: str) -> None:
        super().__init__("%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        return line.replace(self._secret, "<token>") if self._secret else line


def configure_logging(level: str, *, secret: str = "") -> None:
    """Send structured lines to stderr at ``level``, with ``secret`` never spelled out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class _DropStarting(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._prefix)


@contextmanager
def records_dropped(logger_name: str, prefix: str) -> Iterator[None]:
    """Within the block, drop ``logger_name``'s records whose message starts with ``prefix``.

    For a library's error (with its traceback) about a failure the caller reports itself
    in one line, such as PTB's "invalid JSON" when a wrong Bot API address answers 404.
    """
    logger = logging.getLogger(logger_name)
    dropping = _DropStarting(prefix)
    logger.addFilter(dropping)
    try:
        yield
    finally:
        logger.removeFilter(dropping)
