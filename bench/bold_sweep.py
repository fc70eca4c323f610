"""Choose how much bolder restore is on a heavily spun page (calibration.json's "bold"; edits.bolder).

1. trace: decode dev documents with the full review (or --review fast) as shipped, keeping
   per document what the review's settle() weighed (chosen edits, reviewed options, their
   evidence, the rule) and the first stage's spin-rate estimate; to a local pickle (it holds
   the texts: never commit it).
   Simulated: every bench/real.py cell and the same articles unspun; real: the real pages' dev
   split in one regime (bench/real_pages.py; needs .cache/realpages).
2. eval: replay settle() for each ramp (edits.bolder with the ramp as "bold") and print
   per cell restored exactly (simulated) or damage undone (real), precision and untouched words
   changed. The decision's own cut (decide_at) stays as traced: measure the shipped code with
   bench/real_pages.py and bench/real.py once a ramp is chosen.

    .venv/bin/python bench/bold_sweep.py trace --sim --docs 20 .cache/diag/bold_sim.pkl
    .venv/bin/python bench/bold_sweep.py trace --real story-out .cache/diag/bold_real.pkl
    .venv/bin/python bench/bold_sweep.py eval .cache/diag/bold_sim.pkl .cache/diag/bold_real.pkl \
        --ramps none,0.22:2:0.16,0.22:3:0.16,0.2:2:0.11
    # the fast review (its own rule and cut): trace with --review fast, then eval as above
"""
from __future__ import annotations

import argparse
import collections
import pickle
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def trace(dest: Path, sim: bool, docs: int, regime: str | None, review: str = "full") -> None:
    import unspin.engine.decode as dec
    import unspin.engine.review as rv
    from real import restore_traced

    from unspin.engine import lm
    seen: list = []
    rates: list[float] = []
    settle, spin_rate = rv.settle, dec.spin_rate

    fitted = rv.default_rule(fast=review == "fast")

    def keep_settle(chosen, disputed, xs, rule):
        # kept at the rule's fitted cut: restore already lowered it for this page, and eval
        # lowers it again for each ramp it replays
        seen.append((chosen, disputed, xs, replace(rule, cut=fitted.cut) if fitted else rule))
        return settle(chosen, disputed, xs, rule)

    def keep_rate(options, n):
        rates.append(spin_rate(options, n))
        return rates[-1]
    rv.settle, dec.spin_rate = keep_settle, keep_rate
    model, out = lm.neural(), []

    def run(tag: str, text: str, lex, **truth) -> None:
        seen.clear()
        rates.clear()
        restore_traced(text, lex, model, review=review)
        chosen, disputed, xs, rule = seen[-1] if seen else ([], [], [], None)
        out.append(dict(tag=tag, text=text, chosen=chosen, disputed=disputed, xs=xs, rule=rule,
                        rate=rates[-1] if rates else 0.0, **truth))
        print(f"{tag}: rate {out[-1]['rate']:.3f}", file=sys.stderr, flush=True)
    if sim:
        import corpus
        import real
        from run import as_edits, pick_spread, seed_for

        from unspin.lexicon.lexicon import Lexicon, default_lexicon
        from unspin.simulate.spin import spin
        chosen_docs = pick_spread(list(corpus.documents("dev-all", "dev", chunk_words=300)), docs)
        for reg, style, r in real.CELLS:
            spin_table, restore_table = real.tables(reg, style)
            lex = Lexicon(spinners=restore_table)
            for d in chosen_docs:
                sp = spin(d.text, style="observed", rate=r, seed=seed_for(d.id, reg, style, r), table=spin_table)
                run(f"{reg} {style} {real.rate_label(r)}/{d.id}", sp.text, lex, gold=as_edits(sp.edits, sp.text)[0])
        lex = default_lexicon()
        for d in chosen_docs:
            run(f"clean/{d.id}", d.text, lex, gold=[])
    else:
        import real_pages as rp
        lex = rp.lexicon_for(regime or "known")
        for page in rp.load(rp.PAGES, "dev"):
            run(f"real {regime}/{page['id']}", page["spun"], lex, original=page["original"])
    with open(dest, "wb") as f:
        pickle.dump(out, f)


def evaluate(docs: list[dict], ramp: dict | None) -> dict[str, tuple[float, float, float]]:
    """Per cell: (restored exactly or damage undone, precision, untouched changed), as
    review_fit.score_cells judges them, with the review replayed at the ramp's cut."""
    from review_fit import score_cells

    from unspin.engine.calibration import params
    from unspin.engine.edits import bolder
    from unspin.engine.review import settle

    def chosen_of(d: dict) -> list:
        if d["rule"] is None:
            return d["chosen"]
        return settle(d["chosen"], d["disputed"], d["xs"], replace(d["rule"], cut=bolder(d["rule"].cut, d["rate"])))
    items = [dict(d, kind="real" if "original" in d else "sim", cell=d["tag"].split("/")[0]) for d in docs]
    shipped = params().get("bold")
    params()["bold"] = ramp  # the ramp under trial, through restore's own rule (edits.bolder)
    try:
        return score_cells(items, chosen_of)
    finally:
        params()["bold"] = shipped


def parse_ramp(text: str) -> dict | None:
    if text == "none":
        return None
    f, s, m = (float(x) for x in text.split(":"))
    return {"from": f, "slope": s, "most": m}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trace", help="decode dev documents and keep what the review weighed")
    t.add_argument("out", type=Path)
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--sim", action="store_true", help="the simulated cells (Brown dev split)")
    src.add_argument("--real", metavar="REGIME", help="the real pages' dev split in this regime")
    t.add_argument("--docs", type=int, default=20, help="articles per simulated cell")
    t.add_argument("--review", choices=("full", "fast"), default="full",
                   help="the review to trace (eval replays its own rule)")
    e = sub.add_parser("eval", help="replay the review at each ramp")
    e.add_argument("traces", nargs="+", type=Path)
    e.add_argument("--ramps", default="none,0.22:2:0.16", help="from:slope:most, comma-separated; none: the cut as fitted")
    a = ap.parse_args(argv)
    if a.cmd == "trace":
        trace(a.out, a.sim, a.docs, a.real, a.review)
        return 0
    try:
        ramps = [(x, parse_ramp(x)) for x in a.ramps.split(",")]
    except ValueError:
        ap.error(f"--ramps: {a.ramps!r} is not a list of from:slope:most or none")
    docs = [d for p in a.traces for d in pickle.loads(p.read_bytes())]
    rates: dict[str, list[float]] = collections.defaultdict(list)
    for d in docs:
        rates[d["tag"].split("/")[0]].append(d["rate"])
    print("| cell | documents | rate estimate: median (min-max) |\n|---|---|---|")
    for cell, v in sorted(rates.items()):
        v.sort()
        print(f"| {cell} | {len(v)} | {v[len(v) // 2]:.3f} ({v[0]:.3f}-{v[-1]:.3f}) |")
    cells = sorted(rates)
    print("\n| ramp | " + " | ".join(cells) + " |")
    print("|---" * (len(cells) + 1) + "|")
    for name, ramp in ramps:
        got = evaluate(docs, ramp)
        print(f"| {name} | " + " | ".join(f"{100 * got[c][0]:.1f} % / {got[c][1]:.3f} / {100 * got[c][2]:.2f} %"
                                          for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
