"""Would a decision refitted on real pages' rows restore more? A probe on review_fit traces.

The decision's edit model was fitted on simulated spins of Brown dev articles. review_fit's
traces (`bench/review_fit.py --trace`) hold, for simulated dev articles and real dev pages
alike, every option the decision weighed with all its evidence (the Site and Cand records
`unspin.engine.edits.features` reads, the document's spin rate) and both readers' gains in the
restored page. That is the evidence a refit would see, without the hours of LM time a fresh
dump takes. This script fits, out of fold by group (a Brown article, a real page's original
site), boosted trees on every option's label (right: it restores a simulated spinner edit
exactly, or brings a real page closer to its original) from the shipped decision's p, every
feature of the decision and both readers' gains, with real rows weighted --real-weight; then
replays per cell the decision with those p at the shipped cut shifted by each --shifts, beside
the shipped decision with its review replayed at the same shifts of the review's cut (real
pages judged edit by edit: review_fit.score_cells(per_edit=True)). A cell compares at equal
untouched words changed. Dev traces only: nothing here reads a test split.

    .venv/bin/python bench/decision_probe.py .cache/diag/rv_sim_a.pkl .cache/diag/rv_sim_b.pkl \\
        .cache/diag/rv_real.pkl .cache/diag/rv2_a.pkl .cache/diag/rv2_b.pkl
"""
from __future__ import annotations

import argparse
import math
import pickle
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def rows(items: list[dict]):
    """(X, y, group, is_real, owner) over every option of every traced document."""
    import numpy as np
    from real_pages import labels

    from unspin.engine.edits import features
    X, y, groups, real, owner = [], [], [], [], []
    names: list[str] | None = None
    for k, it in enumerate(items):
        judge = labels(it["text"], it["original"]) if it["kind"] == "real" else None
        gold = {} if judge else {(g.start, g.end): g.to.casefold() for g in it["gold"]}
        for j, o in enumerate(it["dec"].options):
            f = features(o.site, o.cand, True, it["dec"].rate)
            names = names or sorted(f)
            p = min(1 - 1e-4, max(1e-4, o.p))
            gains = it["gains"].get((o.site.key, o.cand.text), (math.nan, math.nan))
            X.append([math.log(p / (1 - p)), *gains] + [f[n] for n in names])
            y.append(bool(judge(o.site.start, o.site.end, o.cand.text)[0]) if judge
                     else gold.get((o.site.start, o.site.end)) == o.cand.text.casefold())
            groups.append(f"{it['kind']}:{it.get('group', it['id'])}")
            real.append(it["kind"] == "real")
            owner.append((k, j))
    ids = {g: i for i, g in enumerate(sorted(set(groups)))}
    return (np.array(X), np.array(y), np.array([ids[g] for g in groups]), np.array(real), owner)


def out_of_fold(X, y, groups, real, real_weight: float, folds: int = 5):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold
    p = np.zeros(len(y))
    for tr, te in GroupKFold(folds).split(X, y, groups):
        m = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                           min_samples_leaf=40, l2_regularization=1.0, random_state=0)
        m.fit(X[tr], y[tr], sample_weight=np.where(real[tr], real_weight, 1.0))
        p[te] = m.predict_proba(X[te])[:, 1]
    return p


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("traces", nargs="+", type=Path, help="review_fit.py --trace pickles (dev only)")
    ap.add_argument("--real-weight", type=float, default=1.0)
    ap.add_argument("--shifts", default="-0.1,-0.05,0,0.05,0.1")
    a = ap.parse_args(argv)
    missing = [str(t) for t in a.traces if not t.is_file()]
    if missing:
        ap.error(f"no trace at {', '.join(missing)} (make them with bench/review_fit.py --trace)")
    from review_fit import score_cells

    from unspin.engine.edits import bolder, decide_at, pick
    from unspin.engine.review import contested, default_rule, evidence, settle
    items = [it for t in a.traces for it in pickle.loads(t.read_bytes())]
    X, y, groups, real, owner = rows(items)
    print(f"{len(y)} options ({int(real.sum())} on real pages), {int(y.sum())} right; fitting ...",
          file=sys.stderr, flush=True)
    refit = out_of_fold(X, y, groups, real, a.real_weight)
    new_p: dict[int, dict[int, float]] = {}
    for (k, j), p in zip(owner, refit):
        new_p.setdefault(k, {})[j] = float(p)
    index = {id(it): k for k, it in enumerate(items)}

    def refitted(shift: float):
        def chosen(it):
            opts = [replace(o, p=new_p[index[id(it)]][j]) for j, o in enumerate(it["dec"].options)]
            return pick(opts, set(), decide_at(True, it["dec"].rate) + shift)
        return chosen

    def shipped(shift: float):
        def chosen(it):
            rule = default_rule(fast=False)
            rule = replace(rule, cut=bolder(rule.cut, it["dec"].rate) + shift)
            d = contested(it["dec"].options, rule)
            g = [it["gains"][o.site.key, o.cand.text] for o in d]
            return settle(it["dec"].chosen, d, evidence(d, [x for x, _ in g], [s for _, s in g], rule.clip), rule)
        return chosen

    shifts = [float(s) for s in a.shifts.split(",")]
    runs = {f"shipped review {s:+.2f}": score_cells(items, shipped(s), per_edit=True) for s in shifts}
    runs |= {f"refitted {s:+.2f}": score_cells(items, refitted(s), per_edit=True) for s in shifts}
    cells = sorted({c for r in runs.values() for c in r})
    print("| decision (cut shift) | " + " | ".join(cells) + " |")
    print("|---" * (len(cells) + 1) + "|")
    for name, r in runs.items():
        print(f"| {name} | " + " | ".join(f"{100 * r[c][0]:.1f} / {r[c][1]:.3f} / {100 * r[c][2]:.2f} %"
                                        for c in cells) + " |")
    print("\n(each cell: damage undone (real pages) or restored exactly (simulated) / precision / "
          "untouched words changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
