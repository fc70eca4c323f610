"""Restore: score each suspect's candidates in context and decode every sentence jointly.

Each candidate gets a calibrated probability of being the original, from a logistic model
(fitted on the dev split by bench/tune.py) over its evidence: the SmolLM2 log-prob gain over
the spun wording, the 3-gram gain, how likely a spinner was to produce the text from it, and
word frequencies. Pass 2 re-scores suspects next to an accepted edit with that edit applied,
since neighbouring edits interact ("each nations" -> "both countries").
"""
from __future__ import annotations

# Over 400 lines: candidates, LM scoring, the two-stage edit model and the two-pass decode share the Site/Cand records; splitting them waits for the engine work that replaces that shared state.

import math
from dataclasses import dataclass, field
import re
from typing import Callable

from .calibration import logistic, params
from ..errors import UnspinError
from .sites import TABLE_SOURCES, Cand, Site, find_sites
from ..language import article_agrees, starts_with_vowel_sound
from ..text import Doc, Edit, apply_edits, match_case

SCREEN = 1.0                # sites whose best screening gain is below this never reach the LM
# ... nor do those whose best candidate is this unlikely on the evidence without the LM: on
# the dev split this skips about half of the suspects that pass SCREEN and 1 in 800 of the
# right edits the decision would have accepted.
CASCADE = 0.03
KEEP = 4                    # candidates per suspect that reach the full LM scoring
WIDE_KEEP = 12              # ... chosen from this many by 3-gram and left-context LM gain
# ... and a thesaurus guess this many nats below the suspect's best on that gain never
# reaches it: on the dev dump they were 38 % of the LM's options, and dropping them changed
# no decision (known and unknown spinners and clean text alike, to 0.1 point). A spinner's
# known swaps always stay: dropping them cost a point.
NEAR_BEST = 2.0
CONTEXT_WORDS = 8           # words of left context the LM sees
LOOKAHEAD_WORDS = 3         # words after the site whose probability the change affects
NEIGHBOURHOOD = 3           # words: suspects this close to an edit are decoded again ...
# ... unless pass 1 already settled them: on the dev split, of 414 such suspects whose best
# option had p outside this band, one changed its decision in pass 2 (a right edit gained);
# skipping them takes two thirds of the suspects out of pass 2 (649 -> 235).
UNSETTLED = (0.15, 0.85)
ALTERNATIVES = 3            # other originals listed with each edit
_ARTICLE_BEFORE = re.compile(r"(?<![\w'\u2019-])(an?|An?|AN) \Z")
MAX_WORDS = 50_000          # about 17 minutes of LM time on two cores (~50 words/s)
SOURCES_ONE_HOT = ("wordnet", "mythes", "aiksaurus", "habit", "observed", "learned", "lm")
RATE_FLOOR = 0.002          # spin-rate estimates are clipped to [floor, 1 - floor] before logit
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

    def to_json(self) -> dict:
        return {"text": self.text, "edits": [e.to_json() for e in self.edits]}


@dataclass
class _Choice:
    site: Site
    cand: Cand
    p: float
    others: list["_Choice"] = field(default_factory=list, repr=False)  # the site's other options

    @property
    def words(self) -> set[int]:
        return set(range(self.site.i, self.site.i + self.site.n))


def restore(text: str, *, sources=None, learned: dict[str, dict[str, int]] | None = None,
            use_lm: bool = True, lexicon=None, proposals: bool = PROPOSALS,
            progress: Callable[[int, int], None] | None = None) -> Restoration:
    """The most likely original wording of `text`, as edits over its character offsets.

    sources: thesauri to draw candidates from (default all installed); learned: a table from
    `unspin learn` (spun -> {original: count}); use_lm=False decides on 3-gram evidence alone."""
    doc = Doc(text)
    if len(doc.words) > MAX_WORDS:
        raise UnspinError(f"text has {len(doc.words):,} words; restore takes up to {MAX_WORDS:,} "
                          "per document (split it into articles)")
    from . import lm as lms
    model = lms.neural() if use_lm else None
    sites = candidates(doc, _lexicon(lexicon, sources, learned), model, proposals)
    return restoration(text, decode(doc, sites, model, progress))


def restoration(text: str, chosen: list[_Choice]) -> Restoration:
    """The decoded choices as edits over `text`, and the text they give."""
    edits: list[Edit] = []
    for ch in sorted(chosen, key=lambda c: c.site.start):
        s = ch.site
        to = match_case(s.text, ch.cand.text)
        if to == s.text:
            continue
        alts = [(match_case(s.text, o.cand.text), o.p)
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
    return Restoration(text, apply_edits(text, edits), edits)


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
    if sources is None and not learned:
        return default_lexicon()
    return Lexicon(sources=tuple(sources or SOURCES), learned=learned)


def candidates(doc: Doc, lexicon, model=None, proposals: bool = False, progress=None) -> list[Site]:
    """Suspects with their screened candidates, each with its spinner prior.

    Given a model, the candidates are screened on the 3-gram gain plus the LM's left-context
    opinion of their first token (one pass over each sentence), which keeps the right
    original in the short list far more often than the 3-gram alone; with proposals, the
    LM's own guesses (filtered by meaning) join the thesaurus candidates."""
    from . import lm as lms
    extra = None
    if model is not None and proposals:
        from .propose import propose
        extra = propose(doc, model, lexicon)
    sites = find_sites(doc, lexicon, lms.ngram(), extra=extra,
                       keep=WIDE_KEEP if model is not None else KEEP, progress=progress)
    if model is not None:
        _left_screen(doc, sites, model)
    for s in sites:
        for c in s.cands:
            if c.source in TABLE_SOURCES:
                continue
            # A spinner picks among an original's synonyms: an original with hundreds of
            # them ("get", "take") explains any one spun word poorly.
            fan = lexicon.fanout(c.text)
            if fan:
                c.prior = -math.log(fan / 20.0)
    return sites


def _by_sentence(doc: Doc, sites: list[Site]) -> list[tuple[tuple[int, int], list[Site]]]:
    """Suspects grouped by sentence ([lo, hi) word range), in text order."""
    from .sites import sentence_word_ranges
    ranges = sentence_word_ranges(doc)
    out: list[tuple[tuple[int, int], list[Site]]] = []
    r = 0
    for s in sorted(sites, key=lambda s: (s.i, s.n)):
        while ranges[r][1] <= s.i:
            r += 1
        if not out or out[-1][0] != ranges[r]:
            out.append((ranges[r], []))
        out[-1][1].append(s)
    return out


def _left_screen(doc: Doc, sites: list[Site], model) -> None:
    """Set cand.left_gain and cut each site to its KEEP best by 3-gram + left-LM gain."""
    words = doc.words
    texts, positions, options, owners = [], [], [], []
    for (lo, hi), group in _by_sentence(doc, sites):
        base = words[lo].start
        texts.append(doc.text[base:words[hi - 1].end])
        positions.append([s.start - base for s in group])
        options.append([[s.text.lower()] + [c.text for c in s.cands] for s in group])
        owners.append(group)
    for group, per in zip(owners, model.first_token_logprobs(texts, positions, options)):
        for s, lps in zip(group, per):
            s.left_logp = lps[0]
            for c, lp in zip(s.cands, lps[1:]):
                c.left_gain = lp - lps[0]
            table = [c for c in s.cands if c.source in TABLE_SOURCES]
            best = max(c.ngram_gain + c.left_gain for c in s.cands)
            rest = sorted((c for c in s.cands if c.source not in TABLE_SOURCES
                           and c.ngram_gain + c.left_gain >= best - NEAR_BEST),
                          key=lambda c: -(c.ngram_gain + c.left_gain))
            s.cands = table + rest[:max(0, KEEP - len(table))]


def features(site: Site, cand: Cand, use_lm: bool = True,
             rate: float | None = None) -> dict[str, float]:
    """The evidence for `cand` being the original of `site`, as model inputs.

    rate: the document's estimated spin rate (share of words a spinner replaced); a heavily
    spun document makes every swap more likely, a clean one less."""
    from wordfreq import zipf_frequency

    def zipf(phrase: str) -> float:
        return min(zipf_frequency(w, "en") for w in phrase.split())

    def total(c: Cand) -> float:
        return (c.lm_gain if use_lm else c.ngram_gain) or 0.0

    others = [total(c) for c in site.cands if c is not cand]
    g = total(cand)
    # Without the LM, its left-context screening never ran: those inputs are zero.
    f = {"gain": _clip(g), "ngram": _clip(cand.ngram_gain), "prior": cand.prior,
         "left": _clip(cand.left_gain) if use_lm else 0.0,
         "odd_lm": _clip(-site.left_logp) if use_lm else 0.0,
         "odd_ngram": _clip(-site.ngram_logp),
         "dlen": abs(len(cand.text.split()) - site.n), "n": site.n,
         "z_spun": zipf(site.text.lower()), "z_cand": zipf(cand.text),
         "margin": _clip(g - max(others + [0.0])),
         # Real spinners' tables: how often this swap, and this spun text, were seen.
         "table": math.log1p(cand.count), "spun_known": math.log1p(site.spun_weight),
         "table_share": cand.count / site.spun_weight if site.spun_weight else 0.0,
         "table_odds": _clip(cand.odds, 10.0),
         "in_name": float(site.in_name), **doc_features(cand, use_lm)}
    f["gain_table"] = f["gain"] * (cand.count > 0)
    for src in SOURCES_ONE_HOT:
        f["src_" + src] = float(cand.source == src)
    return f if rate is None else with_rate(f, rate)


def doc_features(cand: Cand, use_lm: bool = True) -> dict[str, float]:
    """A spinner swaps a word the same way throughout: the LM's verdict on the same swap
    elsewhere in the document (set by pool(); the no-LM path never has it)."""
    if not use_lm:
        return {"doc_gain": 0.0, "doc_n": 0.0}
    return {"doc_gain": _clip(cand.doc_gain, 10.0), "doc_n": math.log1p(cand.doc_n)}


def with_rate(f: dict[str, float], rate: float) -> dict[str, float]:
    """Edit features plus the document's spin rate (as log-odds) and its interactions:
    the same LM gain or table count means more in a heavily spun document."""
    r = min(1 - RATE_FLOOR, max(RATE_FLOOR, rate))
    lo = math.log(r / (1 - r))
    return dict(f, rate=lo, rate_gain=lo * _clip(f["gain"], 10.0), rate_table=lo * f["table"])


def _clip(x: float, lim: float = 20.0) -> float:
    return max(-lim, min(lim, x))


def probability(site: Site, cand: Cand, use_lm: bool = True, rate: float | None = None) -> float:
    """Calibrated P(cand is the original). Without `rate`, the first-stage model that
    estimates the document's spin rate; with it, the decision model."""
    return logistic(_model(use_lm, rate is not None), features(site, cand, use_lm, rate))


def _model(use_lm: bool, staged: bool) -> dict:
    """The fitted edit model: the decision (with the spin rate) or the first stage (without)."""
    return params()[("edit" if use_lm else "edit_ngram") + ("" if staged else "_first")]


def spin_rate(options: list[_Choice], n_words: int) -> float:
    """Expected share of the document's words a spinner replaced: the sum, over suspects,
    of the first-stage probability that the best candidate is the original."""
    best: dict[int, float] = {}
    for ch in options:
        k = id(ch.site)
        best[k] = max(best.get(k, 0.0), ch.p * ch.site.n)
    return sum(best.values()) / max(1, n_words)


def decide_at(use_lm: bool = True) -> float:
    p = params()
    return p.get("decide_at", 0.5) if use_lm else p.get("decide_at_ngram", p.get("decide_at", 0.5))


def decode(doc: Doc, sites: list[Site], model, progress=None) -> list[_Choice]:
    """Choose edits: best-first, non-overlapping, each above the decision probability."""
    use_lm = model is not None
    live, skipped = _split(sites, use_lm)
    if not live:
        return []
    if use_lm:
        score(doc, live, model, {}, progress)
        pool(live)
    # Each candidate's evidence once, read by both stages; suspects the cascade skipped still
    # count towards the rate, on their cheap evidence.
    evidence = [(s, c, features(s, c, use_lm)) for s in live for c in s.cands]
    first, final = _model(use_lm, False), _model(use_lm, True)
    rate = spin_rate([_Choice(s, c, logistic(first, f)) for s, c, f in evidence] + skipped,
                     len(doc.words))
    options = [_Choice(s, c, logistic(final, with_rate(f, rate))) for s, c, f in evidence]
    chosen = _pick(options, set(), decide_at(use_lm))
    if not use_lm:
        return _with_others(chosen, options)
    # Pass 2: decide again the unsettled suspects next to an edit, with the neighbours'
    # edits in place.
    best: dict[int, float] = {}
    for ch in options:
        best[id(ch.site)] = max(best.get(id(ch.site), 0.0), ch.p)
    near = [s for s in live if UNSETTLED[0] <= best[id(s)] < UNSETTLED[1]
            and any(_close(s, ch) for ch in chosen)]
    if near:
        redo = {id(s) for s in near}
        kept = [ch for ch in chosen if id(ch.site) not in redo]
        score(doc, near, model, {id(ch.site): ch for ch in chosen}, None)
        pool(live)
        again = _options(near, True, rate)
        chosen = kept + _pick(again, {i for ch in kept for i in ch.words}, decide_at(True))
        options = [o for o in options if id(o.site) not in redo] + again
    return _with_others(chosen, options)


def _with_others(chosen: list[_Choice], options: list[_Choice]) -> list[_Choice]:
    """Each chosen option with the other options of its suspect (its alternatives)."""
    by_site: dict[int, list[_Choice]] = {}
    for o in options:
        by_site.setdefault(id(o.site), []).append(o)
    for ch in chosen:
        ch.others = [o for o in by_site.get(id(ch.site), []) if o.cand is not ch.cand]
    return chosen


def pool(sites: list[Site]) -> None:
    """Set cand.doc_gain / doc_n: the mean LM gain (clipped as a feature) of the same swap
    (same spun text, same candidate) at the document's other suspects, and their number."""
    swaps = [((s.text.lower(), c.text.lower()), _clip(c.lm_gain or 0.0), c)
             for s in sites for c in s.cands]
    totals: dict[tuple[str, str], list[float]] = {}
    for key, gain, _ in swaps:
        totals.setdefault(key, []).append(gain)
    for key, gain, c in swaps:
        gains = totals[key]
        c.doc_n = len(gains) - 1
        c.doc_gain = (sum(gains) - gain) / c.doc_n if c.doc_n else 0.0


def live_sites(sites: list[Site], use_lm: bool) -> list[Site]:
    """The suspects worth the LM's time: a candidate reads better on the cheap evidence."""
    return _split(sites, use_lm)[0]


def _split(sites: list[Site], use_lm: bool) -> tuple[list[Site], list[_Choice]]:
    """(suspects for the LM, the options of those that pass SCREEN but not the CASCADE,
    scored by the first stage without the LM)."""
    if not use_lm:
        return sites, []
    live: list[Site] = []
    skipped: list[_Choice] = []
    for s in sites:
        if max(c.ngram_gain + c.left_gain for c in s.cands) <= SCREEN:
            continue
        cheap = _options([s], False, None)
        if max(ch.p for ch in cheap) >= CASCADE:
            live.append(s)
        else:
            skipped += cheap
    return live, skipped


def _options(sites: list[Site], use_lm: bool, rate: float | None) -> list[_Choice]:
    return [_Choice(s, c, probability(s, c, use_lm, rate)) for s in sites for c in s.cands]


def _pick(options: list[_Choice], used: set[int], cut: float) -> list[_Choice]:
    taken: list[_Choice] = []
    for ch in sorted(options, key=lambda c: -c.p):
        if ch.p < cut:
            break
        if ch.words & used:
            continue
        taken.append(ch)
        used |= ch.words
    return taken


def _close(s: Site, ch: _Choice) -> bool:
    a, b = ch.site.i, ch.site.i + ch.site.n
    if s is ch.site:
        return False
    return s.i < b + NEIGHBOURHOOD and a < s.i + s.n + NEIGHBOURHOOD


def _render(doc: Doc, lo: int, hi: int, context: dict, skip: Site) -> str:
    """doc.text[lo:hi] with the context edits inside it applied (except `skip`'s own)."""
    out, pos = [], lo
    for ch in sorted(context.values(), key=lambda c: c.site.start):
        s = ch.site
        if s is skip or s.start < lo or s.end > hi or s.start < pos:
            continue
        out += [doc.text[pos:s.start], match_case(s.text, ch.cand.text)]
        pos = s.end
    out.append(doc.text[pos:hi])
    return "".join(out)


def score(doc: Doc, sites: list[Site], model, context: dict, progress=None) -> None:
    """Set cand.lm_gain: LM log-prob of the window with the candidate minus with the spun text.

    The left context is the site's sentence up to it (and the last CONTEXT_WORDS words of the
    sentence before); the window ends LOOKAHEAD_WORDS after the site. Every suspect of a
    sentence shares one pass over it (model.cut_logprobs)."""
    words = doc.words
    groups: list[tuple[list[int], list[tuple[int, list[int]]]]] = []
    owners: list[list[Site]] = []
    for (first, _), in_sentence in _by_sentence(doc, sites):
        lo = words[max(0, first - CONTEXT_WORDS)].start
        base: list[int] | None = None
        for s in in_sentence:
            hi = max(words[min(len(words), s.i + s.n + LOOKAHEAD_WORDS) - 1].end, s.end)
            # The space before the site travels with the continuation, as BPE attaches it there.
            left = _render(doc, lo, s.start, context, s)
            stripped = left.rstrip()
            gap = left[len(stripped):]
            right = _render(doc, s.end, hi, context, s)
            prefix = model.encode(stripped) if stripped else []
            options = [s.text] + [match_case(s.text, c.text) for c in s.cands]
            conts = [(len(prefix), model.encode(gap + o + right)) for o in options]
            # A later suspect's prefix extends an earlier one's (same sentence, same context):
            # its options join that group, which keeps the longest base.
            if base is not None and prefix[:len(base)] == base:
                groups[-1] = (prefix, groups[-1][1] + conts)
                owners[-1].append(s)
            else:
                groups.append((prefix, conts))
                owners.append([s])
            base = prefix
    step = max(1, len(groups) // 8)  # progress moves in about eight steps
    done = 0
    for a in range(0, len(groups), step):
        for group, lps in zip(owners[a:a + step], model.cut_logprobs(groups[a:a + step])):
            k = 0
            for s in group:
                base_lp = lps[k]
                for c, lp in zip(s.cands, lps[k + 1:k + 1 + len(s.cands)]):
                    c.lm_gain = lp - base_lp
                k += 1 + len(s.cands)
            done += len(group)
        if progress:
            progress(done, len(sites))
