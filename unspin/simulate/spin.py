"""A spinner simulator with ground truth, for benchmarks, tests and demos.

It swaps content words (and thesaurus/habit phrases) the way word-level article spinners do and
records each swap as a RESTORATION edit over the spun text (from_ = spun wording, to = original).
Each thesaurus style draws on one source only, so a restorer can be tested leave-one-source-out.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..language import CLOSED_CLASS, SIMULATOR_CONSONANT_VOWELS, starts_with_vowel_sound
from ..lexicon.lexicon import Lexicon, default_lexicon
from ..lexicon.spinners import SpinnerTable, per_occurrence, style_table
from ..text import Doc, Edit, apply_edits, match_case

STYLES: dict[str, str] = {
    "wordnet": "WordNet synonyms only, inflection and a/an fixed",
    "mythes": "MyThes (OpenOffice thesaurus) synonyms only, inflection and a/an fixed",
    "roget": "Aiksaurus (Roget-style) synonyms only, inflection and a/an fixed",
    "thesaurus": "a mix of all three thesauri, inflection and a/an fixed",
    "habits": "phrase habits from habits.tsv (all of them), topped up with thesaurus swaps",
    "naive": "surface-form thesaurus swaps: no inflection fixing, a/an left as it was",
    "observed": "real spinners' habits (data/spinners/observed.tsv): common words first, phrases, "
                "names and function words too, a/an left as it was",
}
_STYLE_SOURCES = {"wordnet": ("wordnet",), "mythes": ("mythes",), "roget": ("aiksaurus",),
                  "thesaurus": ("wordnet", "mythes", "aiksaurus"),
                  "habits": ("wordnet", "mythes", "aiksaurus"),
                  "naive": ("wordnet", "mythes", "aiksaurus")}

_DETERMINERS = frozenset("a an the this that these those my your his her its our their some any "
                         "no every each another such what which whose".split())
_TO_VERB = frozenset("to will would shall should can could may might must not n't do does did "
                     "i you we they he she it who".split())
_AUX_PERFECT = frozenset("has have had having been be being is are was were am 's 've 'd get got "
                         "gets getting".split())


@dataclass
class SpinResult:
    text: str
    edits: list[Edit] = field(default_factory=list)
    style: str = "thesaurus"
    rate: float | None = 0.2  # None: the observed spinner's own rates
    seed: int = 0

    def to_json(self) -> dict:
        return {"text": self.text, "style": self.style, "rate": self.rate, "seed": self.seed,
                "edits": [{"start": e.start, "end": e.end, "from": e.from_, "to": e.to}
                          for e in self.edits]}


def _an(word: str) -> str:
    """The article for `word`, by its first sound (spelling heuristics)."""
    return "an" if starts_with_vowel_sound(word, SIMULATOR_CONSONANT_VOWELS) else "a"


def _tag(doc: Doc, i: int, lower: str) -> tuple[str | None, str | None]:
    """A rough (upos, Penn tag) for token i from lemminflect readings and the word before it."""
    from lemminflect import getAllLemmas, getInflection
    readings = {u: ls for u, ls in getAllLemmas(lower).items()
                if u in ("NOUN", "VERB", "ADJ", "ADV")}
    if not readings:
        return None, None
    prev = doc.tokens[i - 1].lower if i > 0 else ""
    order = ["NOUN", "VERB", "ADJ", "ADV"]
    if prev in _TO_VERB:
        order = ["VERB", "ADV", "ADJ", "NOUN"]
    elif prev in _DETERMINERS:
        order = ["NOUN", "ADJ", "VERB", "ADV"]
    elif lower.endswith("ed") or prev in _AUX_PERFECT:
        order = ["VERB", "ADJ", "NOUN", "ADV"]
    upos = next(u for u in order if u in readings)
    lemma = readings[upos][0]
    if lemma == lower:
        return upos, {"NOUN": "NN", "VERB": "VB", "ADJ": "JJ", "ADV": "RB"}[upos]
    tags = [t for t in {"NOUN": ("NNS",), "VERB": ("VBD", "VBN", "VBG", "VBZ"),
                        "ADJ": ("JJR", "JJS"), "ADV": ("RBR", "RBS")}[upos]
            if lower in getInflection(lemma, t)]
    if "VBD" in tags and "VBN" in tags:
        return upos, "VBN" if prev in _AUX_PERFECT else "VBD"
    return upos, tags[0] if tags else None


def _sentence_starts(doc: Doc) -> set[int]:
    starts = set()
    for s in doc.sentences:
        for t in s.tokens:
            if t.is_word:
                starts.add(t.i)
                break
    return starts


def spin(text: str, style: str = "thesaurus", rate: float | None = 0.2, seed: int = 0,
         lexicon: Lexicon | None = None, table: SpinnerTable | None = None) -> SpinResult:
    """Spin `text`: about `rate` of its words are replaced (a substitution rate over all word
    tokens, as far as the style can reach: at high rates a thesaurus runs out of words).

    style="observed" draws on `table` (default: spinner A, the common content-farm one); with
    rate=None it rewrites each phrase at the spinner's own observed rate for it."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")
    if rate is None and style != "observed":
        raise ValueError("only the observed style has a natural rate")
    if rate is not None and not 0.0 <= rate <= 1.0:
        raise ValueError("rate must be between 0 and 1")
    if style == "observed":
        return _spin_observed(text, table or style_table("A"), rate, seed)
    assert rate is not None
    lex = lexicon or default_lexicon()
    rng = random.Random(seed)
    doc = Doc(text)
    toks = doc.tokens
    starts = _sentence_starts(doc)
    sources = tuple(s for s in _STYLE_SOURCES[style] if s in lex.sources)
    naive = style == "naive"

    def spinnable(i: int) -> bool:
        t = toks[i]
        if not t.is_word or t.lower in CLOSED_CLASS or len(t.text) < 3:
            return False
        if t.text.isupper():
            return False  # acronyms
        # Capitalised mid-sentence: a name.
        return t.text[0].islower() or (i in starts and t.text[1:].islower())

    # Units: (first token, end token, options) with options already inflected; phrases first.
    units: list[tuple[int, int, list[str]]] = []
    habit_units: list[tuple[int, int, list[str]]] = []
    i = 0
    while i < len(toks):
        if not spinnable(i) and not (style == "habits" and toks[i].is_word):
            i += 1
            continue
        done = False
        for n in range(lex.max_phrase_len, 0, -1):
            j = i + n
            if j > len(toks) or not all(toks[k].is_word for k in range(i, j)):
                continue
            # Words of a phrase must be separated by single spaces.
            if any(text[toks[k].end:toks[k + 1].start] != " " for k in range(i, j - 1)):
                continue
            if any(toks[k].text[0].isupper() and k not in starts for k in range(i, j)):
                continue  # a name inside
            if n > 1 and not lex.is_entry(" ".join(toks[k].lower for k in range(i, j))):
                continue
            phrase = " ".join(toks[k].lower for k in range(i, j))
            if style == "habits":
                opts = lex.synonyms(phrase, sources=("habit",))
                if opts and (n > 1 or spinnable(i)):
                    habit_units.append((i, j, opts))
                    i, done = j, True
                    break
            if n == 1 and not spinnable(i):
                continue
            if naive:
                opts = lex.synonyms(phrase, sources=sources, inflect=False)
            elif n == 1:
                upos, tag = _tag(doc, i, phrase)
                opts = lex.synonyms(phrase, sources=sources, tag=tag) if tag else []
            else:
                opts = lex.synonyms(phrase, sources=sources)
            if opts:
                units.append((i, j, opts))
                i, done = j, True
                break
        if not done:
            i += 1

    n_words = sum(1 for t in toks if t.is_word)
    target = min(round(rate * n_words), len(units) + len(habit_units))
    chosen = list(habit_units) if style == "habits" else []
    want = max(0, target - len(chosen))
    chosen += rng.sample(units, min(want, len(units)))
    chosen.sort()

    swaps = []  # (start char, end char, new text)
    for i, j, opts in chosen:
        # Spinners pick among the common synonyms, but not always the first.
        pick = rng.choice(opts[:8]) if style != "habits" or (i, j, opts) not in habit_units \
            else rng.choice(opts)
        s, e = toks[i].start, toks[j - 1].end
        new = match_case(text[s:e], pick)
        if new == text[s:e]:
            continue
        # Fix "a"/"an" in front (not in naive style, as cheap spinners don't).
        prev = toks[i - 1] if i > 0 else None
        if not naive and prev is not None and prev.lower in ("a", "an") \
                and text[prev.end:s] == " " and _an(pick) != prev.lower:
            s = prev.start
            new = match_case(prev.text, _an(pick)) + " " + new
        swaps.append((s, e, new))
    return _apply_swaps(text, swaps, style, rate, seed)


def _apply_swaps(text: str, swaps: list[tuple[int, int, str]], style: str, rate: float | None,
                 seed: int) -> SpinResult:
    """The spun text, and each swap as a restoration edit over it."""
    out, edits, pos, shift = [], [], 0, 0
    for s, e, new in swaps:
        if s < pos:
            continue  # an article fix would overlap the previous swap
        out.append(text[pos:s])
        ns = s + shift
        edits.append(Edit(ns, ns + len(new), new, text[s:e]))
        out.append(new)
        shift += len(new) - (e - s)
        pos = e
    out.append(text[pos:])
    spun = "".join(out)
    assert apply_edits(spun, edits) == text
    return SpinResult(spun, edits, style, rate, seed)


def habit_rate(phrase: str, weight: float, words_seen: int) -> float:
    """How often a spinner rewrites `phrase` where it occurs: the times it was seen rewriting
    it over the times the phrase is expected in the words it was seen at (wordfreq's English
    frequency). Real spinner A rewrites "said" nearly always but "a" (to "an") twice in 22,000
    words: sampling by the count alone would spin every "a" of a short article."""
    if not words_seen:
        return 1.0
    return min(1.0, per_occurrence(phrase, weight, words_seen))


def _spin_observed(text: str, table: SpinnerTable, rate: float | None, seed: int) -> SpinResult:
    """A real spinner's habits: phrases before words, each as often as the spinner rewrites
    it where it occurs (habit_rate), names and function words included, the spun form drawn
    by how often it was seen, and the article before it never fixed."""
    rng = random.Random(seed)
    doc = Doc(text)
    toks = doc.tokens
    starts = _sentence_starts(doc)
    units: list[tuple[float, float, int, int, dict[str, float]]] = []  # (draw, habit rate, i, j, spun forms)
    i = 0
    while i < len(toks):
        for n in range(4, 0, -1):
            j = i + n
            if j > len(toks) or not all(toks[k].is_word for k in range(i, j)) \
                    or any(text[toks[k].end:toks[k + 1].start] != " " for k in range(i, j - 1)):
                continue
            phrase = " ".join(toks[k].lower for k in range(i, j))
            opts = table.forward.get(phrase)
            if not opts:
                continue
            capital = any(toks[k].text[:1].isupper() and (k not in starts or toks[k].text.isupper())
                          for k in range(i, j))
            if capital and phrase not in table.capitalised_originals:
                continue  # a name the spinner was never seen touching
            p = habit_rate(phrase, sum(opts.values()), table.words_seen)
            units.append((rng.random(), p, i, j, opts))
            i = j - 1
            break
        i += 1
    chosen: list[tuple[float, int, int, dict[str, float]]]
    if rate is None:  # each phrase at the spinner's own rate
        chosen = [u[1:] for u in units if u[0] < u[1]]
    else:
        # `rate` of the words, drawn by habit rate (Efraimidis-Spirakis weighted sampling
        # without replacement): the phrases a spinner rewrites most go first.
        n_words = sum(1 for t in toks if t.is_word)
        target = min(round(rate * n_words), len(units))
        keyed = sorted(((u ** (1.0 / max(p, 1e-9)), p, i, j, o) for u, p, i, j, o in units), reverse=True)
        chosen = sorted((k[1:] for k in keyed[:target]), key=lambda u: u[1])
    swaps = []
    for _, i, j, opts in chosen:
        picks = sorted(opts)
        pick = rng.choices(picks, weights=[opts[p] for p in picks])[0]
        s, e = toks[i].start, toks[j - 1].end
        new = match_case(text[s:e], pick)
        if new != text[s:e]:
            swaps.append((s, e, new))
    return _apply_swaps(text, swaps, "observed", rate, seed)
