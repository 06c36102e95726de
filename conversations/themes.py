"""Theme tagging: which of the programme's themes a need or a challenge answer is about.

Pure functions over plain data; nothing here knows about Telegram or the config file. Two
taggers live here: the keyword rules below (:func:`rules_from`, :func:`tag`), which now only
explain (the keywords found), and :class:`ThemeTagger`, a linear model over TF-IDF word and
character features fitted on labelled sentences (each theme's examples, texts about no theme,
the labelled sentences shipped with coproduce and learned corrections), which
``bot.theme_tagging.tagger_for`` builds from the config. An admin's ``/retag`` replaces the
result (:func:`parse_theme_keys` reads its list), the override is kept, and
:meth:`ThemeTagger.learn` makes it an example.

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

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

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


# The supervised tagger
# =====================
#
# See :class:`ThemeTagger`. Everything below is plain data in, plain data out: the bot builds
# one tagger from the config, the labelled sentences shipped with it and the examples learned
# in storage, and asks it.

REGULARISATION = 1.0
"""The linear model's ``C``: lower keeps it closer to plain word counts, higher fits the
examples harder."""
CHAR_RANGE = (2, 5)
"""Lengths of the character n-grams (within words)."""
CHAR_WEIGHT = 0.6
"""The share of a text's vector given to character n-grams (typos, word endings) rather than
to whole words. This, :data:`CHAR_RANGE` and :data:`REGULARISATION` were chosen by stratified
5-fold cross-validation over the labelled sentences (``benchmarks/theme_accuracy.py``,
BENCHMARKS.md); the figures barely moved across the grid tried."""

LEARNED_WEIGHT = 3.0
"""How much an admin's correction counts when fitting, against 1 for any other example: it is
the installation's own members' wording, and there are few of them."""

NEAR_DUPLICATE = 0.8
"""A text at least this similar (cosine) to one example takes that example's themes as they
are."""

NO_THEME = "none"
"""What ``coproduce tag`` prints, and the model's label for texts about no theme."""

NEAREST_SHOWN = 3
TERMS_SHOWN = 5

_STOP_WORDS = """a about all also am an and any are as at be been but by can cant could did do does
    dont for from get got had has have he her him his how i if in into is it its just me my
    no not of off on one or our ours out over really so some than that the their them then
    there theres these they theyre this those to too up us very was we were weve what when
    where which who why will with wont would you your im id ive ill its weve were wed well
    like ok pls please thanks tbh"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Words that say nothing about a theme: left out of the word features and matched terms."""

SYNONYMS: Mapping[str, str] = {
    "local authority": "council",
    "la": "council",
    "kmbc": "council",
    "counsil": "council",
    "councils": "council",
    "children centre": "centre",
    "childrens centre": "centre",
    "children centres": "centre",
    "childrens centres": "centre",
    "cc": "centre",
    "ccs": "centre",
    "family hubs": "centre",
    "sure start": "centre",
    "family hub": "centre",
    "center": "centre",
    "centres": "centre",
    "father": "dad",
    "fathers": "dad",
    "dads": "dad",
    "mother": "mum",
    "mothers": "mum",
    "mums": "mum",
    "mom": "mum",
    "moms": "mum",
    "volunteering": "volunteer",
    "volunteers": "volunteer",
    "volunteered": "volunteer",
    "helper": "volunteer",
    "helpers": "volunteer",
}
"""Words and phrases members use for one thing, read as one word before features are taken
(after :func:`words`, so "the LA's CC" is "the council centre")."""

_SYNONYM_PHRASES = {tuple(phrase.split()): word for phrase, word in SYNONYMS.items()}
_LONGEST_SYNONYM = max(len(phrase) for phrase in _SYNONYM_PHRASES)

_STEM_ENDINGS = ("ings", "ing", "ies", "ied", "es", "ed", "s")
_ES_AFTER = ("ss", "sh", "ch", "x", "z")


def stem(word: str) -> str:
    """A crude stem, for word features only.

    "volunteers", "volunteered" and "volunteering" are all "volunteer"; "families" is
    "family"; a final "e" goes, so "change", "changes", "changed" and "changing" are all
    "chang"; a doubled consonant left by an ending is single ("planning" is "plan").
    """
    for ending in _STEM_ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < 3:
            continue
        base = word[: -len(ending)]
        if ending in ("ies", "ied"):
            return base + "y"
        if ending == "es" and not base.endswith(_ES_AFTER):
            base = word[:-1]  # makes: make (then the "e" rule below)
        if ending == "s" and base.endswith(("s", "u", "i")):
            return word  # class, bus, this: not plurals
        if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]  # planning: plann: plan
        word = base
        break
    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]
    return word


def canonical_words(text: str) -> list[str]:
    """The text's words (:func:`words`) with every :data:`SYNONYMS` phrase replaced."""
    found = words(text)
    result: list[str] = []
    start = 0
    while start < len(found):
        for size in range(min(_LONGEST_SYNONYM, len(found) - start), 0, -1):
            replacement = _SYNONYM_PHRASES.get(tuple(found[start : start + size]))
            if replacement is not None:
                result.append(replacement)
                start += size
                break
        else:
            result.append(found[start])
            start += 1
    return result


def content_words(text: str) -> list[str]:
    """The stems of the text's words that may say something about a theme."""
    return [stem(word) for word in canonical_words(text) if word not in STOP_WORDS]


def _normalised(text: str) -> str:
    return " ".join(canonical_words(text))


class ThemeConfig(ThemeLike, Protocol):
    """What :class:`ThemeTagger` reads from a configured theme (``bot.config.Theme`` has it):
    the keyword rules' fields, and example sentences."""

    @property
    def examples(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Example:
    """A text and the themes it is about (none: about none of them).

    ``source`` is ``"config"`` for the config's examples, ``"labelled"`` for the sentences
    shipped with coproduce, or whatever the learner passed: the reference of the need or
    answer an admin retagged (``"N-0042"``).
    """

    text: str
    themes: tuple[str, ...]
    source: str = "config"


@dataclass(frozen=True)
class Neighbour:
    """An example near a text, and how near (cosine similarity, 0 to 1)."""

    example: Example
    similarity: float


@dataclass(frozen=True)
class ThemeScore:
    """Why a theme (or, keyed :data:`NO_THEME`, no theme) was or was not given to a text.

    ``score`` is the linear model's score: above 0 it takes the text to be about the theme,
    and the highest wins. ``terms`` are the text's words and word pairs that raise it most,
    ``nearest`` the theme's examples most like the text, ``keywords`` the theme's configured
    keywords and phrases found in it.
    """

    key: str
    score: float
    tagged: bool
    nearest: tuple[Neighbour, ...]
    terms: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """What :meth:`ThemeTagger.explain` says: the themes, one line why, and every score."""

    themes: list[str]
    reason: str
    scores: tuple[ThemeScore, ...]  # highest score first
    none: ThemeScore | None = None  # the no-theme class, when there are examples of it
    duplicate_of: Neighbour | None = None


class ThemeTagger:
    """Tags texts with the programme's themes, by a linear model fitted on labelled examples.

    Each text becomes a TF-IDF vector over its words (:data:`SYNONYMS` made one, stemmed,
    common words left out, single words and pairs) and its character n-grams within words
    (:data:`CHAR_RANGE`, a :data:`CHAR_WEIGHT` share, so a typo or another ending still shares
    most of its pieces). A linear support vector machine, one theme against the rest and "no
    theme" as a class of its own, is fitted on every example: the config's (``examples`` of
    each theme, and ``none_examples``), the ``labelled`` sentences, and the learned ones, which
    count :data:`LEARNED_WEIGHT` times; an example of two themes counts for each. The first
    theme is the one scoring highest, none when "no theme" scores higher or the best score is
    under ``min_score``; other themes scoring above 0 (the model's own yes) follow it. A text
    nearly the same as one example (similarity :data:`NEAR_DUPLICATE` or more) takes that
    example's themes, even none: that is how an admin's correction (:meth:`learn`) wins for
    the same sentence said again. Without examples of two kinds, only that rule tags.

    Learning refits at once (a fraction of a second for hundreds of examples). Examples
    naming themes the tagger does not know are kept for their other themes (a theme may have
    been removed from the config).
    """

    def __init__(
        self,
        themes: Sequence[ThemeConfig],
        learned: Iterable[tuple[str, Sequence[str]] | Example] = (),
        *,
        none_examples: Iterable[str] = (),
        labelled: Iterable[Example] = (),
        min_score: float | None = None,
    ) -> None:
        if not themes:
            raise ValueError("a tagger needs at least one theme")
        self.keys: tuple[str, ...] = tuple(theme.key for theme in themes)
        self.min_score = min_score
        self._rules = rules_from(themes)
        examples = [
            Example(_clean(text), (theme.key,)) for theme in themes for text in theme.examples
        ]
        examples += [Example(_clean(text), ()) for text in none_examples]
        examples += [self._known(example) for example in labelled]
        weights = [1.0] * len(examples)
        for item in learned:
            example = item if isinstance(item, Example) else Example(item[0], tuple(item[1]))
            examples.append(self._known(example))
            weights.append(LEARNED_WEIGHT)
        self._learning = threading.Lock()
        self._model = _Model.fit(tuple(examples), tuple(weights))

    @property
    def examples(self) -> tuple[Example, ...]:
        """Every example: the config's, the labelled ones, then the learned in order learned."""
        return self._model.examples

    def learn(self, text: str, themes: Sequence[str], source: str = "learned") -> Example:
        """Keep ``text`` as an example of ``themes`` (empty: of no theme), in effect at once.

        Raises ``ValueError`` for a theme key the tagger does not know. Safe to call from a
        worker thread while others tag: the refitted model replaces the old one in one step.
        """
        unknown = [key for key in themes if key not in self.keys]
        if unknown:
            raise ValueError(f"unknown theme(s): {', '.join(unknown)}")
        example = Example(_clean(text), tuple(dict.fromkeys(themes)), source)
        with self._learning:
            old = self._model
            self._model = _Model.fit((*old.examples, example), (*old.weights, LEARNED_WEIGHT))
        return example

    def tag(self, text: str) -> list[str]:
        """The keys of the themes ``text`` is about, highest score first; [] for none."""
        return self._judge(text, evidence=False).themes

    def explain(self, text: str) -> Explanation:
        """The themes of ``text``, one line why, and every theme's score and evidence."""
        return self._judge(text, evidence=True)

    def _judge(self, text: str, *, evidence: bool) -> Explanation:
        model = self._model  # one snapshot: a refit elsewhere does not change it mid-way
        vector = model.vectors([text])
        similarities = model.matrix @ vector.toarray().ravel()
        decisions = (vector @ model.coef).ravel() + model.intercept
        found = matched_terms(text, self._rules) if evidence else {}

        def score_of(key: str) -> ThemeScore:
            column = model.column.get(key)
            members = model.members.get(key, []) if evidence else []
            return ThemeScore(
                key=key,
                score=-math.inf if column is None else round(float(decisions[column]), 4),
                tagged=False,
                nearest=model.nearest(members, similarities),
                terms=model.terms(vector, column) if evidence and column is not None else (),
                keywords=tuple(found.get(key, ())),
            )

        ordered = sorted((score_of(key) for key in self.keys), key=lambda s: -s.score)
        top = ordered[0]
        none = score_of(NO_THEME) if NO_THEME in model.column else None
        duplicate = model.near_duplicate(similarities)
        chosen: list[str] = []
        if duplicate is not None:
            chosen = [key for key in duplicate.example.themes if key in self.keys]
            reason = (
                f"nearly the same ({duplicate.similarity:.2f}) as an example from "
                f"{duplicate.example.source} about "
                + (", ".join(chosen) if chosen else "no theme")
            )
        elif not model.column:
            reason = "too few examples to judge by (examples of two kinds are needed)"
        elif none is not None and none.score >= top.score:
            reason = f"scores highest for no theme ({none.score:.2f}; best theme {top.score:.2f})"
        elif self.min_score is not None and top.score < self.min_score:
            reason = f"no theme reaches min_score ({top.score:.2f} < {self.min_score:.2f})"
        else:
            chosen = [top.key] + [
                s.key
                for s in ordered[1:]
                if s.score > 0 and (self.min_score is None or s.score >= self.min_score)
            ]
            reason = f"scores highest for {top.key} ({top.score:.2f})"
            if len(chosen) > 1:
                reason += f", and above 0 for {', '.join(chosen[1:])}"
        tagged = set(chosen)
        return Explanation(
            themes=chosen,
            reason=reason,
            scores=tuple(replace(s, tagged=s.key in tagged) for s in ordered),
            none=none,
            duplicate_of=duplicate,
        )

    def _known(self, example: Example) -> Example:
        themes = tuple(key for key in dict.fromkeys(example.themes) if key in self.keys)
        return Example(_clean(example.text), themes, example.source)


@dataclass(frozen=True)
class _Model:
    """What one fit of the examples gives: the vectorisers, the examples' vectors, and the
    linear model's weights. Never changed once made; :meth:`ThemeTagger.learn` makes a new one."""

    examples: tuple[Example, ...]
    weights: tuple[float, ...]
    words: Any
    chars: Any
    feature_names: tuple[str, ...]
    matrix: Any
    members: Mapping[str, list[int]]
    column: Mapping[str, int]
    coef: Any
    intercept: Any

    @classmethod
    @lru_cache(maxsize=4)
    def fit(cls, examples: tuple[Example, ...], weights: tuple[float, ...]) -> _Model:
        """The model of ``examples``. Models never change, so the same examples (another
        bot in the same process: the tests start hundreds) share one fit."""
        return cls._fit(examples, weights)

    @classmethod
    def _fit(cls, examples: tuple[Example, ...], weights: tuple[float, ...]) -> _Model:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        texts = [example.text for example in examples] or [""]
        words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True).fit(texts)
        chars = TfidfVectorizer(
            analyzer="char_wb", preprocessor=_normalised, ngram_range=CHAR_RANGE, sublinear_tf=True
        ).fit(texts)
        matrix = _vectors(words, chars, texts)
        members: dict[str, list[int]] = {}
        rows: list[int] = []
        labels: list[str] = []
        sample_weights: list[float] = []
        for index, (example, weight) in enumerate(zip(examples, weights, strict=True)):
            for label in example.themes or (NO_THEME,):
                members.setdefault(label, []).append(index)
                rows.append(index)
                labels.append(label)
                sample_weights.append(weight)
        coef, intercept = np.zeros((matrix.shape[1], 0)), np.zeros(0)
        column: dict[str, int] = {}
        if len(members) >= 2:
            svm = LinearSVC(C=REGULARISATION).fit(
                matrix[rows], labels, sample_weight=sample_weights
            )
            coef, intercept = svm.coef_.T, svm.intercept_
            if coef.shape[1] == 1:  # two classes: one score, for the second
                coef, intercept = np.hstack([-coef, coef]), np.concatenate([-intercept, intercept])
            column = {str(label): i for i, label in enumerate(svm.classes_)}
        return cls(
            examples=examples,
            weights=weights,
            words=words,
            chars=chars,
            feature_names=tuple(words.get_feature_names_out()),
            matrix=matrix,
            members=members,
            column=column,
            coef=coef,
            intercept=intercept,
        )

    def vectors(self, texts: Sequence[str]) -> Any:
        return _vectors(self.words, self.chars, texts)

    def nearest(self, members: Sequence[int], similarities: Any) -> tuple[Neighbour, ...]:
        ranked = sorted(members, key=lambda m: -similarities[m])[:NEAREST_SHOWN]
        return tuple(Neighbour(self.examples[m], float(similarities[m])) for m in ranked)

    def terms(self, vector: Any, column: int) -> tuple[str, ...]:
        """The text's word features that raise the score in ``column`` most."""
        row = vector[:, : len(self.feature_names)].tocoo()
        raised = [
            (value * self.coef[col, column], int(col))
            for value, col in zip(row.data, row.col, strict=True)
        ]
        ranked = sorted((p for p in raised if p[0] > 0), key=lambda p: -p[0])
        return tuple(self.feature_names[col] for _, col in ranked[:TERMS_SHOWN])

    def near_duplicate(self, similarities: Any) -> Neighbour | None:
        if not self.examples:
            return None
        index = int(similarities.argmax())
        if similarities[index] < NEAR_DUPLICATE:
            return None
        # The latest example wins among equals: a later correction overrides an earlier one.
        best = float(similarities[index])
        latest = max(i for i, s in enumerate(similarities) if s >= best - 1e-9)
        return Neighbour(self.examples[latest], best)


def _vectors(words: Any, chars: Any, texts: Sequence[str]) -> Any:
    from scipy.sparse import hstack
    from sklearn import config_context
    from sklearn.preprocessing import normalize

    with config_context(assume_finite=True, skip_parameter_validation=True):
        word_part = words.transform(texts) * (1 - CHAR_WEIGHT) ** 0.5
        char_part = chars.transform(texts) * CHAR_WEIGHT**0.5
        return normalize(hstack([word_part, char_part]).tocsr())


def _clean(text: str) -> str:
    return " ".join(text.split())


def _word_features(text: str) -> list[str]:
    stems = content_words(text)
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]
