"""The benchmark's scoring: restoration edits against gold (exact, wrong, missed, untouched
words changed), pooled counts, and detection metrics (ROC AUC, precision/recall/F1, FPR)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from unspin.language import word_pattern

# Words for counting (digits count as letters: "4.2" is one word with its neighbours' rule).
WORD_RE = re.compile(word_pattern("A-Za-z0-9\u00C0-\u024F"))


def n_words(text: str) -> int:
    return len(WORD_RE.findall(text))


@dataclass(frozen=True)
class E:
    start: int
    end: int
    from_: str
    to: str


def as_edits(edits, text: str) -> tuple[list[E], int]:
    """Normalise edit objects (or dicts) over `text`; drop no-ops; count invalid ones."""
    out, invalid = [], 0
    for e in edits or ():
        if isinstance(e, dict):
            s, t, f, to = e["start"], e["end"], e.get("from_", e.get("from")), e["to"]
        else:
            s, t, f, to = e.start, e.end, e.from_, e.to
        if f is None:
            f = text[s:t]
        if not (0 <= s <= t <= len(text)) or text[s:t] != f:
            invalid += 1
            continue
        if to.casefold() == f.casefold():
            continue
        out.append(E(s, t, f, to))
    out.sort(key=lambda e: (e.start, e.end))
    return out, invalid


def apply(text: str, edits: list[E], offset: int = 0) -> str:
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        s, t = e.start - offset, e.end - offset
        if s < pos:  # overlapping edits from one system: keep the first
            continue
        out.append(text[pos:s])
        out.append(e.to)
        pos = t
    out.append(text[pos:])
    return "".join(out)


def _norm(s: str) -> str:
    # Case, spacing and the apostrophe's glyph are typography, not wording: restore writes the
    # spun page's apostrophe (text.typeset), and a real original may use the other one.
    return " ".join(s.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


def _overlap(a0, a1, b0, b1) -> bool:
    if a0 == a1 or b0 == b1:  # insertions: overlap when inside or at the same point
        return b0 <= a0 <= b1 if a0 == a1 else a0 <= b0 <= a1
    return a0 < b1 and b0 < a1


def score_restoration(spun: str, gold: list[E], system: list[E]) -> dict:
    """Counts for one document (see the module docstring for the definitions)."""
    items = [("g", e) for e in gold] + [("s", e) for e in system]
    items.sort(key=lambda x: (x[1].start, x[1].end))
    # connected components of overlapping spans (sorted sweep; overlap is interval overlap)
    clusters: list[list] = []
    cur, cur_end = [], -1
    for kind, e in items:
        if cur and (e.start < cur_end or any(_overlap(e.start, e.end, o.start, o.end) for _, o in cur)):
            cur.append((kind, e))
            cur_end = max(cur_end, e.end)
        else:
            if cur:
                clusters.append(cur)
            cur, cur_end = [(kind, e)], e.end
    if cur:
        clusters.append(cur)

    exact = wrong = missed = 0
    bad_regions: list[tuple[int, int, list[E]]] = []
    examples: list[dict] = []
    for cl in clusters:
        g = [e for k, e in cl if k == "g"]
        s = [e for k, e in cl if k == "s"]
        r0, r1 = min(e.start for _, e in cl), max(e.end for _, e in cl)
        region = spun[r0:r1]
        match = _norm(apply(region, g, r0)) == _norm(apply(region, s, r0))
        if match:
            exact += len(g)
        else:
            if s:
                wrong += len(g)
                bad_regions.append((r0, r1, s))
            else:
                missed += len(g)
            examples.append({"kind": "wrong" if s and g else "changed" if s else "missed",
                             "context": spun[max(0, r0 - 40):r0] + "[" + region + "]"
                             + spun[r1:r1 + 40],
                             "original": apply(region, g, r0), "system": apply(region, s, r0)})
    # untouched words: character masks of gold spans and of non-matching system edits
    in_gold = bytearray(len(spun) + 1)
    in_bad = bytearray(len(spun) + 1)
    for e in gold:
        in_gold[e.start:e.end] = b"\x01" * (e.end - e.start)
    for _, _, sy in bad_regions:
        for e in sy:
            in_bad[e.start:e.end] = b"\x01" * (e.end - e.start)
    untouched = changed = 0
    for m in WORD_RE.finditer(spun):
        w0, w1 = m.start(), m.end()
        if any(in_gold[w0:w1]):
            continue
        untouched += 1
        if any(in_bad[w0:w1]):
            changed += 1
    return {"gold": len(gold), "exact": exact, "wrong": wrong, "missed": missed,
            "untouched": untouched, "changed": changed, "system_edits": len(system),
            "examples": examples}


def sum_counts(rows: list[dict]) -> dict:
    keys = ("gold", "exact", "wrong", "missed", "untouched", "changed", "system_edits",
            "invalid", "errors", "words", "seconds")
    tot = {k: sum(r.get(k, 0) for r in rows) for k in keys}
    ex: dict[str, list] = {}
    for r in rows:  # a few of each kind, for reading (JSON only)
        exs = r.get("examples") or ()
        if isinstance(exs, dict):  # already summed
            exs = [e for v in exs.values() for e in v]
        for e in exs:
            if len(ex.setdefault(e["kind"], [])) < 8:
                ex[e["kind"]].append(e)
    tot["examples"] = ex
    g, u = max(1, tot["gold"]), max(1, tot["untouched"])
    tot.update(exact_rate=tot["exact"] / g, wrong_rate=tot["wrong"] / g,
               missed_rate=tot["missed"] / g, changed_rate=tot["changed"] / u,
               words_per_s=(tot["words"] / tot["seconds"]) if tot["seconds"] else None)
    return tot


def roc_auc(scores_pos, scores_neg) -> float | None:
    p, n = np.asarray(scores_pos, float), np.asarray(scores_neg, float)
    if not len(p) or not len(n):
        return None
    gt = (p[:, None] > n[None, :]).sum()
    eq = (p[:, None] == n[None, :]).sum()
    return float((gt + 0.5 * eq) / (len(p) * len(n)))


def det_metrics(pos: list[tuple[float, bool]], neg: list[tuple[float, bool]]) -> dict:
    tp = sum(1 for _, d in pos if d)
    fn = len(pos) - tp
    fp = sum(1 for _, d in neg if d)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / len(pos) if pos else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    # F1 depends on the mix: the same detector scores lower against 8 clean articles per spun
    # one than against 1. f1_equal is the F1 of the same recall and false-positive rate on a
    # set with as many spun articles as clean ones.
    fpr = fp / len(neg) if neg else 0.0
    prec_eq = rec / (rec + fpr) if rec + fpr else 0.0
    f1_eq = 2 * prec_eq * rec / (prec_eq + rec) if prec_eq + rec else 0.0
    return {"n_spun": len(pos), "n_clean": len(neg), "tp": tp, "fp": fp, "fn": fn,
            "precision": prec, "recall": rec, "f1": f1, "f1_equal": f1_eq,
            "fpr": fpr if neg else None,
            "auc": roc_auc([s for s, _ in pos], [s for s, _ in neg])}




BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def stated_confidence(edits, system: list[E]) -> list[float]:
    """The confidence restore stated for each of `system` (its `edits` as as_edits normalised
    them, no-ops dropped), found by span."""
    conf = {(e.start, e.end): e.confidence for e in edits}
    return [conf[(e.start, e.end)] for e in system]


def reliability(judged: list[tuple[float, bool]]) -> list[dict]:
    """Edits by stated confidence (bins of BINS; a confidence under the first bound joins the
    first bin): how many, their mean confidence and the share that were right. Calibrated
    means the two agree: of the edits given 0.9, nine in ten right."""
    out = []
    for k, (lo, hi) in enumerate(zip(BINS, BINS[1:])):
        last = k == len(BINS) - 2
        rows = [(c, r) for c, r in judged
                if (c >= lo or k == 0) and (c < hi or (last and c <= hi))]
        out.append({"bin": f"{lo:.1f}-{hi:.1f}", "edits": len(rows),
                    "confidence": sum(c for c, _ in rows) / len(rows) if rows else None,
                    "right": sum(r for _, r in rows) / len(rows) if rows else None})
    return out


def calibration_error(judged: list[tuple[float, bool]]) -> float | None:
    """Expected calibration error over reliability()'s bins: |mean confidence - share right|,
    weighted by the bin's edits."""
    n = len(judged)
    if not n:
        return None
    return sum(b["edits"] / n * abs(b["confidence"] - b["right"])
               for b in reliability(judged) if b["edits"])


def render_reliability(groups: dict[str, list[tuple[float, bool]]]) -> str:
    """A markdown table: each group's edits per confidence bin as `right share (edits)`."""
    heads = [f"confidence {lo:.1f}-{hi:.1f}" for lo, hi in zip(BINS, BINS[1:])]
    heads[0] = f"confidence under {BINS[1]:.1f}"
    lines = ["| edits | " + " | ".join(heads)
             + " | calibration error |", "|---" * (len(BINS) + 1) + "|"]
    for name, judged in groups.items():
        cells = [f"{b['right']:.2f} right at {b['confidence']:.2f} ({b['edits']})" if b["edits"] else "-"
                 for b in reliability(judged)]
        ece = calibration_error(judged)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'-' if ece is None else f'{ece:.3f}'} |")
    return "\n".join(lines) + "\n"
