"""Compare edit-decision variants on the dev dump, out of fold: before a change reaches
bench/tune.py, see what it does where the decision is chosen.

    .venv/bin/python bench/decision_cv.py                      # every feature, tune.py's trees
    .venv/bin/python bench/decision_cv.py --drop orig_rate,spun_rate
    .venv/bin/python bench/decision_cv.py --trees max_depth=4,min_samples_leaf=20

Each variant's trees are fitted on one half of the dev documents and predict the other (2 folds
by document, as tune.py chooses its cut); the cut is chosen under tune.TREE_BOUNDS. Printed per
regime: exact / precision / untouched words changed at that cut, and the most of the known
spinner's edits restored at any cut with at most 0.5 % untouched words changed and precision
at least 0.90. Dev only (bench/real.py --split dev --dump); the test split is never read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import tune  # noqa: E402

KEY = "f_rate"


def load(path: Path) -> tuple[dict, list]:
    """(document meta rows by id, candidate rows with the spin-rate features added), as
    tune.fit_real prepares them."""
    metas, cands = tune.load_real(path)
    tune.first_stage(cands, metas, "f")
    return metas, cands


def evaluate(metas: dict, cands: list, names: list[str], trees: dict) -> dict:
    """Out-of-fold figures per regime at the cut tune.py would choose, and known@0.5%."""
    saved = dict(tune.TREES)
    tune.TREES.update(trees)
    try:
        tune._out_of_fold(cands, KEY, names)
    finally:
        tune.TREES.clear()
        tune.TREES.update(saved)
    cut, _ = tune._decide(cands, {}, KEY, metas, oof=True)
    out: dict = {"cut": cut}
    for regime, (rows, docs) in tune._by_regime(cands, metas).items():
        ps = [r[tune.OOF] for r in rows]
        out[regime] = tune.simulate(rows, {}, KEY, cut, docs, ps)
        if regime == "known":
            best = 0.0
            for c in np.arange(0.2, 0.99, 0.01):
                s = tune.simulate(rows, {}, KEY, float(c), docs, ps)
                if s["untouched_changed"] <= 0.005 and s["precision"] >= 0.90:
                    best = max(best, s["exact"])
            out["known_at_bounds"] = best
    return out


def line(label: str, res: dict) -> str:
    cells = [f"{label:30s} cut {res['cut']:.2f}"]
    for regime in ("known", "unknown", "clean"):
        s = res.get(regime)
        if s:
            cells.append(f"{regime} {100 * s['exact']:.1f} % / {s['precision']:.3f} / "
                         f"{100 * s['untouched_changed']:.2f} %")
    cells.append(f"known at bounds {100 * res.get('known_at_bounds', 0):.1f} %")
    return " | ".join(cells)


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dump", default=str(tune.REAL), help="bench/real.py --split dev --dump output")
    ap.add_argument("--drop", default="", help="comma list of features left out")
    ap.add_argument("--trees", default="", help="tree settings, e.g. max_depth=4,learning_rate=0.1")
    a = ap.parse_args(argv)
    metas, cands = load(Path(a.dump))
    names = sorted(cands[0][KEY])
    drop = {d for d in a.drop.split(",") if d}
    unknown = drop - set(names)
    if unknown:
        ap.error(f"no such features: {', '.join(sorted(unknown))}")
    trees = {k: _value(v) for k, v in (kv.split("=") for kv in a.trees.split(",") if kv)}
    print(f"{len(metas)} documents, {len(cands)} candidates", flush=True)
    print(line("every feature, tune.TREES", evaluate(metas, cands, names, {})), flush=True)
    if drop or trees:
        kept = [n for n in names if n not in drop]
        label = " ".join([f"-{d}" for d in sorted(drop)] + ([a.trees] if a.trees else []))
        print(line(label, evaluate(metas, cands, kept, trees)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
