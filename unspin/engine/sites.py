"""Suspects and their candidates: the cheap first pass shared by detect and restore.

A Site is a run of 1-4 words that the lexicon knows a spinner could have produced, with the
originals it may stand for, each screened by the 3-gram model so later stages see few of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..jobs import checkpoint
from ..language import ARTICLES, FUNCTION_WORDS, article_agrees
from ..lexicon.lexicon import TABLE_SOURCES
from ..text import Doc, Token

_GAP_RE = re.compile(r"[ \t]+")  # a phrase may only span plain spaces
# Screening keeps the best `keep` thesaurus candidates plus up to this many LM proposals.
KEEP_PROPOSALS = 2
PROGRESS_WORDS = 2000       # find_sites reports progress (and can be cancelled) this often


@dataclass
class Cand:
    text: str
    source: str
    ngram_gain: float = 0.0   # 3-gram log-prob of the window with it minus with the spun words
    lm_gain: float | None = None  # same with the neural model, filled in by restore
    prior: float = 0.0        # log-odds that a spinner turns this original into the text
    left_gain: float = 0.0    # LM log-prob of its first token minus the spun one's, left context only
    count: float = 0.0        # times real spinners were seen making this swap
    odds: float = 0.0         # ... against how often the spun text occurs anyway (swap_odds)
    doc_gain: float = 0.0     # mean LM gain of the same swap at its other places in the document
    doc_n: int = 0            # ... and how many other places


@dataclass
class Site:
    i: int                 # index of the first word in doc.words
    n: int                 # number of words
    start: int             # character offsets in the input
    end: int
    text: str
    cands: list[Cand] = field(default_factory=list)
    ngram_logp: float = 0.0   # 3-gram log-prob of the window as written (how odd it reads)
    spun_weight: float = 0.0  # times real spinners were seen writing this text
    in_name: bool = False     # capitalised inside a sentence
    left_logp: float = 0.0    # LM log-prob of its first token given the words before it

    @property
    def best(self) -> Cand | None:
        return max(self.cands, key=lambda c: c.ngram_gain + (c.source in TABLE_SOURCES), default=None)




def is_name(words: list[Token], i: int, sent_starts: set[int]) -> bool:
    """Capitalised words inside a sentence are names: spinners leave them alone."""
    w = words[i].text
    return (w[:1].isupper() and i not in sent_starts) or (w.isupper() and len(w) > 1)


def sentence_word_ranges(doc: Doc) -> list[tuple[int, int]]:
    """[lo, hi) ranges of doc.words per sentence."""
    word_index = {t.i: k for k, t in enumerate(doc.words)}
    ranges = []
    for s in doc.sentences:
        ks = [word_index[t.i] for t in s.tokens if t.i in word_index]
        if ks:
            ranges.append((ks[0], ks[-1] + 1))
    return ranges


def find_sites(doc: Doc, lex, ng, keep: int = 3, max_n: int = 4,
               extra: dict | None = None, progress=None) -> list[Site]:
    """Every lexicon hit in doc, with its top `keep` candidates by 3-gram gain.

    extra: word index -> more candidates for that single word (the LM's proposals);
    progress(words done, words): called every PROGRESS_WORDS words or so."""
    extra = extra or {}
    words = doc.words
    lower = doc.lower_words
    ranges = sentence_word_ranges(doc)
    sent_starts = {lo for lo, _ in ranges}
    sites: list[Site] = []
    reported = 0
    for lo, hi in ranges:
        if lo - reported >= PROGRESS_WORDS:
            checkpoint()
            if progress:
                progress(lo, len(words))
            reported = lo
        sent = lower[lo:hi]
        for i in range(lo, hi):
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
                more = extra.get(i, []) if n == 1 and not in_name else []
                if not more and not lex.is_key(phrase):
                    continue
                cands = [Cand(c.text, c.source, count=c.count, odds=lex.swap_odds(phrase, c.count))
                         for c in lex.originals(phrase)]
                seen = {c.text for c in cands}
                cands += [Cand(c.text, c.source) for c in more if c.text not in seen]
                if in_name or all(w in FUNCTION_WORDS for w in lower[i:j]):
                    cands = [c for c in cands if c.source in TABLE_SOURCES]
                if not cands:
                    continue
                site = Site(i, n, words[i].start, words[j - 1].end,
                            doc.text[words[i].start:words[j - 1].end], cands,
                            spun_weight=lex.spun_weight(phrase), in_name=in_name)
                _screen(site, sent, i - lo, ng, words, i, keep)
                if site.cands:
                    sites.append(site)
    if progress:
        progress(len(words), len(words))
    return sites


def _screen(site: Site, sent: list[str], k: int, ng, words: list[Token], i: int, keep: int) -> None:
    """Score each candidate's 3-gram window against the spun one and keep the best few."""
    n = site.n
    base = ng.window(sent, k, k + n + 2)
    site.ngram_logp = base / (n + 2)
    prev = words[i - 1].lower if i > 0 else ""
    for c in site.cands:
        variant = sent[:k] + c.text.lower().split() + sent[k + n:]
        m = len(c.text.split())
        c.ngram_gain = ng.window(variant, k, k + m + 2) - base
        if prev in ARTICLES:
            # Spinners never fix the article: agreement with it is evidence for the original.
            c.ngram_gain += 2.0 * (article_agrees(prev, c.text) - article_agrees(prev, site.text))
    # Known spinner habits always stay; thesaurus guesses compete for the remaining places,
    # and the LM's proposals (already filtered by meaning) for places of their own.
    lm = sorted((c for c in site.cands if c.source == "lm"), key=lambda c: -c.ngram_gain)
    rest = [c for c in site.cands if c.source != "lm"]
    rest.sort(key=lambda c: (c.source not in TABLE_SOURCES, -c.ngram_gain))
    site.cands = rest[:max(keep, sum(c.source in TABLE_SOURCES for c in rest))] + lm[:KEEP_PROPOSALS]
