"""Fit unspin's calibration on the Brown DEV split (never the held-out test split).

    .venv/bin/python bench/real.py --split dev --docs 24 --clean-docs 0 --dump .cache/tune/real.jsonl
    .venv/bin/python bench/real.py --split dev --docs 48 --clean-docs 0 --dump .cache/tune/real48.jsonl
    .venv/bin/python bench/real.py --split dev --docs 48 --clean-docs 0 --dump .cache/tune/real48b.jsonl \\
        --exclude .cache/tune/real.jsonl --exclude .cache/tune/real48.jsonl
    .venv/bin/python bench/tune.py --real --lm-only --extra .cache/tune/real48.jsonl \\
        --extra .cache/tune/real48b.jsonl   # the LM decision on 120 dev articles a cell (seventeenth session)
    .venv/bin/python bench/real.py --split dev --docs 64 --clean-docs 0 --dump .cache/tune/real64.jsonl \\
        --exclude .cache/tune/real.jsonl --exclude .cache/tune/real48.jsonl --exclude .cache/tune/real48b.jsonl
    .venv/bin/python bench/tune.py --score-dump .cache/tune/real64.jsonl --cuts 0.6,0.65,0.7
        # (before refitting: the shipped decision's pass-1 simulation on articles it never saw,
        # beside the full decode real.py printed while dumping them)
    .venv/bin/python bench/tune.py --real --lm-only --extra .cache/tune/real48.jsonl \\
        --extra .cache/tune/real48b.jsonl --extra .cache/tune/real64.jsonl --decide-at 0.65 \\
        --cuts 0.6,0.65,0.7 --chosen-on "..."   # the LM decision on 184 articles a cell (shipped)
    .venv/bin/python bench/tune.py --real            # fit on real-spinner evidence (the default way)
    .venv/bin/python bench/tune.py --docs 6          # the older simulator-only evidence and fit
    .venv/bin/python bench/tune.py --fit-only        # refit from the cached simulator evidence

With --real, the edit models are fitted on the candidates `bench/real.py --dump` recorded
(Brown dev articles spun with real spinners' habits, known and unknown regimes, plus clean
articles), in two stages: a first (logistic) model without the document's spin rate, whose
summed probabilities estimate that rate (`unspin.engine.edits.spin_rate`), then the decision
model with it: boosted trees with the LM (scikit-learn, installed by scripts/bench-setup.sh;
exported as node arrays that unspin.engine.calibration walks without it), its decision
probability chosen on out-of-fold predictions; logistic without the LM. Detection is refitted on fast-path features of dev articles spun with real habits and of
clean dev text of every Brown genre.

Spins dev articles with every simulator style at several rates (single-source styles against a
restorer lexicon WITHOUT that source, as in the benchmark's unseen setting), records each
candidate's evidence with a label (is it the spinner's original?), and each document's
detection features with a label (spun or clean). Fits logistic regressions with numpy and
picks the decision probability that keeps untouched-word changes under the target on dev.
Writes unspin/data/calibration.json.
"""
from __future__ import annotations

# Over 400 lines: collecting evidence rows and fitting each calibrated model (edit, detection) on the dev split, one command per model.

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

from corpus import documents  # noqa: E402

CACHE = ROOT / ".cache" / "tune"
OUT = ROOT / "unspin" / "data" / "calibration.json"
STYLES = {"wordnet": ("mythes", "aiksaurus"), "mythes": ("wordnet", "aiksaurus"),
          "roget": ("wordnet", "mythes"), "thesaurus": None, "habits": None, "naive": None}
RATES = (0.1, 0.2, 0.4)
FP_TARGET = 0.004  # share of untouched words changed, kept under the 0.5 %


def collect(n_docs: int, seed: int) -> None:
    from unspin.engine import lm
    from unspin.engine.detect import features as det_features
    from unspin.lexicon.lexicon import Lexicon, default_lexicon
    from unspin.engine.edits import features
    from unspin.engine.restore import candidates
    from unspin.engine.score import score
    from unspin.engine.screen import passes
    from unspin.simulate.spin import spin
    from unspin.text import Doc
    CACHE.mkdir(parents=True, exist_ok=True)
    docs = documents("dev-all", "dev", chunk_words=300)
    rng = random.Random(seed)
    rng.shuffle(docs)
    model, ng = lm.neural(), lm.ngram()
    lexicons = {k: (default_lexicon() if v is None else Lexicon(sources=v)) for k, v in STYLES.items()}
    jobs = [(style, rate) for style in STYLES for rate in RATES] + [("clean", 0.0)] * 3
    cand_rows = open(CACHE / "cands.jsonl", "w")
    doc_rows = open(CACHE / "docs.jsonl", "w")
    pool = iter(docs)
    t0 = time.time()
    for j, (style, rate) in enumerate(jobs):
        for _ in range(n_docs):
            bd = next(pool)
            lex = lexicons.get(style, lexicons["thesaurus"])
            if style == "clean":
                text, gold = bd.text, {}
            else:
                res = spin(bd.text, style=style, rate=rate, seed=rng.randrange(1 << 30))
                text, gold = res.text, {(e.start, e.end): e.to.lower() for e in res.edits}
            doc = Doc(text)
            sites = candidates(doc, lex, model)
            live = score(doc, [s for s in sites if passes(s)], model, {})
            gold_words = sum(len(doc.text[a:b].split()) for a, b in gold)
            for s in live:
                for c in s.cands:
                    f = features(s, c)
                    f_ng = features(s, c, use_lm=False)
                    cand_rows.write(json.dumps({
                        "doc": bd.id + f"/{style}/{rate}", "site": [s.start, s.end], "words": s.n,
                        "gold_site": (s.start, s.end) in gold,
                        "y": gold.get((s.start, s.end)) == c.text.lower(), "f": f, "f_ng": f_ng}) + "\n")
            det = det_features(doc, sites, ng)
            doc_rows.write(json.dumps({"doc": bd.id + f"/{style}/{rate}", "spun": style != "clean",
                                       "rate": rate, "style": style, "words": len(doc.words),
                                       "gold_edits": len(gold), "gold_words": gold_words,
                                       "f": det}) + "\n")
        cand_rows.flush()
        doc_rows.flush()
        print(f"[{j + 1}/{len(jobs)}] {style} {rate:.0%} done, {time.time() - t0:.0f}s", flush=True)


def collect_detect(n_docs: int, seed: int) -> None:
    """Fast-path detection features of dev articles, clean and spun (no neural model needed)."""
    from unspin.engine import lm
    from unspin.engine.detect import CHUNK_WORDS, features as det_features
    from unspin.lexicon.lexicon import default_lexicon
    from unspin.engine.suspects import find_sites
    from unspin.simulate.spin import spin
    from unspin.text import Doc
    CACHE.mkdir(parents=True, exist_ok=True)
    docs = documents("dev-all", "dev", chunk_words=CHUNK_WORDS)
    rng = random.Random(seed + 1)
    rng.shuffle(docs)
    lex, ng = default_lexicon(), lm.ngram()
    with open(CACHE / "detect.jsonl", "w") as out:
        for k, bd in enumerate(docs[:n_docs]):
            for style in ["clean"] + list(STYLES):
                rate = 0.0 if style == "clean" else rng.choice((0.05, 0.1, 0.2, 0.4))
                text = bd.text if style == "clean" else spin(bd.text, style=style, rate=rate,
                                                             seed=rng.randrange(1 << 30)).text
                doc = Doc(text)
                f = det_features(doc, find_sites(doc, lex, ng), ng)
                out.write(json.dumps({"doc": bd.id, "style": style, "rate": rate,
                                      "y": style != "clean", "f": f}) + "\n")
            if k % 20 == 0:
                print(f"detect rows: {k + 1}/{n_docs} documents", flush=True)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50,
                 balance: bool = False) -> np.ndarray:
    """Newton-Raphson with an L2 penalty on standardised features (so rates of 0.01 and
    gains of 10 nats are penalised alike); returns raw-scale weights, bias last.
    balance: weight the classes equally (the detection set has more spun than clean)."""
    mu, sd = X.mean(0), X.std(0)
    sd[sd == 0] = 1.0
    Xb = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    sw = np.ones(len(y))
    if balance:
        sw = np.where(y > 0, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    w = np.zeros(Xb.shape[1])
    reg = np.full(Xb.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(Xb @ w, -30, 30)))
        g = Xb.T @ (sw * (p - y)) + reg * w
        H = (Xb * (sw * p * (1 - p))[:, None]).T @ Xb + np.diag(reg + 1e-6)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    raw = w[:-1] / sd
    return np.append(raw, w[-1] - (raw * mu).sum())


def _model(rows, key: str, names: list[str], balance: bool = False) -> dict:
    X = np.array([[r[key].get(n, 0.0) for n in names] for r in rows], dtype=float)
    y = np.array([r["y"] for r in rows], dtype=float)
    w = fit_logistic(X, y, balance=balance)
    return {"bias": float(w[-1]), "weights": {n: float(v) for n, v in zip(names, w[:-1])}}


def _prob(m: dict, f: dict) -> float:
    """The production scorer (unspin.engine.calibration.predict)."""
    from unspin.engine.calibration import predict
    return predict(m, f)


def _probs(m: dict, rows, key: str) -> list[float]:
    from unspin.engine.calibration import predict_many
    return predict_many(m, [r[key] for r in rows])


def simulate(rows, m: dict, key: str, cut: float, docs: dict, ps: list[float] | None = None) -> dict:
    """Pass 1 of engine.decode per document (the engine's own best-first pick over the rows,
    each row's site standing for its span), scored against gold. ps: the rows' probabilities
    under m, when already worked out."""
    from types import SimpleNamespace as NS

    from unspin.engine.decode import pick
    from unspin.engine.edits import Choice
    by_doc: dict[str, list] = {}
    for r, p in zip(rows, _probs(m, rows, key) if ps is None else ps):
        site = NS(i=r["site"][0], n=r["site"][1] - r["site"][0])
        by_doc.setdefault(r["doc"], []).append(Choice(site, r, p))
    right = wrong_untouched = gold = untouched = made = 0
    edits_per_doc = {}
    for d, meta in docs.items():
        gold += meta["gold_edits"]
        untouched += meta["words"] - meta["gold_words"]
        taken = pick(by_doc.get(d, []), set(), cut)
        for ch in taken:
            r = ch.cand
            made += 1
            right += r["y"]
            if not r["gold_site"]:
                wrong_untouched += r["words"]
        edits_per_doc[d] = len(taken)
    return {"exact": right / max(gold, 1), "untouched_changed": wrong_untouched / max(untouched, 1),
            "precision": right / max(made, 1),
            "edits_per_doc": edits_per_doc}


def fit() -> dict:
    cands = [json.loads(l) for l in open(CACHE / "cands.jsonl")]
    docs = {json.loads(l)["doc"]: json.loads(l) for l in open(CACHE / "docs.jsonl")}
    names = sorted(cands[0]["f"])
    edit = _model(cands, "f", names)
    edit_ng = _model(cands, "f_ng", names)
    best_cut, best = 0.5, None
    for cut in np.arange(0.1, 0.99, 0.02):
        sim = simulate(cands, edit, "f", float(cut), docs)
        if sim["untouched_changed"] <= FP_TARGET and (best is None or sim["exact"] > best["exact"]):
            best_cut, best = float(cut), sim
    sim_ng = simulate(cands, edit_ng, "f_ng", best_cut, docs)
    print(f"edit model: decide at {best_cut:.2f}: dev exact {best['exact']:.3f}, untouched changed "
          f"{best['untouched_changed']:.4f}; 3-gram only: exact {sim_ng['exact']:.3f}, "
          f"untouched changed {sim_ng['untouched_changed']:.4f}")
    # Detection: fast features, and deep = fast + the restorer's edit rate at the chosen cut.
    drows = list(docs.values())
    fast_names = sorted(drows[0]["f"])
    for r in drows:
        r["y"] = r["spun"]
        r["deep"] = dict(r["f"], edit_rate=best["edits_per_doc"].get(r["doc"], 0) / max(r["words"], 1))
    deep = _model(drows, "deep", fast_names + ["edit_rate"], balance=True)
    for r in drows:
        r["p"] = _prob(deep, r["deep"])
    print("deep detect (dev, in-sample): false positives "
          f"{sum(r['p'] >= 0.5 for r in drows if not r['y'])}/{sum(1 for r in drows if not r['y'])}; "
          f"recall {np.mean([r['p'] >= 0.5 for r in drows if r['y']]):.3f}")
    det_rows = [json.loads(l) for l in open(CACHE / "detect.jsonl")]
    fast = _model(det_rows, "f", sorted(det_rows[0]["f"]), balance=True)
    _detect_report(det_rows, fast, (0.05, 0.1, 0.2, 0.4))
    return {"edit": edit, "edit_ngram": edit_ng, "decide_at": round(best_cut, 3),
            "detect": {"fast": fast, "deep": deep},
            "fitted_on": {"split": "Brown dev (bench/corpus.py), never the held-out test split",
                          "documents": len(drows), "candidates": len(cands),
                          "command": "bench/tune.py", "dev_exact": round(best["exact"], 4),
                          "dev_untouched_changed": round(best["untouched_changed"], 5)}}


# ---- real-spinner evidence (bench/real.py --dump) -----------------------------------------

REAL = CACHE / "real.jsonl"


def _with_rates(cands, first: dict, key: str, metas: dict) -> None:
    """Add the first stage's spin-rate estimate to every row (as engine.decode does)."""
    from types import SimpleNamespace as NS

    from unspin.engine.edits import spin_rate, with_rate
    by_doc: dict[str, list] = {}
    sites: dict = {}
    for r in cands:
        at = (r["doc"], tuple(r["site"]))
        site = sites.setdefault(at, NS(n=r["words"], key=at))
        by_doc.setdefault(r["doc"], []).append(NS(site=site, p=_prob(first, r[key])))
    rate = {d: spin_rate(opts, metas[d]["words"]) for d, opts in by_doc.items()}
    for r in cands:
        r[key + "_rate"] = with_rate(r[key], rate[r["doc"]])
        r["rate_est"] = rate[r["doc"]]


# The targets, as this pass-1 simulation sees them. On dev, restore's second pass
# (neighbours re-decided with each other's edits in place) turns a simulated precision of
# 0.944 into 0.981 and 0.69 % untouched words changed into 0.23 % (known A at 0.25, the
# calibration fitted before this rule), so the simulated bounds sit below the targets.
# A bound of 1.2 % for the known spinner gave 0.51 % changed in the full decode on dev (the
# target is 0.5 %), hence 1.0 %.
SIM_BOUNDS = {"known": (0.87, 0.010), "unknown": (0.82, 0.012), "clean": (0.0, 0.003)}
# The boosted trees' decision is chosen on out-of-fold predictions, and the second pass does not
# discount them as it did the logistic model's in-sample ones: with SIM_BOUNDS (cut 0.52) the
# held-out test split changed 1.04 % of untouched words at the known spinner's natural rate. So
# the trees' bounds are the issue's targets themselves (0.5 % untouched; precision 0.90 known,
# 0.85 unknown), with no second-pass discount assumed.
TREE_BOUNDS = {"known": (0.90, 0.005), "unknown": (0.85, 0.008), "clean": (0.0, 0.003)}
# Real spun pages (bench/real_pages.py --dump, dev split) are held to the same bounds.
for _b in (SIM_BOUNDS, TREE_BOUNDS):
    _b.update(realknown=_b["known"], realunknown=_b["unknown"])


def _by_regime(cands, metas: dict) -> dict[str, tuple[list, dict]]:
    """regime (known, unknown, clean) -> (its candidate rows, its documents' meta rows)."""
    docs: dict[str, dict] = {}
    for d, meta in metas.items():
        docs.setdefault(d.split("/")[0], {})[d] = meta
    return {g: ([r for r in cands if r["doc"] in sub], sub) for g, sub in sorted(docs.items())}


def _decide(cands, m: dict, key: str, metas: dict, oof: bool = False) -> tuple[float, dict]:
    """The decision probability that restores most of the known spinner's edits on dev while
    every regime stays within its bounds (edit precision, share of untouched words changed).
    oof: choose it on the rows' out-of-fold probabilities (OOF, set by _out_of_fold) under
    TREE_BOUNDS; otherwise on m's own, under SIM_BOUNDS."""
    bounds = TREE_BOUNDS if oof else SIM_BOUNDS
    regimes = _by_regime(cands, metas)
    ps = {g: _given(rows, m, key, oof) for g, (rows, _) in regimes.items()}
    best_cut, best = 0.5, None
    for cut in np.arange(0.2, 0.99, 0.02):
        sims = {g: simulate(rows, m, key, float(cut), sub, ps[g]) for g, (rows, sub) in regimes.items()}
        ok = all(sims[g]["untouched_changed"] <= bounds[g][1]
                 and (g == "clean" or sims[g]["precision"] >= bounds[g][0]) for g in sims)
        # the known spinner's edits restored, on simulated and real pages alike
        score = sum(sims.get(g, {}).get("exact", 0.0) for g in ("known", "realknown"))
        if ok and (best is None or score > best):
            best_cut, best = float(cut), score
    return best_cut, simulate(cands, m, key, best_cut, metas, _given(cands, m, key, oof))


def _given(rows, m: dict, key: str, oof: bool) -> list[float]:
    """The rows' probabilities: out of fold (OOF), or under m."""
    return [r[OOF] for r in rows] if oof else _probs(m, rows, key)


def reliability(cands, probs: list[float]) -> str:
    """Calibration on dev: mean predicted (the rows' probs) vs observed share right, by bin."""
    ps = np.array(probs)
    ys = np.array([r["y"] for r in cands], dtype=float)
    out = []
    for lo in (0.5, 0.7, 0.8, 0.9, 0.95):
        hi = {0.5: 0.7, 0.7: 0.8, 0.8: 0.9, 0.9: 0.95, 0.95: 1.01}[lo]
        sel = (ps >= lo) & (ps < hi)
        if sel.any():
            out.append(f"[{lo:.2f},{min(hi, 1):.2f}) n={sel.sum()} mean p {ps[sel].mean():.2f} right {ys[sel].mean():.2f}")
    return "; ".join(out)


def pool_rows(cands) -> None:
    """The document-level features (engine.score.pool) worked out again from the dumped rows,
    with the engine's own function, so that a dump taken before they existed still fits them."""
    from unspin.engine.edits import doc_features
    from unspin.engine.score import pool
    from unspin.engine.sites import Cand, Site
    by_doc: dict = {}
    for r in cands:
        by_doc.setdefault(r["doc"], {}).setdefault(tuple(r["site"]), []).append(r)
    for by_site in by_doc.values():
        sites = [Site(0, rows[0]["words"], a, b, rows[0]["spun"],
                      tuple(Cand(r["cand"], "", lm_gain=r["f"]["gain"]) for r in rows))
                 for (a, b), rows in by_site.items()]
        for site, rows in zip(pool(sites), by_site.values()):
            for c, r in zip(site.cands, rows):
                r["f"].update(doc_features(c))


# Chosen out of fold on the dev dump (bench/decision_cv.py; 24 articles a cell): with three
# times the evidence, depth 5 and leaves of 20 restored 62.3 % of the known spinner's edits at
# the bounds against 54.6 % for the earlier depth 3 and leaves of 40 (depth 4: 55.6 %, 6: 61.6 %,
# 8: 62.4 %; leaves of 10: 60.5 %).
TREES = {"max_depth": 5, "learning_rate": 0.05, "max_iter": 600, "min_samples_leaf": 20,
         "l2_regularization": 1.0}


def _trees_model(rows, key: str, names: list[str]) -> dict:
    """Boosted trees (scikit-learn, a bench-only package) fitted on the rows, exported as the
    flat node arrays unspin.engine.calibration.predict walks."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    X = np.array([[r[key].get(n, 0.0) for n in names] for r in rows], dtype=float)
    y = np.array([r["y"] for r in rows], dtype=int)
    m = HistGradientBoostingClassifier(**TREES, early_stopping=False, random_state=0).fit(X, y)
    return export_trees(m, names)


OOF = "p_out_of_fold"  # a row's key: its probability from trees fitted on the other fold


def _out_of_fold(rows, key: str, names: list[str]) -> None:
    """Set each row's OOF: its probability from trees fitted on the other fold (2 folds by
    document, or by group)."""
    from unspin.engine.calibration import predict_many
    # by document, or by the row's group where it has one (real pages: the original's site)
    fold = [int(hashlib.sha1((r.get("group") or r["doc"]).encode()).hexdigest(), 16) % 2 for r in rows]
    for k in (0, 1):
        m = _trees_model([r for r, f in zip(rows, fold) if f != k], key, names)
        held = [r for r, f in zip(rows, fold) if f == k]
        for r, p in zip(held, predict_many(m, [r[key] for r in held])):
            r[OOF] = p


def export_trees(m, names: list[str]) -> dict:
    """A fitted binary HistGradientBoostingClassifier as JSON-able arrays: every tree's nodes
    one after another (a leaf points to itself, so walking `depth` steps ends on a leaf)."""
    nodes: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right", "value", "leaf")}
    roots, depth = [], 0
    for (pred,) in m._predictors:
        off = len(nodes["feature"])
        roots.append(off)
        for i, nd in enumerate(pred.nodes):
            leaf = bool(nd["is_leaf"])
            depth = max(depth, int(nd["depth"]))
            nodes["feature"].append(0 if leaf else int(nd["feature_idx"]))
            nodes["threshold"].append(0.0 if leaf else float(nd["num_threshold"]))
            nodes["left"].append(off + (i if leaf else int(nd["left"])))
            nodes["right"].append(off + (i if leaf else int(nd["right"])))
            nodes["value"].append(float(nd["value"]) if leaf else 0.0)
            nodes["leaf"].append(int(leaf))
    return {"kind": "boosted trees (scikit-learn HistGradientBoostingClassifier)", "params": TREES,
            "features": names, "baseline": float(np.ravel(m._baseline_prediction)[0]),
            "depth": depth, "trees": roots, "nodes": nodes}


def load_real(path: Path = REAL, extra: tuple[Path, ...] = ()) -> tuple[dict, list]:
    """A bench/real.py dump (and any `extra` dumps, such as bench/real_pages.py --dump's) as
    (document meta rows by id, candidate rows), each row's document-level features worked
    out and the no-LM rows without the LM's evidence."""
    rows: list[dict] = []
    for p in (path, *extra):
        # a document an earlier dump already holds (dumps of overlapping article spreads) once
        seen = {r["doc"] for r in rows}
        rows += [r for r in map(json.loads, open(p)) if r["doc"] not in seen]
    metas = {r["doc"]: r for r in rows if r.get("meta")}
    cands = [r for r in rows if not r.get("meta")]
    for r in cands:  # the no-LM path never has the LM's left-context evidence
        r["f_ng"].update(left=0.0, odd_lm=0.0, doc_gain=0.0, doc_n=0.0)
    pool_rows(cands)
    return metas, cands


def first_stage(cands, metas: dict, key: str) -> dict:
    """The first-stage model (no spin rate) fitted on the rows' `key` features, and each row's
    spin-rate features (key + "_rate") from it."""
    first = _model(cands, key, sorted(cands[0][key]))
    _with_rates(cands, first, key, metas)
    return first


def _rel(p: Path) -> str:
    p = p.resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def _cuts_table(cands, metas: dict, ps: list[float], cuts: list[float]) -> None:
    """The pass-1 simulation per cell (regime/spinner/rate) at each of `cuts`: restored
    exactly, precision and untouched words changed, to weigh a cut chosen elsewhere."""
    cells: dict[str, dict] = {}
    for d, meta in metas.items():
        cells.setdefault(d.rsplit("/", 1)[0], {})[d] = meta
    at = {id(r): p for r, p in zip(cands, ps)}
    print("pass-1 simulation per cell (restored exactly / precision / untouched changed):")
    for cell, sub in sorted(cells.items()):
        rows = [r for r in cands if r["doc"] in sub]
        sims = [simulate(rows, {}, "", c, sub, [at[id(r)] for r in rows]) for c in cuts]
        print(f"  {cell:28s} " + "  ".join(
            f"{c:.2f}: {s['exact']:.3f} {s['precision']:.3f} {100 * s['untouched_changed']:.2f} %"
            for c, s in zip(cuts, sims)))


def score_dump(path: Path, cuts: list[float]) -> None:
    """The shipped decision (calibration.json's first stage and trees) over a dump's rows,
    simulated per cell at each cut."""
    from unspin.engine.calibration import params
    metas, cands = load_real(path)
    _with_rates(cands, params()["edit_first"], "f", metas)
    _cuts_table(cands, metas, _probs(params()["edit"], cands, "f_rate"), cuts)


def fit_real(extra: tuple[Path, ...] = (), lm_only: bool = False,
             decide_at: float | None = None, cuts: list[float] | None = None) -> dict:
    """The edit models fitted on the dumps; lm_only: only those the LM path reads (the no-LM
    model, which detection's features read, stays as it is); decide_at: the LM decision's
    probability, where chosen on the full decode rather than on this pass-1 simulation."""
    metas, cands = load_real(REAL, extra)
    out = {}
    for key, name in (("f", "edit"), ("f_ng", "edit_ngram"))[:1 if lm_only else 2]:
        first = first_stage(cands, metas, key)
        names2 = sorted(cands[0][key + "_rate"])
        # With the LM, the decision is boosted trees: on dev (2-fold by document) they restored
        # about 9 points more of the known spinner's edits than the logistic model at the same
        # share of untouched words changed, and changed no word of the clean articles. The
        # no-LM model stays logistic: detection scores every suspect of a crawl with it.
        if key == "f":
            second = _trees_model(cands, key + "_rate", names2)
            # Trees fit their own rows closely: the cut is chosen on out-of-fold predictions
            # (2 folds by document), as the held-out text will see them.
            _out_of_fold(cands, key + "_rate", names2)
        else:
            second = _model(cands, key + "_rate", names2)
        oof = key == "f"
        cut, sim = _decide(cands, second, key + "_rate", metas, oof)
        if key == "f" and decide_at is not None:
            print(f"{name}: the pass-1 simulation would decide at {cut:.2f}; deciding at {decide_at:.2f}")
            cut = decide_at
            sim = simulate(cands, second, key + "_rate", cut, metas, _given(cands, second, key + "_rate", oof))
        out[name + "_first"], out[name] = first, second
        print(f"{name}: decide at {cut:.2f}: dev exact {sim['exact']:.3f}, precision "
              f"{sim['precision']:.3f}, untouched changed {sim['untouched_changed']:.4f}")
        print(("  calibration (out of fold): " if oof else "  calibration: ")
              + reliability(cands, _given(cands, second, key + "_rate", oof)))
        out["decide_at" if key == "f" else "decide_at_ngram"] = round(cut, 3)
        if key == "f" and cuts:
            _cuts_table(cands, metas, _given(cands, second, key + "_rate", oof), cuts)
        if key == "f":
            for regime, (rows_g, sub) in _by_regime(cands, metas).items():
                s2 = simulate(rows_g, second, key + "_rate", cut, sub, _given(rows_g, second, key + "_rate", oof))
                print(f"  {regime}: exact {s2['exact']:.3f} precision {s2['precision']:.3f} "
                      f"untouched {s2['untouched_changed']:.4f}")
            pages = any(r.get("group") for r in cands)  # rows of bench/real_pages.py --dump
            out["fitted_on"] = {"split": "Brown dev (bench/corpus.py)"
                                         + (" and the real spun pages' dev split" if pages else "")
                                         + ", never a held-out test split",
                                "evidence": "bench/real.py --split dev --dump (real spinners' habits)"
                                            + "".join(f" + {p.name}" for p in extra),
                                "documents": len(metas), "candidates": len(cands),
                                "command": "bench/tune.py --real" + (" --lm-only" if lm_only else "")
                                           + "".join(f" --extra {_rel(p)}" for p in extra)
                                           + (f" --decide-at {decide_at}" if decide_at is not None else ""),
                                "dev_exact": round(sim["exact"], 4),
                                "dev_precision": round(sim["precision"], 4),
                                "dev_untouched_changed": round(sim["untouched_changed"], 5),
                                "dev_figures": ("out of fold (2 folds by document"
                                                + (", real pages by site)" if pages else ")"))
                                               if oof else "in sample"}
    return out


def collect_detect_real(n_docs: int, seed: int) -> None:
    """Fast-path detection rows: dev press articles spun with real habits (every regime of
    bench/real.py and rates 5-40 %) and clean dev text of every Brown genre."""
    from real import CLEAN_GENRES, genre_half, tables

    from unspin.engine import lm
    from unspin.engine.detect import CHUNK_WORDS, features as det_features
    from unspin.lexicon.lexicon import Lexicon, default_lexicon
    from unspin.engine.restore import candidates
    from unspin.simulate.spin import spin
    from unspin.text import Doc
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 2)
    ng = lm.ngram()
    press = documents("dev-all", "dev", chunk_words=CHUNK_WORDS)
    rng.shuffle(press)
    regimes = [("known", "A"), ("unknown", "A"), ("unknown", "B"), ("unknown", "C"), ("unknown", "D")]
    setups = [(r, st, *tables(r, st)) for r, st in regimes]
    lexes = {id(rt): Lexicon(spinners=rt) for *_, rt in setups}
    with open(CACHE / "detect_real.jsonl", "w") as out:
        for k, bd in enumerate(press[:n_docs]):
            regime, style, st, rt = setups[k % len(setups)]
            rate = rng.choice((0.05, 0.1, 0.2, 0.3))
            sp = spin(bd.text, style="observed", rate=rate, seed=rng.randrange(1 << 30), table=st)
            for spun in (False, True):
                text = sp.text if spun else bd.text
                # The rate reached: a small table cannot spin every article at the asked rate.
                reached = len(sp.edits) / max(1, len(Doc(bd.text).words)) if spun else 0.0
                doc = Doc(text)
                lex = lexes[id(rt)] if spun else default_lexicon()
                out.write(json.dumps({"doc": bd.id, "style": f"{regime}/{style}" if spun else "clean",
                                      "rate": rate if spun else 0.0, "reached": reached, "y": spun,
                                      "f": det_features(doc, candidates(doc, lex), ng)}) + "\n")
            if k % 2 == 0:  # thesaurus spinners too: a detector must not know only real habits
                th = ("wordnet", "mythes", "roget", "thesaurus", "naive")[k // 2 % 5]
                sp = spin(bd.text, style=th, rate=rate, seed=rng.randrange(1 << 30))
                doc = Doc(sp.text)
                out.write(json.dumps({"doc": bd.id, "style": th, "rate": rate, "y": True,
                                      "reached": len(sp.edits) / max(1, len(doc.words)),
                                      "f": det_features(doc, candidates(doc, default_lexicon()), ng)})
                          + "\n")
        for g in CLEAN_GENRES:
            docs = [d for d in documents(g, "dev", chunk_words=CHUNK_WORDS)
                    if genre_half(d.id.split("#")[0]) == "dev"]
            for bd in docs[:: max(1, len(docs) // 20)]:
                doc = Doc(bd.text)
                out.write(json.dumps({"doc": bd.id, "style": "clean-" + g, "rate": 0.0, "y": False,
                                      "f": det_features(doc, candidates(doc, default_lexicon()), ng)})
                          + "\n")
            print(f"detect rows: clean {g} done", flush=True)


CLEAN_WEIGHT = 3  # the smallest weight with dev false positives <= 1 % (first real-habit rows
# 1: 32/444, 2: 3/444; habit-rate simulator rows 2: 5/444, 3: 2/444)
MIN_REACHED = 0.03  # a "spun" article with fewer swaps than this teaches the detector noise


def fit_detect_real() -> dict:
    rows = [json.loads(l) for l in open(CACHE / "detect_real.jsonl")]
    rows = [r for r in rows if not r["y"] or r.get("reached", 1.0) >= MIN_REACHED]
    # Clean rows count double: most pages a user checks are not spun, and a false accusation
    # costs more than a miss (dev: false positives 32/444 -> 3/444, recall on real habits at
    # >= 10 % stays 1.00, on thesaurus spinners 0.97 -> 0.83).
    fit_rows = rows + [r for r in rows if not r["y"]] * (CLEAN_WEIGHT - 1)
    fast = _model(fit_rows, "f", sorted(rows[0]["f"]))
    _detect_report(rows, fast, (0.05, 0.1, 0.2, 0.3))
    return fast


def _detect_report(rows, model: dict, rates) -> None:
    """False positives and recall by rate on dev, at the calibrated 0.5."""
    for r in rows:
        r["p"] = _prob(model, r["f"])
    clean = [r for r in rows if not r["y"]]
    print(f"detect (dev): false positives {sum(r['p'] >= 0.5 for r in clean)}/{len(clean)}; recall by rate: "
          + ", ".join(f"{rate:.0%} {np.mean([r['p'] >= 0.5 for r in rows if r['rate'] == rate]):.3f}"
                      for rate in rates))


def dump(cal: dict) -> str:
    """calibration.json's text: indented, but a list of numbers on one line (the trees' nodes
    would otherwise take a line a number)."""
    import re
    text = json.dumps(cal, indent=1)
    return re.sub(r"\[\s*(-?[0-9][-+0-9.e,\s]*?)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=6, help="documents per (style, rate)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fit-only", action="store_true")
    ap.add_argument("--detect-docs", type=int, default=150, help="dev articles for the detection model")
    ap.add_argument("--detect-only", action="store_true", help="collect detection rows only, then fit")
    ap.add_argument("--real", action="store_true", help="fit on bench/real.py --dump evidence")
    ap.add_argument("--detect-only-real", action="store_true", help="with --real: refit detection only")
    ap.add_argument("--extra", action="append", default=[],
                    help="with --real: another dump to fit on (bench/real_pages.py --dump)")
    ap.add_argument("--lm-only", action="store_true",
                    help="with --real: refit only the LM path's edit models (detection untouched)")
    ap.add_argument("--decide-at", type=float,
                    help="with --real: the LM decision's probability, chosen on the full decode "
                         "(bench/real.py --split dev) instead of the pass-1 simulation")
    ap.add_argument("--chosen-on", help="with --decide-at: where that cut was chosen and what it "
                                        "gave there (recorded as decide_at_chosen_on)")
    ap.add_argument("--cuts", help="with --real: print the pass-1 simulation per cell at these "
                                   "cuts, comma-separated (out of fold)")
    ap.add_argument("--score-dump", help="with --cuts: the shipped decision's pass-1 simulation on "
                                         "this dump (one it was not fitted on), to set beside the "
                                         "full decode bench/real.py printed while dumping it")
    a = ap.parse_args()
    cuts = [float(c) for c in a.cuts.split(",")] if a.cuts else None
    if a.score_dump:
        if not cuts:
            ap.error("--score-dump needs --cuts")
        score_dump(Path(a.score_dump), cuts)
        return
    if a.chosen_on and a.decide_at is None:
        ap.error("--chosen-on records where --decide-at's cut was chosen: give --decide-at")
    if a.real:
        from unspin.engine.calibration import params
        cal = json.loads(OUT.read_text()) if OUT.exists() else {}
        if not a.detect_only_real:
            cal.update(fit_real(tuple(Path(p) for p in a.extra), a.lm_only, a.decide_at, cuts))
            # a note on an earlier fit's cut must not outlive it
            cal.pop("decide_at_chosen_on", None)
            if a.chosen_on:
                cal["decide_at_chosen_on"] = a.chosen_on
            OUT.write_text(dump(cal))
        if a.lm_only:
            print(f"wrote {OUT}")
            return
        params.cache_clear()  # detection features use the edit models just fitted
        if not a.fit_only:
            collect_detect_real(a.detect_docs, a.seed)
        cal["detect"]["fast"] = fit_detect_real()
        OUT.write_text(dump(cal))
        print(f"wrote {OUT}")
        return
    if not a.fit_only:
        if not a.detect_only:
            collect(a.docs, a.seed)
        collect_detect(a.detect_docs, a.seed)
    cal = fit()
    OUT.write_text(json.dumps(cal, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
