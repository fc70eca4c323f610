"""Suspects: every run of 1-4 words that the lexicon knows a spinner could have produced,
with the originals it may stand for, screened by the 3-gram model (engine.screen).

This is the cheap first pass shared by detect and restore.
"""
from __future__ import annotations

import bisect
import math
import re
import weakref

from ..jobs import checkpoint
from ..language import FUNCTION_WORDS, SPEAKER_LABEL
from ..lexicon.lexicon import GRAMMAR_SOURCES, TABLE_SOURCES
from ..text import Doc, Token
from .lm import UNKNOWN
from .screen import by_ngram
from .sites import Cand, Site

_GAP_RE = re.compile(r"[ \t]+")  # a phrase may only span plain spaces
PROGRESS_WORDS = 2000       # find_sites reports progress (and can be cancelled) this often


def is_name(words: list[Token], i: int, sent_starts: set[int]) -> bool:
    """Capitalised words inside a sentence are names: spinners leave them alone."""
    w = words[i].text
    if w == "I" or w[:2] in ("I'", "I\u2019"):  # the pronoun, "I'm", "I'll"
        return False
    return (w[:1].isupper() and i not in sent_starts) or (w.isupper() and len(w) > 1)


_Entry = tuple[tuple[Cand, ...], float, float]  # a phrase's candidates, spun weight, rewrite rate
_MEMOS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MEMO_PHRASES = 100_000      # phrases remembered per lexicon (a long crawl must not grow it forever)


def _memo_for(lex) -> dict[str, _Entry]:
    """The lexicon's phrase -> candidates memo, kept between calls, so the stretches of a long
    text and the pages of a crawl do not build a common word's 40 candidates again each time.
    Lexicons are not changed after they are built."""
    try:
        memo = _MEMOS.get(lex)
        if memo is None:
            memo = _MEMOS[lex] = {}
    except TypeError:  # an object that cannot be weakly referenced: a memo for this call only
        return {}
    if len(memo) > MEMO_PHRASES:
        memo.clear()
    return memo


def prior(lex, original: str, source: str) -> float:
    """A thesaurus candidate's prior: a spinner picks among an original's synonyms, so an
    original with hundreds of them ("get", "take") explains any one spun word poorly. (A
    spinner's known swaps carry their counts instead: 0.)"""
    fan = 0 if source in TABLE_SOURCES else lex.fanout(original)
    return -math.log(fan / 20.0) if fan else 0.0


def turn_starts(doc: Doc) -> set[int]:
    """Indexes of the words that open a transcript's turn ("MARGARET BRENNAN: Nicely, ..."):
    capitalised as a sentence's first word, though the sentence runs on from the label."""
    starts = [w.start for w in doc.words]
    out = set()
    for m in SPEAKER_LABEL.finditer(doc.text):
        k = bisect.bisect_left(starts, m.end())
        if k < len(starts) and starts[k] == m.end():
            out.add(k)
    return out


def sentence_starts(doc: Doc, wide: bool = False) -> set[int]:
    """Indexes of the words that open a sentence, where capitals say nothing of a name; wide
    (restore): a transcript turn's first word too (turn_starts)."""
    return {lo for lo, _ in doc.sentence_words} | (turn_starts(doc) if wide else set())


def find_sites(doc: Doc, lex, ng, keep: int = 3, max_n: int = 4,
               extra: dict | None = None, progress=None,
               span: tuple[int, int] | None = None, wide: bool = False) -> list[Site]:
    """Every lexicon hit in doc, with its top `keep` candidates by 3-gram gain (each with its prior).

    extra: (word index, words) -> more candidates for those words (confusion-set mates,
    contractions, the LM's proposals);
    progress(words done, words): called every PROGRESS_WORDS words or so;
    span: (first, end) word indexes: only the hits that start there (one worker's share of
    a long text; a hit may run past the end, as it would in the whole text);
    wide: restore's suspects, which also take a transcript turn's first word (detection's
    fitted features were made without them)."""
    extra = extra or {}
    words = doc.words
    first, end = span or (0, len(words))
    lower = doc.plain_lower_words
    ranges = doc.sentence_words
    sent_starts = sentence_starts(doc, wide)
    sites: list[Site] = []
    memo = _memo_for(lex)
    scale = getattr(lex, "count_scale", 1.0)
    # the 3-gram model's ids of the words the span's sentences hold (its windows read no others)
    ids: list[int] = []
    live = [(lo, hi) for lo, hi in ranges if hi > first and lo < end]
    if live:
        ids = [UNKNOWN] * live[-1][1]
        ids[live[0][0]:] = ng.ids(lower[live[0][0]:live[-1][1]])
    found: list[tuple[Site, int, int]] = []  # suspects not yet screened, with their sentence

    prior_of: dict[str, float] = {}

    def priors(c: Cand) -> float:  # only the candidates screening keeps need one
        if c.source in TABLE_SOURCES:
            return 0.0
        v = prior_of.get(c.text)
        if v is None:
            v = prior_of[c.text] = prior(lex, c.text, c.source)
        return v
    reported = first
    for lo, hi in live:
        if lo - reported >= PROGRESS_WORDS:
            sites += by_ngram(found, ids, ng, lower, keep, priors)
            found = []
            checkpoint()
            if progress:
                progress(lo - first, end - first)
            reported = lo
        for i in range(max(lo, first), min(hi, end)):
            in_name = False
            for n in range(1, max_n + 1):
                j = i + n
                if j > hi:
                    break
                if n > 1 and not _GAP_RE.fullmatch(doc.text[words[j - 2].end:words[j - 1].start]):
                    break
                in_name = in_name or is_name(words, j - 1, sent_starts)
                phrase = " ".join(lower[i:j])
                # Spinners rewrite inside names too (Nationwide for National), but only a
                # swap seen capitalised on real spun pages is worth a suspect there.
                if in_name and not lex.written_capitalised(phrase):
                    continue
                more = extra.get((i, n), []) if not in_name else []
                if not more and not lex.is_key(phrase, folded=True):  # lower: folded words
                    continue
                entry = memo.get(phrase)
                if entry is None:  # a long text repeats its phrases: build each once
                    entry = memo[phrase] = (tuple(Cand(c.text, c.source, count=c.count,
                                                      odds=lex.swap_odds(phrase, c.count),
                                                      rewrite_rate=lex.rewrite_rate(c.text))
                                                 for c in lex.originals(phrase)),
                                            lex.spun_weight(phrase), lex.rewrite_rate(phrase))
                phrase_cands, spun_weight, spun_rate = entry
                cands = list(phrase_cands)
                if more:
                    seen = {c.text for c in cands}
                    cands += [Cand(c.text, c.source, rewrite_rate=lex.rewrite_rate(c.text))
                              for c in more if c.text not in seen]
                if in_name or all(w in FUNCTION_WORDS for w in lower[i:j]):
                    # A thesaurus "synonym" of a function word is noise; its confusion-set
                    # mates and other form are not (only restore passes them, never in a name).
                    cands = [c for c in cands if c.known or c.source in GRAMMAR_SOURCES]
                if not cands:
                    continue
                site = Site(i, n, words[i].start, words[j - 1].end,
                            doc.text[words[i].start:words[j - 1].end], tuple(cands),
                            spun_weight=spun_weight, in_name=in_name, rewrite_rate=spun_rate,
                            sentence_start=i in sent_starts, table_scale=scale)
                found.append((site, lo, hi))
    sites += by_ngram(found, ids, ng, lower, keep, priors)
    if progress:
        progress(end - first, end - first)
    return sites
