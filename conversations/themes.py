"""Theme tagging: which of the programme's themes a need or a challenge answer is about.

Pure functions over plain data; nothing here knows about Telegram or the config file. Two
taggers live here: the keyword rules below (:func:`rules_from`, :func:`tag`), and the
similarity tagger :class:`ThemeTagger` (nearest theme by TF-IDF similarity to each theme's
example sentences and to learned examples; keyword rules add a bonus), which
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

import re
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


# The similarity tagger
# =====================
#
# See :class:`ThemeTagger`. Everything below is plain data in, plain data out: the bot builds
# one tagger from the config and the learned examples in storage, and asks it.

DEFAULT_SIMILARITY_THRESHOLD = 0.2
"""A theme is tagged when its score (see :class:`ThemeTagger`) reaches this."""

NEAR_DUPLICATE = 0.8
"""A text at least this similar to one example takes that example's themes as they are."""

SECOND_THEME_RATIO = 0.8
"""A second or later theme is tagged only if it scores this share of the first's score."""

CENTROID_WEIGHT = 0.5
NEAREST_WEIGHT = 0.5
NEAREST_K = 3
CHAR_RANGE = (2, 4)
"""Lengths of the character n-grams (within words). These constants, the weights below and
the default threshold were chosen by repeated 5-fold cross-validation over
``tests/data/themes_labelled.tsv`` (``benchmarks/theme_accuracy.py``, BENCHMARKS.md)."""
KEYWORD_BONUS = 0.06
"""Added to a theme's score per point of its keyword score (see :func:`scores`), up to
:data:`KEYWORD_BONUS_CAP` points."""
KEYWORD_BONUS_CAP = 4
CHAR_WEIGHT = 0.7
"""The share of a text's vector given to character n-grams (typos, word endings) rather than
to whole words."""

NONE_WEIGHT = 1.2
"""The examples about no theme win when their score, times this, reaches the best theme's."""

NO_THEME = "none"
"""What ``coproduce tag`` prints, and :class:`Explanation` calls the no-theme examples."""

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


def content_words(text: str) -> list[str]:
    """The stems of the text's words that may say something about a theme."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def _normalised(text: str) -> str:
    return " ".join(words(text))


class ThemeConfig(ThemeLike, Protocol):
    """What :class:`ThemeTagger` reads from a configured theme (``bot.config.Theme`` has it):
    the keyword rules' fields, and example sentences."""

    @property
    def examples(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Example:
    """A text and the themes it is about (none: about none of them).

    ``source`` is ``"config"`` for the config's examples, or whatever the learner passed:
    the reference of the need or answer an admin retagged (``"N-0042"``).
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
    """Why a theme was or was not given to a text.

    ``score`` is what is compared with the threshold: ``similarity`` (to the mean of the
    theme's examples) and the mean similarity to its :data:`NEAREST_K` closest examples
    (``nearest`` lists them), weighted :data:`CENTROID_WEIGHT` and :data:`NEAREST_WEIGHT`,
    plus a bonus for the theme's configured ``keywords`` found. ``terms`` are the words and
    word pairs the text shares with the theme's examples, most telling first.
    """

    key: str
    score: float
    tagged: bool
    similarity: float
    nearest: tuple[Neighbour, ...]
    terms: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """What :meth:`ThemeTagger.explain` says: the themes, one line why, and every score."""

    themes: list[str]
    reason: str
    scores: tuple[ThemeScore, ...]  # highest score first
    none: ThemeScore | None = None  # the examples about no theme, when there are some
    duplicate_of: Neighbour | None = None


class ThemeTagger:
    """Tags texts with the themes whose examples they are most like.

    Each text becomes a TF-IDF vector over its words (stemmed, common words left out, single
    words and pairs) and its character n-grams within words (:data:`CHAR_RANGE`, so a typo
    or another ending still shares most of its pieces), fitted on the examples. A theme's score is
    :data:`CENTROID_WEIGHT` times the text's cosine similarity to the centroid of the theme's
    examples plus :data:`NEAREST_WEIGHT` times the mean similarity to its :data:`NEAREST_K`
    nearest examples, plus :data:`KEYWORD_BONUS` per point its configured keywords and
    phrases score (at most :data:`KEYWORD_BONUS_CAP` points). The examples about no theme are
    scored the same way (without a bonus) and win, times :data:`NONE_WEIGHT`, at a tie. The
    themes reaching ``threshold`` are tagged, highest first, a second or later one only if
    it scores at least :data:`SECOND_THEME_RATIO` of the first. A text nearly the same as one
    example (similarity :data:`NEAR_DUPLICATE` or more) takes that example's themes, even
    none: that is how an admin's correction (:meth:`learn`) wins for the same sentence said again.

    Examples come from the config (``examples`` of each theme) and from :meth:`learn`; an
    example with no themes is a text about none of them. Learning refits at once (a few
    milliseconds for hundreds of examples). Examples naming themes the tagger does not know
    are kept for their other themes (a theme may have been removed from the config).
    """

    def __init__(
        self,
        themes: Sequence[ThemeConfig],
        learned: Iterable[tuple[str, Sequence[str]] | Example] = (),
        *,
        none_examples: Iterable[str] = (),
        threshold: float = DEFAULT_SIMILARITY_THRESHOLD,
    ) -> None:
        if not themes:
            raise ValueError("a tagger needs at least one theme")
        self.keys: tuple[str, ...] = tuple(theme.key for theme in themes)
        self.threshold = threshold
        self._rules = rules_from(themes)
        self._examples: list[Example] = [
            Example(_clean(text), (theme.key,)) for theme in themes for text in theme.examples
        ]
        self._examples += [Example(_clean(text), ()) for text in none_examples]
        for item in learned:
            example = item if isinstance(item, Example) else Example(item[0], tuple(item[1]))
            self._examples.append(self._known(example))
        self._fit()

    @property
    def examples(self) -> tuple[Example, ...]:
        """Every example, the config's first, then the learned ones in the order learned."""
        return tuple(self._examples)

    def learn(self, text: str, themes: Sequence[str], source: str = "learned") -> Example:
        """Keep ``text`` as an example of ``themes`` (empty: of no theme), in effect at once.

        Raises ``ValueError`` for a theme key the tagger does not know.
        """
        unknown = [key for key in themes if key not in self.keys]
        if unknown:
            raise ValueError(f"unknown theme(s): {', '.join(unknown)}")
        example = Example(_clean(text), tuple(dict.fromkeys(themes)), source)
        self._examples.append(example)
        self._fit()
        return example

    def tag(self, text: str) -> list[str]:
        """The keys of the themes ``text`` is about, highest score first; [] for none."""
        return self._judge(text, evidence=False).themes

    def explain(self, text: str) -> Explanation:
        """The themes of ``text``, one line why, and every theme's score and evidence."""
        return self._judge(text, evidence=True)

    def _judge(self, text: str, *, evidence: bool) -> Explanation:
        vector = self._vector(text)
        both = (self._stacked @ vector.T).toarray().ravel()
        similarities, to_centroids = both[: len(self._examples)], both[len(self._examples) :]
        keyword_scores = scores(text, self._rules)
        found = matched_terms(text, self._rules) if evidence else {}
        theme_scores: list[ThemeScore] = []
        for index, key in enumerate(self.keys):
            centroid = float(to_centroids[index])
            nearest = self._nearest(self._members[index], similarities)
            best = _top_mean(self._members[index], similarities)
            bonus = KEYWORD_BONUS * min(keyword_scores[key], KEYWORD_BONUS_CAP)
            theme_scores.append(
                ThemeScore(
                    key=key,
                    score=round(CENTROID_WEIGHT * centroid + NEAREST_WEIGHT * best + bonus, 4),
                    tagged=False,
                    similarity=round(centroid, 4),
                    nearest=nearest if evidence else nearest[:1],
                    terms=self._shared_terms(vector, index) if evidence else (),
                    keywords=tuple(found.get(key, ())),
                )
            )
        ordered = sorted(theme_scores, key=lambda s: -s.score)
        top = ordered[0].score
        none = self._none_score(similarities, to_centroids, evidence=evidence)
        duplicate = self._near_duplicate(similarities)
        if duplicate is not None:
            chosen = [key for key in duplicate.example.themes if key in self.keys]
            reason = (
                f"nearly the same ({duplicate.similarity:.2f}) as an example from "
                f"{duplicate.example.source} about "
                + (", ".join(chosen) if chosen else "no theme")
            )
        elif none is not None and none.score >= top:
            chosen = []
            reason = (
                f"closer to the examples about no theme ({none.score:.2f}) than to any "
                f"theme ({top:.2f})"
            )
        else:
            chosen = [
                s.key
                for s in ordered
                if s.score >= self.threshold and s.score >= top * SECOND_THEME_RATIO
            ]
            reason = (
                f"closest to {', '.join(chosen)} (score {top:.2f}, threshold {self.threshold:.2f})"
                if chosen
                else f"no theme reaches the threshold ({top:.2f} < {self.threshold:.2f})"
            )
        rank = {s.key: i for i, s in enumerate(ordered)}
        tagged = set(chosen)
        return Explanation(
            themes=sorted(chosen, key=lambda k: rank[k]),
            reason=reason,
            scores=tuple(replace(s, tagged=s.key in tagged) for s in ordered),
            none=none,
            duplicate_of=duplicate,
        )

    def _nearest(self, members: Sequence[int], similarities: Any) -> tuple[Neighbour, ...]:
        if not members:
            return ()
        ranked = sorted(members, key=lambda m: -similarities[m])[:NEAREST_SHOWN]
        return tuple(Neighbour(self._examples[m], float(similarities[m])) for m in ranked)

    def _none_score(
        self, similarities: Any, to_centroids: Any, *, evidence: bool
    ) -> ThemeScore | None:
        if not self._none_members:
            return None
        centroid = float(to_centroids[len(self.keys)])
        nearest = self._nearest(self._none_members, similarities)
        best = _top_mean(self._none_members, similarities)
        score = CENTROID_WEIGHT * centroid + NEAREST_WEIGHT * best
        return ThemeScore(
            key=NO_THEME,
            score=round(score * NONE_WEIGHT, 4),
            tagged=False,
            similarity=round(centroid, 4),
            nearest=nearest if evidence else nearest[:1],
            terms=(),
            keywords=(),
        )

    # Fitting and vectors

    def _known(self, example: Example) -> Example:
        themes = tuple(key for key in dict.fromkeys(example.themes) if key in self.keys)
        return Example(_clean(example.text), themes, example.source)

    def _fit(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [example.text for example in self._examples] or [""]
        self._words = TfidfVectorizer(
            analyzer=_word_features, sublinear_tf=True, norm="l2", min_df=1
        )
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=_normalised,
            ngram_range=CHAR_RANGE,
            sublinear_tf=True,
            norm="l2",
        )
        self._words.fit(texts)
        self._chars.fit(texts)
        self._feature_names: list[str] = list(self._words.get_feature_names_out())
        self._matrix = self._vectors([example.text for example in self._examples])
        self._members: list[list[int]] = [
            [i for i, example in enumerate(self._examples) if key in example.themes]
            for key in self.keys
        ]
        self._none_members = [i for i, ex in enumerate(self._examples) if not ex.themes]
        from scipy.sparse import vstack

        self._centroids = vstack(
            [self._centroid(members) for members in [*self._members, self._none_members]]
        ).tocsr()
        self._stacked = vstack([self._matrix, self._centroids]).tocsr()

    def _vectors(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack
        from sklearn import config_context
        from sklearn.preprocessing import normalize

        if not texts:
            texts = [""]
        with config_context(assume_finite=True, skip_parameter_validation=True):
            word_part = self._words.transform(texts) * (1 - CHAR_WEIGHT) ** 0.5
            char_part = self._chars.transform(texts) * CHAR_WEIGHT**0.5
            return normalize(hstack([word_part, char_part]).tocsr())

    def _vector(self, text: str) -> Any:
        return self._vectors([text])

    def _centroid(self, members: list[int]) -> Any:
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.preprocessing import normalize

        if not members:
            return csr_matrix(self._matrix[0].shape)
        return normalize(csr_matrix(np.asarray(self._matrix[members].mean(axis=0))))

    def _near_duplicate(self, similarities: Any) -> Neighbour | None:
        if not self._examples:
            return None
        index = int(similarities.argmax())
        if similarities[index] < NEAR_DUPLICATE:
            return None
        # The latest example wins among equals: a later correction overrides an earlier one.
        best = float(similarities[index])
        latest = max(i for i, s in enumerate(similarities) if s >= best - 1e-9)
        return Neighbour(self._examples[latest], best)

    def _shared_terms(self, vector: Any, index: int) -> tuple[str, ...]:
        if not self._members[index]:
            return ()
        width = len(self._feature_names)
        centroid = self._centroids[index]
        contribution = vector[:, :width].multiply(centroid[:, :width])
        row = contribution.tocoo()
        pairs = sorted(zip(row.data, row.col, strict=True), key=lambda p: -p[0])
        return tuple(self._feature_names[int(col)] for _, col in pairs[:TERMS_SHOWN])


def _top_mean(members: Sequence[int], similarities: Any) -> float:
    """The mean similarity of the :data:`NEAREST_K` examples nearest among ``members``."""
    if not members:
        return 0.0
    import numpy as np

    values = similarities[list(members)]
    k = min(NEAREST_K, len(values))
    return float(np.partition(values, len(values) - k)[-k:].mean())


def _clean(text: str) -> str:
    return " ".join(text.split())


def _word_features(text: str) -> list[str]:
    stems = content_words(text)
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]
