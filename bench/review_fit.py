"""Fit restore's review (unspin.engine.review) on the dev splits, never on test.

1. trace: the real pages' dev split (23 pages; spinner A known and unknown) and the simulated dev
   split (Brown dev articles: known A at its natural rate, unknown A, B, C at 0.2), each decoded
   without the review; for every suspect whose best option's p lies in [0.1, 0.97], Gemma 3 270M's
   gain for it with the other chosen edits in place (review.reread). The decodings and gains
   go to a local pickle (.cache/diag; it holds the pages' text, so it never enters the repository).
2. fit: a logistic model on logit p and the clipped gain over the options in --band, labelled
   right when the option brings a real page closer to its original (real_pages.labels) or
   restores a simulated spinner edit exactly; then, for each cut, the whole decision as the
   review would leave it (review.settle): damage undone, precision and untouched words changed
   on the real pages, restored exactly, precision and untouched words changed per simulated
   cell. The cut: the lowest in --cuts that keeps the simulated known spinner's untouched words
   changed at or below the decision's without the review. --write stores the rule in
   unspin/data/calibration.json.

    .venv/bin/python bench/review_fit.py --trace .cache/diag/review_dev.pkl
    .venv/bin/python bench/review_fit.py --fit .cache/diag/review_dev.pkl --write
"""
from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

SIM_CELLS = (("known", "A", None), ("unknown", "A", 0.2), ("unknown", "B", 0.2), ("unknown", "C", 0.2))
WIDE = (0.1, 0.97)


def trace(out: Path, docs: int) -> None:
    import corpus
    from real import restore_traced, tables
    from real_pages import PAGES, lexicon_for, load, source_site
    from run import as_edits, pick_spread, seed_for

    from unspin.engine import lm
    from unspin.engine.review import Rule, contested, reread
    from unspin.lexicon.lexicon import Lexicon
    from unspin.simulate.spin import spin
    model, wide = lm.neural(), Rule(*WIDE, 0.0, 0.0, 0.0, 0.5)
    items: list[dict] = []
    t0 = time.time()
    for regime in ("known", "unknown"):
        lex = lexicon_for(regime)
        for page in load(PAGES, "dev"):
            doc, _, dec, _ = restore_traced(page["spun"], lex, model, review=False)
            items.append({"kind": "real", "cell": f"real {regime}", "id": page["id"],
                          "group": source_site(page["original_url"]), "text": page["spun"],
                          "original": page["original"], "doc": doc, "dec": dec})
        print(f"real {regime} [{time.time() - t0:.0f}s]", file=sys.stderr, flush=True)
    for regime, style, rate in SIM_CELLS:
        spin_table, restore_table = tables(regime, style)
        lex = Lexicon(spinners=restore_table)
        for d in pick_spread(corpus.documents("dev-all", "dev", chunk_words=300), docs):
            sp = spin(d.text, style="observed", rate=rate, seed=seed_for(d.id, regime, style, rate),
                      table=spin_table)
            doc, _, dec, _ = restore_traced(sp.text, lex, model, review=False)
            items.append({"kind": "sim", "cell": f"{regime} {style} {rate or 'natural'}", "id": d.id,
                          "group": d.id.split("#")[0], "text": sp.text,
                          "gold": as_edits(sp.edits, sp.text)[0], "doc": doc, "dec": dec})
        print(f"{regime} {style} [{time.time() - t0:.0f}s]", file=sys.stderr, flush=True)
    reader, secs, words = lm.reader(), 0.0, 0
    if reader is None:
        raise SystemExit("Gemma 3 270M is not installed: UNSPIN_WITH_GEMMA=1 make setup")
    for it in items:
        disputed = contested(it["dec"].options, wide)
        t1 = time.perf_counter()
        gains = reread(it["doc"], disputed, it["dec"].chosen, reader)
        secs += time.perf_counter() - t1
        words += len(it["doc"].words)
        it["gains"] = {o.site.key: g for o, g in zip(disputed, gains)}
    print(f"the reader: {1000 * secs / max(1, words):.1f} s per 1,000 words on the widest band",
          file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(items))


def _rows(items: list[dict], lo: float, hi: float) -> list[dict]:
    """(p, gain, right, group) of each contested option."""
    from real_pages import labels

    from unspin.engine.review import Rule, contested
    band = Rule(lo, hi, 0.0, 0.0, 0.0, 0.5)
    rows = []
    for it in items:
        if it["kind"] == "real":
            judge = labels(it["text"], it["original"])
        else:
            gold = {(g.start, g.end): g.to.casefold() for g in it["gold"]}
        for o in contested(it["dec"].options, band):
            if it["kind"] == "real":
                right = judge(o.site.start, o.site.end, o.cand.text)[0]
            else:
                right = gold.get((o.site.start, o.site.end)) == o.cand.text.casefold()
            rows.append({"p": o.p, "gain": it["gains"][o.site.key], "y": bool(right)})
    return rows


def _chosen(it: dict, rule):
    from unspin.engine.review import contested, settle
    if rule is None:
        return it["dec"].chosen
    disputed = contested(it["dec"].options, rule)
    return settle(it["dec"].chosen, disputed, [it["gains"][o.site.key] for o in disputed], rule)


def evaluate(items: list[dict], rule) -> dict[str, tuple[float, float, float]]:
    """Per cell: (damage undone or restored exactly, precision, untouched words changed)."""
    from metrics import as_edits, score_restoration
    from real_pages import distance, judge_edits

    from unspin.engine.restore import restoration
    acc: dict[str, list[float]] = {}
    for it in items:
        r = restoration(it["text"], _chosen(it, rule))
        system, _ = as_edits(r.edits, it["text"])
        a = acc.setdefault(it["cell"], [0.0] * 6)  # damage before, after; right, edits; changed, untouched
        if it["kind"] == "real":
            j = judge_edits(it["text"], it["original"], system)
            got = (distance(it["text"], it["original"]), distance(r.text, it["original"]),
                   j["right"], j["edits"], j["changed"], j["untouched"])
        else:
            s = score_restoration(it["text"], it["gold"], system)
            got = (s["gold"], s["gold"] - s["exact"], s["exact"],
                   s["exact"] + max(0, s["system_edits"] - s["exact"]), s["changed"], s["untouched"])
        for k, v in enumerate(got):
            a[k] += v
    return {cell: ((a[0] - a[1]) / max(1, a[0]), a[2] / max(1, a[3]), a[4] / max(1, a[5]))
            for cell, a in acc.items()}


def fit(path: Path, lo: float, hi: float, cuts: list[float], write: bool) -> None:
    from sklearn.linear_model import LogisticRegression

    from unspin.engine.review import Rule
    items = pickle.loads(path.read_bytes())
    rows = _rows(items, lo, hi)

    def x(r: dict) -> list[float]:
        p = min(max(r["p"], 1e-4), 1 - 1e-4)
        return [math.log(p / (1 - p)), max(-10.0, min(10.0, r["gain"]))]
    m = LogisticRegression(C=100).fit([x(r) for r in rows], [r["y"] for r in rows])
    bias, (w_p, w_gain) = float(m.intercept_[0]), (float(w) for w in m.coef_[0])
    print(f"{len(rows)} contested options in [{lo}, {hi}], {sum(r['y'] for r in rows)} right; "
          f"q = sigmoid({bias:.3f} + {w_p:.3f} logit p + {w_gain:.3f} gain)\n")
    base = evaluate(items, None)
    cells = list(base)
    print("| cut | " + " | ".join(cells) + " |")
    print("|---" * (len(cells) + 1) + "|")

    def line(tag: str, res: dict) -> str:
        return f"| {tag} | " + " | ".join(
            f"{100 * a:.1f} % / {b:.3f} / {100 * c:.2f} %" for a, b, c in (res[k] for k in cells)) + " |"
    print(line("no review", base))
    known = next(c for c in cells if c.startswith("known"))
    chosen_cut = None
    for cut in cuts:
        res = evaluate(items, Rule(lo, hi, bias, w_p, w_gain, cut))
        print(line(str(cut), res))
        if chosen_cut is None and res[known][2] <= base[known][2] + 1e-12:
            chosen_cut = cut
    print("\n(each cell: damage undone on real pages, restored exactly on simulated ones / "
          "precision / untouched words changed)")
    print(f"cut: {chosen_cut} (the lowest keeping '{known}' untouched changes at or below no review's)")
    if write and chosen_cut is not None:
        from tune import OUT, dump
        cal = json.loads(OUT.read_text())
        cal["review"] = {"lo": lo, "hi": hi, "bias": bias, "w_p": w_p, "w_gain": w_gain,
                         "cut": chosen_cut, "clip": 10.0,
                         "fitted_on": f"bench/review_fit.py on {path.name}: {len(rows)} options"}
        OUT.write_text(dump(cal))
        print(f"wrote {OUT}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trace", type=Path, help="decode the dev splits, score with the reader, pickle here")
    ap.add_argument("--fit", type=Path, help="fit on a pickle from --trace")
    ap.add_argument("--docs", type=int, default=12, help="simulated articles per cell")
    ap.add_argument("--band", default="0.3,0.95", help="the p band the review contests")
    ap.add_argument("--cuts", default="0.74,0.75,0.76,0.77,0.78,0.8,0.82,0.85")
    ap.add_argument("--write", action="store_true", help="store the rule in calibration.json")
    a = ap.parse_args()
    if not (a.trace or a.fit):
        ap.error("give --trace and/or --fit")
    if a.trace:
        trace(a.trace, a.docs)
    if a.fit:
        lo, hi = (float(v) for v in a.band.split(","))
        fit(a.fit, lo, hi, [float(c) for c in a.cuts.split(",")], a.write)


if __name__ == "__main__":
    main()
