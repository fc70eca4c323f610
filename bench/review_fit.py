"""Fit restore's review (unspin.engine.review) on the dev splits, never on test.

1. trace: the simulated dev split (Brown dev articles: known spinner A at its natural rate and
   at 0.25, unknown A, B, C at 0.2, and the articles unspun), and the real pages' dev split
   where `.cache/realpages` holds it (bench/real_pages.py), each decoded without the review;
   for every option the widest rule would review (suspect's best p >= 0.02, option p >= 0.02 of
   it), both readers' gains with the other chosen edits in place (review.reread): Gemma 3 270M
   and the decision's own SmolLM2. The decodings and gains go to a local pickle (.cache/diag;
   it may hold the pages' text, so it never enters the repository). The fast review (--fast)
   reads SmolLM2's gains from the decodings instead of its re-reading.
2. fit: a logistic model on the review's evidence (review.FEATURES) over the options the rule
   --floor/--running reviews, labelled right when the option restores a simulated spinner edit
   exactly (or brings a real page closer to its original, real_pages.labels); then, for each
   cut, the whole decision as the review would leave it (review.settle): restored exactly,
   precision and untouched words changed per cell. The cut: the lowest in --cuts that keeps
   every known-spinner cell's untouched words changed at or below UNTOUCHED and the natural
   rate's precision at or above the decision's without the review. --write stores the rule in
   unspin/data/calibration.json.

    .venv/bin/python bench/review_fit.py --trace .cache/diag/review2_a.pkl --docs 16 \
        --cells "known A natural,known A 0.25,clean"        # (and _b: the unknown cells)
    .venv/bin/python bench/review_fit.py --trace .cache/diag/review2_c.pkl --docs 24 \
        --exclude .cache/diag/review2_a.pkl --cells "known A natural,unknown A 0.2"  # (_d: 0.25)
    .venv/bin/python bench/review_fit.py --fit .cache/diag/review2_a.pkl --fit ... --write
    .venv/bin/python bench/review_fit.py --fast --fit .cache/diag/review2_a.pkl --fit ... --write
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

SIM_CELLS = (("known", "A", None), ("known", "A", 0.25), ("unknown", "A", 0.2),
             ("unknown", "B", 0.2), ("unknown", "C", 0.2), ("clean", "", None))
REAL_REGIMES = ("known", "unknown", "story-out")  # the real pages' regimes a trace may hold
WIDE = 0.02  # the trace's floor and running share: the fit may choose any rule inside it
# The cut keeps the known spinner's untouched words changed on dev 0.1 points under the 0.5 %
# target. (On the test split the share has run 0.1 to 0.3 points above dev's for every
# decision, the review's or not, on few words: this margin has not been enough there.)
UNTOUCHED = 0.004


def _wide():
    from unspin.engine.review import FEATURES, Rule
    return Rule(WIDE, WIDE, 0.0, (0.0,) * len(FEATURES), 0.5)


def trace(out: Path, docs: int, cells: list[str] | None, exclude: list[Path] | None = None,
          page_set: str = "1") -> None:
    import corpus
    from real import restore_traced, tables
    from real_pages import SETS, lexicon_for, load_set, set_names, source_site
    from run import as_edits, pick_spread, seed_for

    from unspin.engine import lm
    from unspin.engine.review import contested, reread
    from unspin.lexicon.lexicon import Lexicon, default_lexicon
    from unspin.simulate.spin import spin
    model = lm.neural()
    items: list[dict] = []
    t0 = time.time()
    done = {it["id"] for p in exclude or [] for it in pickle.loads(p.read_bytes())}
    real = [r for r in REAL_REGIMES if not cells or f"real {r}" in cells]
    pages = [p for p in load_set(page_set, "dev") if p["id"] not in done]
    if pages and real:
        for regime in real:
            lex = lexicon_for(regime, page_set)
            for page in pages:
                doc, _, dec, _ = restore_traced(page["spun"], lex, model, review=False)
                items.append({"kind": "real", "cell": f"real {regime}", "id": page["id"],
                              "set": page["set"], "group": source_site(page["original_url"]),
                              "text": page["spun"], "original": page["original"], "doc": doc, "dec": dec})
            print(f"real {regime} [{time.time() - t0:.0f}s]", file=sys.stderr, flush=True)
    else:
        folders = ", ".join(str(SETS[n][0]) for n in set_names(page_set))
        print(f"no real pages at {folders} (or none in --cells): simulated cells only", file=sys.stderr)
    for regime, style, rate in SIM_CELLS:
        name = _cell_name(regime, style, rate)
        if cells and name not in cells:
            continue
        if regime == "clean":
            lex = default_lexicon()
        else:
            spin_table, restore_table = tables(regime, style)
            lex = Lexicon(spinners=restore_table)
        dev = [d for d in corpus.documents("dev-all", "dev", chunk_words=300) if d.id not in done]
        for d in pick_spread(dev, docs):
            if regime == "clean":
                text, gold = d.text, []
            else:
                sp = spin(d.text, style="observed", rate=rate,
                          seed=seed_for(d.id, regime, style, rate), table=spin_table)
                text, gold = sp.text, as_edits(sp.edits, sp.text)[0]
            doc, _, dec, _ = restore_traced(text, lex, model, review=False)
            items.append({"kind": "sim", "cell": name, "id": d.id, "group": d.id.split("#")[0],
                          "text": text, "gold": gold, "doc": doc, "dec": dec})
        print(f"{name} [{time.time() - t0:.0f}s]", file=sys.stderr, flush=True)
    reader = lm.reader()
    if reader is None:
        raise SystemExit("Gemma 3 270M is not installed: UNSPIN_WITH_GEMMA=1 make setup")
    secs, words = 0.0, 0
    for it in items:
        disputed = contested(it["dec"].options, _wide())
        t1 = time.perf_counter()
        g = reread(it["doc"], disputed, it["dec"].chosen, reader)
        s = reread(it["doc"], disputed, it["dec"].chosen, model)
        secs += time.perf_counter() - t1
        words += len(it["doc"].words)
        keys = [(o.site.key, o.cand.text) for o in disputed]
        it["gains"] = dict(zip(keys, zip(g, s)))
    print(f"the readers: {1000 * secs / max(1, words):.1f} s per 1,000 words on the widest rule "
          f"[{time.time() - t0:.0f}s]", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(items))


def _cell_name(regime: str, style: str, rate: float | None) -> str:
    return "clean" if regime == "clean" else f"{regime} {style} {rate or 'natural'}"


def _disputed(it: dict, rule, fast: bool = False):
    """(the options `rule` reviews in this item, their evidence); fast: the fast review's, on
    the decision's own SmolLM2 gains instead of its re-reading."""
    from unspin.engine.review import contested, decision_gains, evidence
    disputed = contested(it["dec"].options, rule)
    pairs = [it["gains"][o.site.key, o.cand.text] for o in disputed]
    model = decision_gains(disputed) if fast else [s for _, s in pairs]
    return disputed, evidence(disputed, [g for g, _ in pairs], model, rule.clip)


def _rows(items: list[dict], rule, fast: bool = False) -> tuple[list[tuple[float, ...]], list[bool]]:
    """The evidence and label (right or not) of each option `rule` reviews."""
    from real_pages import labels
    xs: list[tuple[float, ...]] = []
    ys: list[bool] = []
    for it in items:
        if it["kind"] == "real":
            judge = labels(it["text"], it["original"])
        else:
            gold = {(g.start, g.end): g.to.casefold() for g in it["gold"]}
        disputed, ev = _disputed(it, rule, fast)
        for o, x in zip(disputed, ev):
            if it["kind"] == "real":
                right = judge(o.site.start, o.site.end, o.cand.text)[0]
            else:
                right = gold.get((o.site.start, o.site.end)) == o.cand.text.casefold()
            xs.append(x)
            ys.append(bool(right))
    return xs, ys


def _chosen(it: dict, rule, fast: bool = False):
    from unspin.engine.review import settle
    if rule is None:
        return it["dec"].chosen
    disputed, ev = _disputed(it, rule, fast)
    return settle(it["dec"].chosen, disputed, ev, rule)


def evaluate(items: list[dict], rule, fast: bool = False) -> dict[str, tuple[float, float, float]]:
    """Per cell: (damage undone or restored exactly, precision, untouched words changed)."""
    return score_cells(items, lambda it: _chosen(it, rule, fast))


def score_cells(items: list[dict], chosen_of, per_edit: bool = False) -> dict[str, tuple[float, float, float]]:
    """Per cell (each item's "cell"): (damage undone or restored exactly, precision, untouched
    words changed) of the edits chosen_of(item) makes in the item's "text", judged against its
    "original" (kind "real") or its "gold" edits (kind "sim"). per_edit: a real page's edits
    judged one by one inside their aligned stretch (real_pages.labels) rather than by
    re-measuring the page once per edit (judge_edits): the same damage undone, precision and
    untouched share a little lower (set 1's dev pages, shipped: 0.949 against 0.967, 0.35 %
    against 0.40 %), nine times faster."""
    from metrics import as_edits, score_restoration
    from real_pages import distance, judge_edits, labels, words

    from unspin.engine.restore import restoration
    acc: dict[str, list[float]] = {}
    for it in items:
        r = restoration(it["text"], chosen_of(it))
        system, _ = as_edits(r.edits, it["text"])
        a = acc.setdefault(it["cell"], [0.0] * 6)  # damage before, after; right, edits; changed, untouched
        if it["kind"] == "real" and per_edit:
            if "_judge" not in it:  # each page's judge built once
                it["_judge"] = (labels(it["text"], it["original"]), distance(it["text"], it["original"]),
                                len(words(it["text"])))
            judge, before, n = it["_judge"]
            verdicts = [judge(e.start, e.end, e.to) for e in system]
            changed = sum(len(words(e.from_)) for e, (_, t) in zip(system, verdicts) if not t)
            touched = sum(len(words(e.from_)) for e, (_, t) in zip(system, verdicts) if t)
            got = (before, distance(r.text, it["original"]), sum(rt for rt, _ in verdicts), len(system),
                   changed, n - touched)
        elif it["kind"] == "real":
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


def fit(paths: list[Path], floor: float, running: float, cuts: list[float], write: bool,
        fast: bool = False) -> None:
    from sklearn.linear_model import LogisticRegression

    from unspin.engine.review import FEATURES, Rule
    items = [it for p in paths for it in pickle.loads(p.read_bytes())]
    frame = Rule(floor, running, 0.0, (0.0,) * len(FEATURES), 0.5)
    xs, ys = _rows(items, frame, fast)
    m = LogisticRegression(C=1.0, max_iter=1000).fit(xs, ys)
    bias, weights = float(m.intercept_[0]), tuple(float(w) for w in m.coef_[0])
    print(f"{len(xs)} reviewed options (suspect's best p >= {floor}, option p >= {running} of it), "
          f"{sum(ys)} right; q = sigmoid({bias:.3f} + "
          + " + ".join(f"{w:.3f} {k}" for k, w in zip(FEATURES, weights)) + ")\n")
    base = evaluate(items, None)
    cells = list(base)
    print("| cut | " + " | ".join(cells) + " |")
    print("|---" * (len(cells) + 1) + "|")

    def line(tag: str, res: dict) -> str:
        return f"| {tag} | " + " | ".join(
            f"{100 * a:.1f} % / {b:.3f} / {100 * c:.2f} %" for a, b, c in (res[k] for k in cells)) + " |"
    print(line("no review", base))
    known = next(c for c in cells if c.startswith("known") and c.endswith("natural"))
    spun_known = [c for c in cells if c.startswith("known")]
    chosen_cut, res_at = None, (0.0, 0.0, 0.0)
    for cut in cuts:
        res = evaluate(items, Rule(floor, running, bias, weights, cut), fast)
        print(line(str(cut), res))
        if chosen_cut is None and all(res[c][2] <= UNTOUCHED + 1e-9 for c in spun_known) \
                and res[known][1] >= base[known][1]:
            chosen_cut, res_at = cut, res[known]
    print("\n(each cell: damage undone on real pages, restored exactly on simulated ones / "
          "precision / untouched words changed)")
    print(f"cut: {chosen_cut} (the lowest keeping every known-spinner cell's untouched words changed "
          f"at or below {100 * UNTOUCHED:.2f} % and '{known}' precision at or above no review's)")
    if write and chosen_cut is not None:
        from tune import OUT, dump
        cal = json.loads(OUT.read_text())
        cal["review_fast" if fast else "review"] = {"floor": floor, "running": running, "bias": bias,
                         "weights": dict(zip(FEATURES, weights)), "cut": chosen_cut, "clip": 10.0,
                         "fitted_on": f"bench/review_fit.py{' --fast' if fast else ''} on "
                                      f"{' + '.join(p.name for p in paths)}: {len(xs)} options, "
                                      f"{sum(ys)} right; cells {', '.join(cells)} (dev split only); "
                                      f"cut {chosen_cut}: known natural {100 * res_at[0]:.1f} % / "
                                      f"{res_at[1]:.3f} / {100 * res_at[2]:.2f} % untouched, without the "
                                      f"review {100 * base[known][0]:.1f} % / {base[known][1]:.3f} / "
                                      f"{100 * base[known][2]:.2f} %"}
        OUT.write_text(dump(cal))
        print(f"wrote {OUT}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trace", type=Path, help="decode the dev splits, score with both readers, pickle here")
    ap.add_argument("--fit", type=Path, action="append",
                    help="fit on pickles from --trace (repeat to join several)")
    ap.add_argument("--docs", type=int, default=12, help="simulated articles per cell")
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="an earlier trace: its articles are left out (fresh dev evidence)")
    ap.add_argument("--cells", help="trace only these cells, e.g. 'known A natural,clean,real known'")
    ap.add_argument("--set", default="1", choices=("1", "2", "all"),
                    help="the real pages' set to trace: 1, 2 or all "
                    "(bench/real_pages.py; story-out's table leaves out that set's stories)")
    ap.add_argument("--floor", type=float, default=0.1, help="review suspects whose best p is at least this")
    ap.add_argument("--running", type=float, default=0.1, help="... their options with p at least this share of it")
    ap.add_argument("--cuts", default="0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85")
    ap.add_argument("--write", action="store_true", help="store the rule in calibration.json")
    ap.add_argument("--fast", action="store_true",
                    help="the fast review's rule: SmolLM2's decision-time gains, not its re-reading")
    a = ap.parse_args()
    if not (a.trace or a.fit):
        ap.error("give --trace and/or --fit")
    if a.floor < WIDE or a.running < WIDE:
        ap.error(f"--floor and --running must be at least the trace's {WIDE}")
    if a.trace:
        trace(a.trace, a.docs, a.cells.split(",") if a.cells else None, a.exclude, a.set)
    if a.fit:
        fit(a.fit, a.floor, a.running, [float(c) for c in a.cuts.split(",")], a.write, a.fast)


if __name__ == "__main__":
    main()
