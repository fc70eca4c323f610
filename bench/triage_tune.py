"""Choose the scan triage threshold (unspin/crawl/triage.py) on generated DEV pages; report on TEST.

Pages: Brown text cut into articles of about 350 words (and some whole 2,000-word files, so a
long page with a spun section is represented), clean (every Brown genre on dev; press
reportage on test, the only genre with a test part) and spun with `unspin.simulate.spin.spin` in
several styles and rates (real spinners' habits, `observed`, with spinners A, B and C at
0.05-0.25, and every thesaurus style). Every page gets the full fast detector
(`detect(text, deep=False)`); the triage must pass on the pages it calls spun (p >= 0.7).

    .venv/bin/python bench/triage_tune.py --split dev      # generate + detect (cached), fit the threshold
    .venv/bin/python bench/triage_tune.py --split test     # held-out report at the shipped threshold

Detector results are cached in .cache/triage/<split>.jsonl (text, kind, style, rate, p), so
refitting the triage costs seconds. Nothing is tuned on the test split: `--split test`
only reports.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus

CACHE = ROOT / ".cache" / "triage"
# (style, spinner table, rate): what the generated spun pages were spun with.
SPINS = [("observed", "A", r) for r in (0.05, 0.1, 0.15, 0.2, 0.25)] + [
    ("observed", "B", 0.15), ("observed", "C", 0.15), ("observed", "B", 0.25),
    ("wordnet", None, 0.2), ("mythes", None, 0.2), ("roget", None, 0.2),
    ("thesaurus", None, 0.1), ("thesaurus", None, 0.2), ("habits", None, 0.2), ("naive", None, 0.15)]
GENRES = ("news", "editorial", "reviews", "learned", "belles_lettres", "lore", "hobbies",
          "government", "fiction", "adventure", "romance", "mystery", "religion", "humor",
          "science_fiction")


def spin_page(text: str, style: str, table: str | None, rate: float, seed: int) -> str:
    from unspin.simulate.spin import spin
    from unspin.lexicon.spinners import style_table
    return spin(text, style=style, rate=rate, seed=seed,
                table=style_table(table) if table else None).text


def pages(split: str, per_spin: int, clean_files: int) -> list[dict]:
    """The generated pages of one split (deterministic): dicts with text, kind, style, rate."""
    out = []
    if split == "dev":
        press = corpus.documents("dev-all", "dev", chunk_words=350)
        for g in GENRES:
            whole = corpus.documents(g, "dev", limit=clean_files)
            if not whole:
                continue
            long_page = whole[0]  # one whole file per genre: a long page; the others cut up
            out.append({"id": long_page.id, "text": long_page.text, "kind": "clean", "style": g, "rate": 0.0})
            for c in corpus.documents(g, "dev", chunk_words=350, limit=clean_files):
                if not c.id.startswith(long_page.id + "#"):
                    out.append({"id": c.id, "text": c.text, "kind": "clean", "style": g, "rate": 0.0})
    else:
        press = corpus.documents("press", "test", chunk_words=350)
        for d in press[::2]:
            out.append({"id": d.id, "text": d.text, "kind": "clean", "style": "news", "rate": 0.0})
    press = sorted(press, key=lambda d: corpus.hash_rank(d.id))
    k = 0
    for j, (style, table, rate) in enumerate(SPINS):
        for _ in range(per_spin):
            d = press[k % len(press)]
            k += 1
            seed = (1000 if split == "test" else 0) + k
            out.append({"id": d.id, "text": spin_page(d.text, style, table, rate, seed), "kind": "spun",
                        "style": f"{style}{'-' + table if table else ''}", "rate": rate})
    return out


def detected(split: str, per_spin: int, clean_files: int) -> list[dict]:
    """pages() with the fast detector's probability, cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{split}-{per_spin}-{clean_files}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.open()]
    from unspin.engine.detect import detect
    from unspin.lexicon.lexicon import default_lexicon
    lex = default_lexicon()
    t0 = time.time()
    rows = pages(split, per_spin, clean_files)
    print(f"{len(rows)} pages generated in {time.time() - t0:.0f}s", file=sys.stderr)
    t0, words = time.time(), 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as f:
        for i, r in enumerate(rows):
            r["p"] = detect(r["text"], deep=False, lexicon=lex).spun_probability
            words += len(r["text"].split())
            f.write(json.dumps(r) + "\n")
            if i % 50 == 0:
                print(f"  {i}/{len(rows)} detected, {words / (time.time() - t0):.0f} words/s", file=sys.stderr)
    os.replace(tmp, path)
    return rows


def evaluate(rows: list[dict], threshold: float) -> dict:
    from unspin.engine.detect import SPUN_AT
    from unspin.crawl.triage import score
    t0 = time.perf_counter()
    scores = [score(r["text"]) for r in rows]
    secs = time.perf_counter() - t0
    words = sum(len(r["text"].split()) for r in rows)
    spun_called = [s for s, r in zip(scores, rows) if r["p"] >= SPUN_AT]
    passed = sum(s >= threshold for s in scores)
    by = {}
    for s, r in zip(scores, rows):
        key = r["style"] if r["kind"] == "spun" else "clean"
        b = by.setdefault(key, {"pages": 0, "detector_spun": 0, "passed": 0, "missed": 0})
        b["pages"] += 1
        b["passed"] += s >= threshold
        if r["p"] >= SPUN_AT:
            b["detector_spun"] += 1
            b["missed"] += s < threshold
    return {"pages": len(rows), "words": words, "triage_words_per_s": round(words / secs),
            "threshold": threshold, "detector_spun": len(spun_called),
            "recall": round(sum(s >= threshold for s in spun_called) / max(1, len(spun_called)), 4),
            "passed": round(passed / len(rows), 4),
            "passed_clean": round(sum(s >= threshold for s, r in zip(scores, rows) if r["kind"] == "clean")
                                  / max(1, sum(r["kind"] == "clean" for r in rows)), 4),
            "by_kind": by}


def fit(rows: list[dict], recall: float) -> float:
    """The highest threshold keeping `recall` of the detector-spun pages."""
    from unspin.engine.detect import SPUN_AT
    from unspin.crawl.triage import score
    s = sorted(score(r["text"]) for r in rows if r["p"] >= SPUN_AT)
    k = int((1.0 - recall) * len(s))  # this many may fall below
    return s[k] if s else 0.0


def fit_weights(rows: list[dict], l2: float = 1.0) -> tuple[dict[str, float], float]:
    """Logistic regression of "the detector says spun" on the triage features (one-chunk pages;
    Newton steps on standardised features with an L2 penalty); weights in raw units."""
    import numpy as np

    from unspin.engine.detect import SPUN_AT
    from unspin.crawl.triage import WEIGHTS, features
    names = list(WEIGHTS)
    X, y = [], []
    for r in rows:
        cs = features(r["text"])
        if len(cs) == 1:
            X.append([cs[0][k] for k in names])
            y.append(float(r["p"] >= SPUN_AT))
    X, y = np.array(X), np.array(y)
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-Z @ w))
        reg = l2 * np.r_[w[:-1], 0.0]
        g = Z.T @ (p - y) + reg
        H = (Z * (p * (1 - p))[:, None]).T @ Z + l2 * np.diag(np.r_[np.ones(len(names)), 0.0])
        w -= np.linalg.solve(H, g)
    raw = w[:-1] / sd
    bias = float(w[-1] - (raw * mu).sum())
    return {k: float(v) for k, v in zip(names, raw)}, bias


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--per-spin", type=int, default=24, help="spun pages per style/rate")
    ap.add_argument("--clean-files", type=int, default=3, help="clean Brown files per genre (dev)")
    ap.add_argument("--recall", type=float, default=0.995, help="dev recall to fit the threshold for")
    ap.add_argument("--fit", action="store_true", help="refit the weights and threshold (dev only) "
                    "and evaluate with them; paste them into unspin/crawl/triage.py")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = detected(a.split, a.per_spin, a.clean_files)
    from unspin.crawl import triage
    res = {"split": a.split}
    if a.split == "dev" and a.fit:  # weights first, then the threshold for them
        triage.WEIGHTS, triage.BIAS = fit_weights(rows)
        res["fitted_weights"], res["fitted_bias"] = triage.WEIGHTS, triage.BIAS
    if a.split == "dev":
        res["fitted_threshold"] = fit(rows, a.recall)
    res.update(evaluate(rows, res.get("fitted_threshold", triage.THRESHOLD) if a.fit else triage.THRESHOLD))
    print(json.dumps(res, indent=1) if a.json else _markdown(res))


def _markdown(res: dict) -> str:
    lines = [f"split {res['split']}: {res['pages']} pages, {res['words']:,} words; triage "
             f"{res['triage_words_per_s']:,} words/s; threshold {res['threshold']}"
             + (f" (dev fit: {res['fitted_threshold']:.4f})" if "fitted_threshold" in res else ""),
             (f"recall on detector-spun pages: {res['recall']:.2%} of {res['detector_spun']}; "
              f"passed on: {res['passed']:.1%} of all pages, {res['passed_clean']:.1%} of clean ones"), "",
             "| pages | n | detector spun | triage passed | detector-spun missed |", "|---|---|---|---|---|"]
    for k, b in sorted(res["by_kind"].items()):
        lines.append(f"| {k} | {b['pages']} | {b['detector_spun']} | {b['passed']} | {b['missed']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
