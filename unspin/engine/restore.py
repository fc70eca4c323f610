"""Restore: the most likely original wording of a spun text, edit by edit.

The pipeline, one stage a module: suspects (engine.suspects) -> screened candidates
(engine.screen) with their spinner priors -> the LM's evidence (engine.score) -> the edit
model's probabilities (engine.edits) -> the chosen edits (engine.decode) -> a Restoration:
edits over the input's character offsets and the text they give.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..errors import UnspinError
from ..language import article_agrees, starts_with_vowel_sound
from ..memory import trim
from ..text import Doc, Edit, apply_edits, apostrophe_of, match_case, typeset
from .decode import decode
from .review import resolve
from .edits import Choice, bolder
from .screen import KEEP, WIDE_KEEP, by_left_context
from .sites import Site
from .suspects import find_sites

# Contractions both ways (lexicon.contractions), offered only where the LM weighs them: on the
# dev splits they changed no decision (real pages, known spinner: 56.0 % of the damage undone
# either way; simulated known A natural 63.2 %, unknown A 21.2 % either way), since the edit
# model was fitted without them and the cascade sends none to the LM. Off until a fit has them.
CONTRACTIONS = False
ALTERNATIVES = 3            # other originals listed with each edit
_ARTICLE_BEFORE = re.compile(r"(?<![\w'\u2019-])(an?|An?|AN) \Z")
MAX_WORDS = 50_000          # about 11 minutes of LM time on two cores (~80 words/s)
# LM proposals: on the dev split they added about a quarter to LM time and few right
# originals (2 of 514), so they are off by default; restore(..., proposals=True) turns them on.
PROPOSALS = False
# GloVe neighbours of suspect words (the 10 nearest common content words) were tried as
# candidates too: on the dev split they held the original of 1 more spinner edit in 551 (known
# A) and 0 in 468 (unknown A), so they are not used.


@dataclass
class Restoration:
    original: str
    text: str
    edits: list[Edit] = field(default_factory=list)
    spin_rate: float | None = None  # the share of words the decision estimated a spinner replaced

    @property
    def bold(self) -> bool:
        """Whether the page was estimated spun heavily enough to be restored more boldly
        (edits.bolder lowered the cut)."""
        return self.spin_rate is not None and bolder(1.0, self.spin_rate) < 1.0

    def to_json(self) -> dict:
        return {"text": self.text, "edits": [e.to_json() for e in self.edits],
                "spin_rate": None if self.spin_rate is None else round(self.spin_rate, 4),
                "bold": self.bold}


def restore(text: str, *, sources=None, learned: dict[str, dict[str, int]] | None = None,
            use_lm: bool = True, lexicon=None, proposals: bool = PROPOSALS,
            review: bool | str = True,
            progress: Callable[[int, int], None] | None = None) -> Restoration:
    """The most likely original wording of `text`, as edits over its character offsets.

    sources: thesauri to draw candidates from (default all installed); learned: a table from
    `unspin learn` (spun -> {original: count}); use_lm=False decides on 3-gram evidence alone;
    review: a second LM, where installed, settles the contested edits (engine.review): "full",
    "fast", "off"; True: as $UNSPIN_REVIEW says (default full)."""
    how = resolve(review)
    doc = reading(text)
    if len(doc.words) > MAX_WORDS:
        raise UnspinError(f"text has {len(doc.words):,} words; restore takes up to {MAX_WORDS:,} "
                          "per document (split it into articles)")
    from . import lm as lms
    model = lms.neural() if use_lm else None
    sites = candidates(doc, _lexicon(lexicon, sources, learned), model, proposals)
    reader, fast = reviewer(how, use_lm)
    try:
        decoded = decode(doc, sites, model, progress, reader, fast)
        return restoration(text, decoded.chosen, decoded.rate if use_lm else None)
    finally:
        if use_lm:
            trim()  # the LM's batches are freed: give their heap back (unspin.memory)


def reviewer(how: str, use_lm: bool = True):
    """(the review's second reader, or None for no review; whether the review is the fast one)
    for a resolved review mode (review.resolve)."""
    from . import lm as lms
    return (lms.reader() if use_lm and how != "off" else None), how == "fast"


def reading(text: str) -> Doc:
    """`text` as restore reads it: numbers are words, as spinner A writes "4" for "four" and
    "12 months" for "year" (its commonest habit); without them neither could be a suspect."""
    return Doc(text, numbers=True)


def restoration(text: str, chosen: list[Choice], spin_rate: float | None = None) -> Restoration:
    """The decoded choices as edits over `text`, and the text they give (spin_rate: the
    decision's estimate, reported with them)."""
    edits: list[Edit] = []
    mark = apostrophe_of(text)
    for ch in sorted(chosen, key=lambda c: c.site.start):
        s = ch.site
        to = typeset(match_case(s.text, ch.cand.text, s.sentence_start), mark)
        if to == s.text:
            continue
        alts = [(typeset(match_case(s.text, o.cand.text, s.sentence_start), mark), o.p)
                for o in sorted(ch.others, key=lambda o: -o.p)[:ALTERNATIVES]]
        start, spun = s.start, s.text
        article = _article_before(text, s.start)
        if article and article_agrees(article, s.text) and not article_agrees(article, to) \
                and not (edits and edits[-1].end > s.start - len(article) - 1):
            # The spinner fixed "a"/"an" for its word ("a big" -> "an enormous"): put the
            # original's article back with it.
            start, spun = s.start - len(article) - 1, f"{article} {s.text}"
            to = _fit_article(article, to)
            alts = [(_fit_article(article, a), p) for a, p in alts]
        edits.append(Edit(start, s.end, spun, to, ch.p, tuple(alts)))
    return Restoration(text, apply_edits(text, edits), edits, spin_rate)


def _article_before(text: str, at: int) -> str | None:
    """The "a"/"an" (as written) right before offset `at`, separated by one space."""
    # Searched in the last three characters only (the lookbehind still sees the one before):
    # from 0 it would rescan the text for every edit.
    m = _ARTICLE_BEFORE.search(text, max(0, at - 3), at)
    return m.group(1) if m else None


def _fit_article(article: str, words: str) -> str:
    """`words` behind the article that suits them, written in `article`'s case."""
    right = "an" if starts_with_vowel_sound(words) else "a"
    return f"{match_case(article, right)} {words}"


def _lexicon(lexicon, sources, learned):
    if lexicon is not None:
        return lexicon
    from ..lexicon.lexicon import SOURCES, Lexicon, default_lexicon
    if not learned and (sources is None or tuple(sources) == tuple(SOURCES)):
        return default_lexicon()  # built once a process (about 0.6 s)
    return Lexicon(sources=tuple(sources or SOURCES), learned=learned)


def candidates(doc: Doc, lexicon, model=None, proposals: bool = False, progress=None,
               span: tuple[int, int] | None = None) -> list[Site]:
    """Suspects with their screened candidates, each with its spinner prior (find_sites).

    Given a model, the candidates are screened on the 3-gram gain plus the LM's left-context
    opinion of their first token (one pass over each sentence), which keeps the right
    original in the short list far more often than the 3-gram alone. A function word's
    confusion-set mates (lexicon.confusions) join the candidates; with proposals, so do the
    LM's own guesses (filtered by meaning). span: only the suspects starting in that word
    range (find_sites)."""
    from . import lm as lms
    from ..lexicon.confusions import confusion_candidates
    from ..lexicon.contractions import contraction_candidates
    extra = confusion_candidates(doc, span)
    if CONTRACTIONS and model is not None:
        # Only the LM can tell which form the writer used; to detection (no model) a
        # contraction is no evidence of spinning: writers use both forms.
        for k, more in contraction_candidates(doc).items():
            extra.setdefault(k, []).extend(more)
    if model is not None and proposals:
        from .propose import propose
        for k, more in propose(doc, model, lexicon).items():
            extra.setdefault(k, []).extend(more)
    # With a model (restore) a transcript turn's first word is a suspect too; detection (no
    # model) keeps the suspects its features were fitted on.
    sites = find_sites(doc, lexicon, lms.ngram(), extra=extra,
                       keep=WIDE_KEEP if model is not None else KEEP, progress=progress, span=span,
                       wide=model is not None)
    if model is not None:
        sites = by_left_context(doc, sites, model)
    return sites
