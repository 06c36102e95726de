"""Telegram-style text handling: HTML parse mode to plain text plus entities, commands, trimming.

Telegram measures entity offsets and lengths in UTF-16 code units, so every offset here does too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

Entity = dict[str, Any]

# Tag -> entity type, for tags that need no attributes.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
# The only named character references Telegram understands; numeric ones all work.
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


class EntityParseError(ValueError):
    """Unparsable text; the message is Telegram's wording after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTMLParser(HTMLParser):
    """Collects plain text and entities, rejecting what Telegram's own parser rejects."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.parts: list[str] = []
        self.length = 0  # UTF-16 length of the text so far
        self.entities: list[Entity] = []
        self._open: list[tuple[str, Entity | None]] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self._source[: self._line_starts[line - 1] + column].encode())

    def _append(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        entity: Entity | None
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
            if tag == "blockquote" and "expandable" in values:
                entity["type"] = "expandable_blockquote"
            if tag == "code" and self._open and self._open[-1][0] == "pre":
                # <pre><code class="language-x"> is one pre entity with a language.
                language = (values.get("class") or "").removeprefix("language-")
                pre = self._open[-1][1]
                if pre is not None and language:
                    pre["language"] = language
                entity = None
        elif tag == "span" and values.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "a":
            href = values.get("href") or ""
            match = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if match:
                entity = {"type": "text_mention", "user": {"id": int(match.group(1))}}
            else:
                entity = {"type": "text_link", "url": href}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": values.get("emoji-id") or ""}
        else:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        if entity is not None:
            entity["offset"] = self.length
        self._open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            expected = f'expected "</{self._open[-1][0]}>", ' if self._open else ""
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'{expected}found "</{tag}>"'
            )
        _, entity = self._open.pop()
        if entity is not None:
            entity["length"] = self.length - entity["offset"]
            if entity["length"] > 0:
                self.entities.append(entity)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise EntityParseError(
            f'Unsupported start tag "{tag}/" at byte offset {self._byte_offset()}'
        )

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {self._byte_offset()}"
            )
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        self._append(_NAMED_REFS.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
            self._append(chr(code))
        except (ValueError, OverflowError) as exc:
            raise EntityParseError(
                f"Invalid character reference at byte offset {self._byte_offset()}"
            ) from exc

    def handle_comment(self, data: str) -> None:
        raise EntityParseError(f"Unsupported comment at byte offset {self._byte_offset()}")

    def handle_decl(self, decl: str) -> None:
        raise EntityParseError(f"Unsupported declaration at byte offset {self._byte_offset()}")

    def finish(self) -> tuple[str, list[Entity]]:
        """Closes the parser and returns the plain text and its entities."""
        self.close()
        if self._open:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1][0]}"'
            )
        return "".join(self.parts), self.entities


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Turns Telegram HTML into plain text and entities, or raises EntityParseError."""
    parser = _TelegramHTMLParser(source)
    parser.feed(source)
    return parser.finish()


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trims surrounding whitespace as Telegram does, clipping entities to what remains."""
    stripped = text.strip()
    if not stripped:
        return "", []
    start = utf16_len(text[: len(text) - len(text.lstrip())])
    end = start + utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        lo = max(entity["offset"], start)
        hi = min(entity["offset"] + entity["length"], end)
        if hi > lo:
            kept.append({**entity, "offset": lo - start, "length": hi - lo})
    return stripped, sort_entities(kept)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Orders entities as Telegram returns them: by offset, outer ones first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def command_entities(text: str) -> list[Entity]:
    """A bot_command entity for a leading "/command" or "/command@bot", as a client would add."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]
