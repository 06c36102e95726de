"""Theme tagging: which of the programme's themes a need or a challenge answer is about.

Pure functions over plain data; nothing here knows about Telegram or the config file. The
``bot`` package builds one :class:`ThemeRule` per configured theme (:func:`rules_from`) and
calls :func:`tag`; an admin's ``/retag`` replaces the result (:func:`parse_theme_keys` reads
its list), and the override is what is kept.

How a text is matched
=====================

1. **Words.** The text is case-folded; curly apostrophes count as straight ones; a
   possessive ``'s`` is dropped ("children's" is "children") and other apostrophes are
   removed ("can't" is "cant"). Words are the runs of letters and digits; everything else
   (spaces, punctuation, hyphens, emoji) only separates them, so "part-time" is two words.

2. **Keywords** are single words, written as their stem: "volunteer", "fund", "commission".
   A keyword matches a word that *is* the stem, or the stem plus one ending from
   :data:`ENDINGS` (s, es, ed, ing, ings, er, ers, ment, ments), with the usual English
   spelling changes before an ending that starts with a vowel: a final "e" dropped
   (engage: engaging, engaged), a final consonant doubled (plan: planning, planned), a final
   consonant-then-"y" turned into "i" (policy: policies; apply: applied). Nothing else: a
   keyword never matches part of a longer word, so "fund" matches "funds", "funding",
   "funded" and "funders" but not "fundamental" or "refund", and "tender" does not match
   "tenderness". Irregular forms ("child" and "children") are listed as keywords of their own.

3. **Phrases** are two or more words. A phrase matches where that many consecutive words of
   the text match its words one by one, each by the keyword rule: "tender process" matches
   "tendering process" and "tender processes", not "tender for the process".

4. **Scores.** Each keyword or phrase found adds its weight to its theme's score, once however
   often it appears. A keyword weighs :data:`KEYWORD_WEIGHT` (2) and a phrase
   :data:`PHRASE_WEIGHT` (3) unless the theme's ``weights`` say otherwise. A theme is tagged
   when its score reaches its ``threshold`` (:data:`DEFAULT_THRESHOLD`, 2): one keyword or
   one phrase is enough, and a term given weight 1 is a hint that counts only together with
   another ("council" alone is not about the council's offer; "council" and "tender" are).

5. :func:`tag` returns the tagged themes' keys, highest score first, ties in the order of the
   rules. :func:`scores` gives every theme's score and :func:`matched_terms` the terms found,
   to explain a tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

ENDINGS: tuple[str, ...] = ("s", "es", "ed", "ing", "ings", "er", "ers", "ment", "ments")
"""The endings a keyword may take (see the module's documentation)."""

KEYWORD_WEIGHT = 2
PHRASE_WEIGHT = 3
DEFAULT_THRESHOLD = 2

_VOWELS = frozenset("aeiou")
_VOWEL_ENDINGS = tuple(e for e in ENDINGS if e[0] in _VOWELS)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_POSSESSIVE = re.compile(r"'s\b")
_WORD = re.compile(r"[^\W_]+")
_CLEAR_WORDS = frozenset({"none", "-", "clear"})


def words(text: str) -> list[str]:
    """The text's words after normalisation (rule 1 of the module's documentation)."""
    text = _POSSESSIVE.sub("", text.casefold().translate(_APOSTROPHES)).replace("'", "")
    return _WORD.findall(text)


@lru_cache(maxsize=4096)
def word_forms(stem: str) -> frozenset[str]:
    """Every word a keyword ``stem`` matches (rule 2 of the module's documentation)."""
    forms = {stem} | {stem + ending for ending in ENDINGS}
    if len(stem) >= 2 and stem.endswith("e"):
        forms |= {stem[:-1] + ending for ending in _VOWEL_ENDINGS}
    if (
        len(stem) >= 3
        and stem[-1] not in _VOWELS
        and stem[-1] not in "wxy"
        and stem[-2] in _VOWELS
        and stem[-3] not in _VOWELS
    ):
        forms |= {stem + stem[-1] + ending for ending in _VOWEL_ENDINGS}
    if len(stem) >= 2 and stem.endswith("y") and stem[-2] not in _VOWELS:
        forms |= {stem[:-1] + "i" + ending for ending in ("es", "ed", "er", "ers")}
    return frozenset(forms)


@dataclass(frozen=True)
class _Term:
    text: str  # normalised: words joined by single spaces
    weight: int
    forms: tuple[frozenset[str], ...]  # one set of matching words per word of the term


@dataclass(frozen=True)
class ThemeRule:
    """How to recognise one theme: keywords, phrases, their weights and the threshold.

    Terms are normalised as texts are (so "Volunteer" is "volunteer"); ``weights`` maps a
    keyword or phrase, as written, to its weight (0 switches a term off). Raises
    ``ValueError`` for a keyword that is not one word, a phrase of fewer than two words, a
    weight for a term the rule does not have, a negative weight or a threshold below 1.
    """

    key: str
    keywords: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    weights: Mapping[str, int] = field(default_factory=dict, hash=False)
    threshold: int = DEFAULT_THRESHOLD
    _terms: tuple[_Term, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"theme {self.key}: threshold must be at least 1")
        weights: dict[str, int] = {}
        for term, weight in self.weights.items():
            if weight < 0:
                raise ValueError(f"theme {self.key}: weight of {term!r} is negative")
            weights[" ".join(words(term))] = weight
        terms: dict[str, _Term] = {}
        for keyword in self.keywords:
            parts = words(keyword)
            if len(parts) != 1:
                raise ValueError(f"theme {self.key}: keyword {keyword!r} is not one word")
            terms.setdefault(parts[0], self._term(parts, weights, KEYWORD_WEIGHT))
        for phrase in self.phrases:
            parts = words(phrase)
            if len(parts) < 2:
                raise ValueError(f"theme {self.key}: phrase {phrase!r} has fewer than two words")
            terms.setdefault(" ".join(parts), self._term(parts, weights, PHRASE_WEIGHT))
        unknown = sorted(set(weights) - set(terms))
        if unknown:
            raise ValueError(f"theme {self.key}: weights for unknown terms: {', '.join(unknown)}")
        object.__setattr__(self, "_terms", tuple(terms.values()))

    @staticmethod
    def _term(parts: list[str], weights: Mapping[str, int], default: int) -> _Term:
        text = " ".join(parts)
        return _Term(text, weights.get(text, default), tuple(word_forms(p) for p in parts))


class ThemeLike(Protocol):
    """What :func:`rules_from` reads from a configured theme (``bot.config.Theme`` has it)."""

    @property
    def key(self) -> str: ...
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def phrases(self) -> Sequence[str]: ...
    @property
    def weights(self) -> Mapping[str, int]: ...
    @property
    def threshold(self) -> int: ...


def rules_from(themes: Iterable[ThemeLike]) -> tuple[ThemeRule, ...]:
    """One rule per configured theme, in the same order."""
    return tuple(
        ThemeRule(
            key=theme.key,
            keywords=tuple(theme.keywords),
            phrases=tuple(theme.phrases),
            weights=dict(theme.weights),
            threshold=theme.threshold,
        )
        for theme in themes
    )


def _found(term: _Term, text_words: Sequence[str]) -> bool:
    size = len(term.forms)
    first = term.forms[0]
    for start in range(len(text_words) - size + 1):
        if text_words[start] in first and all(
            text_words[start + i] in term.forms[i] for i in range(1, size)
        ):
            return True
    return False


def matched_terms(text: str, rules: Sequence[ThemeRule]) -> dict[str, list[str]]:
    """For each theme key, the keywords and phrases found in ``text`` (weight 0 included)."""
    text_words = words(text)
    return {
        rule.key: [term.text for term in rule._terms if _found(term, text_words)] for rule in rules
    }


def scores(text: str, rules: Sequence[ThemeRule]) -> dict[str, int]:
    """Every theme's score for ``text``, in the rules' order (0 when nothing matched)."""
    text_words = words(text)
    return {
        rule.key: sum(term.weight for term in rule._terms if _found(term, text_words))
        for rule in rules
    }


def tag(text: str, rules: Sequence[ThemeRule]) -> list[str]:
    """The keys of the themes ``text`` is about: highest score first, ties in rules' order."""
    scored = scores(text, rules)
    thresholds = {rule.key: rule.threshold for rule in rules}
    order = {key: index for index, key in enumerate(scored)}
    tagged = [key for key, score in scored.items() if score >= thresholds[key]]
    return sorted(tagged, key=lambda key: (-scored[key], order[key]))


class UnknownThemes(ValueError):
    """``/retag`` named themes the programme does not have; ``unknown`` lists them."""

    def __init__(self, unknown: list[str], known: Sequence[str]) -> None:
        super().__init__(
            f"unknown theme(s): {', '.join(unknown)}; the themes are: {', '.join(known)}"
        )
        self.unknown = unknown


def parse_theme_keys(text: str, known: Sequence[str]) -> list[str]:
    """Read the theme list of ``/retag <ref> <theme,...>``: keys separated by commas or spaces.

    Case does not matter and repeats count once; ``none`` (or ``-``, ``clear``) alone means
    "no themes". Raises :class:`UnknownThemes` naming every key that is not in ``known``.
    """
    keys = [part for part in re.split(r"[\s,]+", text.strip().casefold()) if part]
    if len(keys) == 1 and keys[0] in _CLEAR_WORDS:
        return []
    known_keys = {key.casefold(): key for key in known}
    unknown = [key for key in dict.fromkeys(keys) if key not in known_keys]
    if unknown:
        raise UnknownThemes(unknown, known)
    return list(dict.fromkeys(known_keys[key] for key in keys))
