"""What typed text the bot accepts at all, whatever the question: checked at the edge, before
any length rule, so nothing unreadable or invisible is ever stored.

Refused, each with a one-line reason the person can act on:

* lone surrogates (half of an emoji, left by a broken client): they cannot even be stored;
* NUL and other control characters (tabs and line breaks are fine);
* text with nothing visible in it once spaces and invisible characters (zero-width spaces and
  joiners, direction marks, fillers, variation selectors) are taken away.

Right-to-left scripts, emoji (with their joiners) and accents are text like any other.
"""

from __future__ import annotations

import unicodedata

__all__ = ["BROKEN", "CONTROL", "INVISIBLE", "has_visible_text", "text_problem"]

BROKEN = "Part of that message didn't come through properly. Please type it again."
CONTROL = "That has a hidden control character in it. Please type your answer again."
INVISIBLE = "That looks empty: there is nothing visible in it. Please type your answer."

# Line breaks and tabs are ordinary in typed text; other control characters are not.
_ALLOWED_CONTROLS = frozenset("\n\r\t")
# Characters that draw nothing but are not in the "format" or "space" categories.
_BLANK = frozenset(
    "\u034f"  # combining grapheme joiner
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u17b4\u17b5"  # Khmer inherent vowels
    "\u180e"  # Mongolian vowel separator
    "\u2800"  # Braille pattern blank
)


def _draws_nothing(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        category in ("Cf", "Zs", "Zl", "Zp", "Cc")
        or char in _BLANK
        or 0xFE00 <= ord(char) <= 0xFE0F  # variation selectors
        or 0xE0100 <= ord(char) <= 0xE01EF
    )


def has_visible_text(text: str) -> bool:
    """Whether anything in ``text`` would show on a screen."""
    return any(not _draws_nothing(char) for char in text)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be taken as an answer at all, or None if it can."""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return BROKEN
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in text):
        return CONTROL
    if not has_visible_text(text):
        return INVISIBLE
    return None
