"""Issue-2 benchmark: restoration, detection, speed and memory on Brown press text.

    .venv/bin/python bench/run.py                 # default run (~15-20 min on 2 cores)
    .venv/bin/python bench/run.py --quick         # smoke: 1 style, 1 rate, a few docs (< 2 min)
    .venv/bin/python bench/run.py --styles wordnet,roget --rates 10,20 --docs 4 --json out.json

Data: bench/corpus.py, the HELD-OUT test split of Brown press reportage by default (never
tune on it; use ``--split dev`` while developing: the other half of reportage plus editorial
and reviews), cut into ~500-word articles.

For each spinner style and substitution rate, ``unspin.simulate.spin.spin`` spins the article and
returns the gold restoration edits (over the spun text: from_ = spun wording, to = original).

Restoration (scored on the spun text's character offsets)
---------------------------------------------------------
Settings: *unseen* (the headline) restores with the thesaurus the style was built from left
out of ``sources`` (wordnet -> no "wordnet", mythes -> no "mythes", roget -> no "aiksaurus");
*seen* restores with all sources. Systems: unspin (``use_lm=True``), thesaurus-only
(``use_lm=False``) and doing nothing.

* Edits that change nothing (``to == from_``, ignoring case) are dropped; the rest are
  checked against the spun text (an edit whose ``from_`` differs from the text is counted
  as invalid and dropped).
* Gold and system edits are grouped into clusters: connected components of edits whose
  character spans overlap (spans touching end-to-start do not join). For each cluster with
  region R (from its first start to its last end) we apply the cluster's gold edits to the
  spun text of R and, separately, its system edits; the cluster *matches* when both results
  are equal after case-folding and collapsing whitespace.
* **restored exactly** = share of gold edits that lie in a matching cluster. A single system
  edit over exactly the gold span with the original wording is the common case; split or
  merged spans also count when together they reproduce the original wording of the region
  and change nothing else in it.
* **wrong** = gold edits in a non-matching cluster that has a system edit (touched, not
  restored); **missed** = gold edits with no overlapping system edit.
* **untouched changed** = word tokens of the spun text that overlap no gold edit, but overlap
  a system edit of a non-matching cluster, divided by all word tokens that overlap no gold
  edit. (A system edit that merely re-writes an untouched word identically, inside a matching
  cluster, changes nothing.)

Detection
---------
The test articles alternate: even positions are spun at the given style and rate, odd ones
stay clean (about half and half). unspin: ``detect(text, deep=False)`` (the fast path), spun
when ``spun_probability >= 0.5``; ROC AUC from ``spun_probability`` (Mann-Whitney, ties half).
F1 is for the class "spun". The false-positive rate on clean text is measured on *all* test
articles left clean (one figure per detector). Baselines: doing nothing (always clean: F1 0,
AUC 0.5) and torturephrases-estimator (bench/baselines.py).

Speed and memory
----------------
Measured in a child process that imports only unspin (so the peak RSS is unspin's own, not
the benchmark's): import time, first ``restore`` call (model load + a tiny text), first
``detect`` call, then after warm-up: detect words/s on clean and spun articles (fast path),
restore of one ~1,000-word spun article (thesaurus style, 20 %, all sources, LM on) in wall
seconds and words/s, and peak RSS (``ru_maxrss``). Restore words/s during the restoration
runs (same process, after warm-up) is reported too.
"""
from __future__ import annotations

# Over 400 lines: the benchmark's orchestration (spinning, restoring, detecting per cell, the speed child); scoring is in metrics.py, the report in render.py.

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:  # after PYTHONPATH / site-packages (the editable install)
    sys.path.append(str(ROOT))



import corpus  # noqa: E402
from metrics import E, _norm, apply, as_edits, det_metrics, n_words, score_restoration, sum_counts  # noqa: E402
from render import HELD_OUT_SOURCE, machine_info, render, targets  # noqa: E402
from baselines import NothingDetector, TorturePhrasesDetector  # noqa: E402

DEFAULT_STYLES = ("wordnet", "mythes", "roget", "thesaurus", "habits", "naive")
DEFAULT_RATES = (0.05, 0.10, 0.20, 0.40)
WARMUP = "The committee said on Friday that the new plan would cut costs and help the city."



# ---- the API under test (imported when the benchmark starts, not at import) -------------------

def load_api() -> SimpleNamespace:
    """unspin's public functions, the simulator and every thesaurus the restorer knows."""
    import unspin
    from unspin.lexicon.lexicon import SOURCES
    from unspin.simulate.spin import STYLES, spin
    return SimpleNamespace(version=unspin.__version__, spin=spin, STYLES=dict(STYLES),
                           restore=unspin.restore, detect=unspin.detect, sources=tuple(SOURCES))


# ---- helpers ---------------------------------------------------------------------------------

def category_for(split: str) -> str:
    """test: press reportage (held-out half); dev: all press dev files (reportage, editorial, reviews)."""
    return "press" if split == "test" else "dev-all"


def seed_for(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode()) & 0x7FFFFFFF


def pick_spread(items: list, n: int | None) -> list:
    """n items spread evenly over the list (deterministic), or all."""
    if n is None or n >= len(items):
        return list(items)
    if n <= 0:
        return []
    idx = sorted({round(i * (len(items) - 1) / max(1, n - 1)) for i in range(n)}) if n > 1 else [0]
    return [items[i] for i in idx]


def rss_mb(who=resource.RUSAGE_SELF) -> float:
    """Peak RSS in MB (10^6 bytes; Linux reports ru_maxrss in KiB). 2 GB = 2,000 MB."""
    return resource.getrusage(who).ru_maxrss * 1024 / 1e6


class Progress:
    """rich progress on stderr when available; plain lines otherwise."""

    def __init__(self, enabled=True):
        self.p = None
        self.plain: dict[int, list] = {}  # task -> [desc, total, done, t0, last print]
        if enabled and sys.stderr.isatty():
            try:
                from rich.console import Console
                from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RP,
                                           TextColumn, TimeElapsedColumn, TimeRemainingColumn)
                self.p = RP(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
            except Exception:
                self.p = None

    def __enter__(self):
        if self.p:
            self.p.__enter__()
        return self

    def __exit__(self, *a):
        if self.p:
            self.p.__exit__(*a)

    def task(self, desc, total):
        if self.p:
            return self.p.add_task(desc, total=total)
        print(f"bench: {desc}: 0/{total}", file=sys.stderr, flush=True)
        k = len(self.plain)
        self.plain[k] = [desc, total, 0, time.perf_counter(), time.perf_counter()]
        return k

    def advance(self, t, n=1):
        if t is None or n == 0:
            return
        if self.p:
            self.p.advance(t, n)
            return
        st = self.plain[t]
        st[2] += n
        now = time.perf_counter()
        if st[2] >= st[1] or now - st[4] >= 30:  # a line at most every 30 s, and at the end
            st[4] = now
            print(f"bench: {st[0]}: {st[2]}/{st[1]} ({now - st[3]:.0f} s)", file=sys.stderr,
                  flush=True)

    def log(self, msg):
        if self.p:
            self.p.console.print(msg)
        else:
            print(msg, file=sys.stderr, flush=True)


# ---- the benchmark ---------------------------------------------------------------------------

@dataclass
class Spun:
    doc_id: str
    style: str
    rate: float
    original: str
    text: str
    gold: list[E]
    gold_ok: bool
    invalid: int


class Bench:
    def __init__(self, api, args, prog: Progress):
        self.api, self.args, self.prog = api, args, prog
        self.errors: list[str] = []
        self._spun: dict[tuple, Spun] = {}
        self.load_s: dict[str, float] = {}

    def err(self, where: str, e: BaseException):
        msg = f"{where}: {type(e).__name__}: {e}"
        if len(self.errors) < 50:
            self.errors.append(msg)
        if len(self.errors) <= 3:
            self.prog.log(f"[red]bench error[/red] {msg}\n{traceback.format_exc(limit=4)}")

    def spin(self, doc, style: str, rate: float) -> Spun | None:
        key = (doc.id, style, rate)
        if key in self._spun:
            return self._spun[key]
        try:
            r = self.api.spin(doc.text, style=style, rate=rate, seed=seed_for(doc.id, style, rate))
        except Exception as e:
            self.err(f"spin({doc.id}, {style}, {rate})", e)
            return None
        gold, invalid = as_edits(r.edits, r.text)
        gold_ok = _norm(apply(r.text, gold)) == _norm(doc.text)
        s = Spun(doc.id, style, rate, doc.text, r.text, gold, gold_ok, invalid)
        self._spun[key] = s
        return s

    # -- restoration --
    def restore_one(self, sp: Spun, sources, use_lm: bool) -> dict:
        t0 = time.perf_counter()
        try:
            r = self.api.restore(sp.text, sources=tuple(sources), use_lm=use_lm)
            edits = r.edits
            err = 0
        except Exception as e:
            self.err(f"restore({sp.doc_id}, {sp.style}, {sp.rate}, use_lm={use_lm})", e)
            edits, err = [], 1
        dt = time.perf_counter() - t0
        system, invalid = as_edits(edits, sp.text)
        c = score_restoration(sp.text, sp.gold, system)
        c.update(invalid=invalid, errors=err, words=n_words(sp.text), seconds=dt)
        return c

    def run_restoration(self, docs, styles, rates, seen_rates) -> list[dict]:
        cells = []  # (setting, style, rate, sources)
        for style in styles:
            for rate in rates:
                if style in HELD_OUT_SOURCE:
                    src = tuple(s for s in self.api.sources if s != HELD_OUT_SOURCE[style])
                    cells.append(("unseen", style, rate, src))
            for rate in rates:
                if seen_rates is None or any(abs(rate - r) < 1e-9 for r in seen_rates):
                    cells.append(("seen", style, rate, tuple(self.api.sources)))
        systems = [("thesaurus-only", False)]
        if not self.args.no_lm:
            systems.insert(0, ("unspin", True))
        results = []
        # warm-up (not timed into words/s): loads the models and the lexicons once
        for _, use_lm in systems:
            t0 = time.perf_counter()
            try:
                self.api.restore(WARMUP, sources=tuple(self.api.sources), use_lm=use_lm)
            except Exception as e:
                self.err("restore warm-up", e)
            self.load_s[f"restore(use_lm={use_lm}) first call"] = time.perf_counter() - t0
        for src in dict.fromkeys(c[3] for c in cells):  # build each source set's index once
            try:
                self.api.restore(WARMUP, sources=src, use_lm=False)
            except Exception as e:
                self.err(f"restore warm-up {src}", e)
        total = len(cells) * len(docs) * len(systems)
        t = self.prog.task("restoration", total)
        for setting, style, rate, src in cells:
            row = {"setting": setting, "style": style, "rate": rate, "sources": list(src),
                   "docs": len(docs), "systems": {}}
            spuns = [self.spin(d, style, rate) for d in docs]
            spuns = [s for s in spuns if s is not None]
            row["gold_mismatch_docs"] = sum(1 for s in spuns if not s.gold_ok)
            row["gold_invalid_edits"] = sum(s.invalid for s in spuns)
            for name, use_lm in systems:
                per_doc = []
                for sp in spuns:
                    per_doc.append(self.restore_one(sp, src, use_lm))
                    self.prog.advance(t)
                self.prog.advance(t, len(docs) - len(spuns))
                row["systems"][name] = sum_counts(per_doc)
            nothing = sum_counts([score_restoration(s.text, s.gold, []) | {"words": n_words(s.text)}
                                  for s in spuns])
            nothing["words_per_s"] = None
            row["systems"]["doing nothing"] = nothing
            results.append(row)
        return results

    # -- detection --
    def detect_one(self, text: str) -> tuple[float, bool, str, float]:
        t0 = time.perf_counter()
        try:
            d = self.api.detect(text, deep=self.args.deep)
            p = float(d.spun_probability)
            v = str(getattr(d, "verdict", ""))
        except Exception as e:
            self.err("detect", e)
            p, v = 0.0, "error"
        return p, p >= 0.5, v, time.perf_counter() - t0

    def run_detection(self, docs, styles, rates) -> dict:
        detectors = [("doing nothing", NothingDetector())]
        tpe = TorturePhrasesDetector()
        detectors.append(("torturephrases-estimator", tpe))
        clean_cache: dict[str, dict] = {}
        t0 = time.perf_counter()
        self.detect_one(WARMUP)
        self.load_s[f"detect(deep={self.args.deep}) first call"] = time.perf_counter() - t0
        t = self.prog.task("detection: clean articles", len(docs))
        timing = {"words": 0, "seconds": 0.0}
        verdicts: dict[str, int] = {}
        for d in docs:
            p, dec, v, dt = self.detect_one(d.text)
            timing["words"] += n_words(d.text)
            timing["seconds"] += dt
            verdicts[v] = verdicts.get(v, 0) + 1
            entry = {"unspin": (p, dec)}
            for name, det in detectors:
                if det.available:
                    s = det.score(d.text)
                    entry[name] = (s.score, s.spun)
            clean_cache[d.id] = entry
            self.prog.advance(t)
        names = ["unspin"] + [n for n, _ in detectors]
        clean_fpr = {}
        for name in names:
            vals = [clean_cache[d.id].get(name) for d in docs]
            vals = [v for v in vals if v is not None]
            clean_fpr[name] = (sum(1 for _, dec in vals if dec) / len(vals)) if vals else None
        pos_docs, neg_docs = docs[0::2], docs[1::2]
        cells = []
        t = self.prog.task("detection: spun articles", len(styles) * len(rates) * len(pos_docs))
        for style in styles:
            for rate in rates:
                pos: dict[str, list] = {n: [] for n in names}
                for d in pos_docs:
                    sp = self.spin(d, style, rate)
                    self.prog.advance(t)
                    if sp is None:
                        continue
                    p, dec, v, dt = self.detect_one(sp.text)
                    timing["words"] += n_words(sp.text)
                    timing["seconds"] += dt
                    verdicts[v] = verdicts.get(v, 0) + 1
                    pos["unspin"].append((p, dec))
                    for name, det in detectors:
                        if det.available:
                            s = det.score(sp.text)
                            pos[name].append((s.score, s.spun))
                cell = {"style": style, "rate": rate, "detectors": {}}
                for name in names:
                    neg = [clean_cache[d.id][name] for d in neg_docs if name in clean_cache[d.id]]
                    if pos[name] or neg:
                        cell["detectors"][name] = det_metrics(pos[name], neg)
                    else:
                        cell["detectors"][name] = None
                cells.append(cell)
        return {"cells": cells, "clean_fpr": clean_fpr, "n_clean_all": len(docs),
                "n_spun_per_cell": len(pos_docs), "n_clean_per_cell": len(neg_docs),
                "verdicts": verdicts, "deep": self.args.deep,
                "detect_words_per_s_eval": (timing["words"] / timing["seconds"])
                if timing["seconds"] else None,
                "torturephrases": {"available": tpe.available, "error": tpe.error,
                                   "version": tpe.version(),
                                   "phrases": getattr(tpe, "n_phrases", None)}}


# ---- speed child -----------------------------------------------------------------------------

def speed_child(out_path: str, split: str, quick: bool, style: str):
    """Runs in a fresh process: import, load, warm up, time; writes JSON to out_path."""
    res: dict = {}
    t0 = time.perf_counter()
    api = load_api()
    res["import_s"] = time.perf_counter() - t0
    res["rss_after_import_mb"] = rss_mb()
    t0 = time.perf_counter()
    api.detect(WARMUP, deep=False)
    res["first_detect_s"] = time.perf_counter() - t0  # lexicon + 3-gram load
    t0 = time.perf_counter()
    api.restore(WARMUP, sources=api.sources, use_lm=True)
    res["first_restore_s"] = time.perf_counter() - t0  # + neural LM load
    res["rss_after_load_mb"] = rss_mb()

    # Timed texts are never the warm-up texts (the 3-gram model memoises what it has seen).
    docs = corpus.documents(category_for(split), split, chunk_words=500)
    warm, docs = docs[-1], pick_spread(docs[:-1], 4 if quick else 16)

    def spun(d, rate=0.2):
        return api.spin(d.text, style=style, rate=rate, seed=seed_for(d.id, style, rate)).text

    warm_spun = spun(warm)
    api.detect(warm.text, deep=False)
    api.detect(warm_spun, deep=False)
    texts = [t for d in docs for t in (d.text, spun(d))]
    words = sum(n_words(tx) for tx in texts)
    t0 = time.perf_counter()
    for tx in texts:
        api.detect(tx, deep=False)
    dt = time.perf_counter() - t0
    res["detect_fast"] = {"words": words, "seconds": dt, "words_per_s": words / dt if dt else None,
                          "texts": len(texts)}

    api.restore(warm_spun, sources=api.sources, use_lm=True)  # warm-up on another article
    runs = []
    for art, sp in speed_articles(api.spin, split, style, 1 if quick else 3):
        t0 = time.perf_counter()
        api.restore(sp, sources=api.sources, use_lm=True)
        runs.append({"id": art.id, "words": n_words(sp), "seconds": time.perf_counter() - t0})
    secs = [r["seconds"] for r in runs]
    res["article"] = {"style": style, "rate": 0.2, "runs": runs, "n": len(runs),
                      "words": round(statistics.mean(r["words"] for r in runs)),
                      "seconds": statistics.median(secs), "seconds_max": max(secs),
                      "words_per_s": sum(r["words"] for r in runs) / sum(secs)}
    res["peak_rss_mb"] = rss_mb()
    res["threads"] = _torch_threads()
    Path(out_path).write_text(json.dumps(res))


def speed_articles(spin, split: str, style: str, n: int) -> list[tuple]:
    """The articles restore is timed on: n ~1,000-word press articles of `split`, spread over
    it, each with its text spun by `style` at 0.2 (seeded by the article)."""
    arts = pick_spread(corpus.documents(category_for(split), split, chunk_words=1000), n)
    return [(a, spin(a.text, style=style, rate=0.2, seed=seed_for(a.id, style, 0.2)).text) for a in arts]


def _torch_threads():
    mod = sys.modules.get("torch")
    try:
        return mod.get_num_threads() if mod else None
    except Exception:
        return None


def run_speed(args, style: str, prog: Progress) -> dict:
    import tempfile
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "speed.json")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--speed-child", out,
               "--split", args.split, "--speed-style", style] + (["--quick"] if args.quick else [])
        prog.log("bench: speed and memory (child process: load model, warm up, time)")
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0 or not os.path.exists(out):
            tail = (r.stderr or r.stdout or "").strip().splitlines()[-8:]
            return {"error": f"speed child failed (rc {r.returncode}): " + " | ".join(tail)}
        res = json.loads(Path(out).read_text())
        res["child_wall_s"] = wall
        return res


# ---- main ------------------------------------------------------------------------------------

def parse_rates(s: str) -> tuple[float, ...]:
    out = []
    for part in s.split(","):
        part = part.strip().rstrip("%")
        if not part:
            continue
        v = float(part)
        out.append(v / 100 if v > 1 else v)
    return tuple(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: one style (wordnet), 20%%, 2 restore / 8 detect articles")
    ap.add_argument("--styles", help="comma-separated spinner styles (default: %s)"
                    % ",".join(DEFAULT_STYLES))
    ap.add_argument("--rates", help="comma-separated substitution rates in %% (default 5,10,20,40)")
    ap.add_argument("--seen-rates", default=None,
                    help="rates for the seen (all sources) restoration setting: 'all' or a list "
                         "(default: 20)")
    ap.add_argument("--docs", type=int, default=None,
                    help="articles per restoration cell (default 6; quick 2)")
    ap.add_argument("--detect-docs", type=int, default=None,
                    help="articles for detection, half spun half clean (default: all; quick 8)")
    ap.add_argument("--chunk-words", type=int, default=500, help="article length (default 500)")
    ap.add_argument("--split", choices=("test", "dev"), default="test",
                    help="test = held-out press (default); dev = for tuning")
    ap.add_argument("--deep", action="store_true", help="detect with deep=True (neural LM)")
    ap.add_argument("--no-lm", action="store_true", help="skip the LM restorer (baselines only)")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: restore,detect,speed")
    ap.add_argument("--json", help="write all results (and per-cell counts) to this file")
    ap.add_argument("--markdown", help="also write the markdown report to this file")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--speed-child", help=argparse.SUPPRESS)
    ap.add_argument("--speed-style", default="thesaurus", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.speed_child:
        speed_child(args.speed_child, args.split, args.quick, args.speed_style)
        return 0

    started = time.strftime("%Y-%m-%d %H:%M:%S")
    t_start = time.perf_counter()
    argv_list = sys.argv[1:] if argv is None else list(argv)
    exe, script = sys.executable, os.path.abspath(__file__)
    cwd = os.getcwd() + os.sep
    exe = os.path.relpath(exe) if os.path.abspath(exe).startswith(cwd) else exe
    script = os.path.relpath(script) if script.startswith(cwd) else script
    command = " ".join(shlex.quote(x) for x in [exe, script, *argv_list])
    print(f"$ {command}", file=sys.stderr, flush=True)

    api = load_api()
    styles = tuple(s.strip() for s in args.styles.split(",")) if args.styles else \
        (("wordnet",) if args.quick else tuple(s for s in DEFAULT_STYLES if s in api.STYLES))
    unknown = [s for s in styles if s not in api.STYLES]
    if unknown:
        raise SystemExit(f"bench: unknown style(s) {unknown}; unspin.simulate.spin.STYLES has "
                         f"{sorted(api.STYLES)}")
    rates = parse_rates(args.rates) if args.rates else ((0.2,) if args.quick else DEFAULT_RATES)
    if args.seen_rates is None:
        seen_rates = () if args.quick else (0.2,)
    elif args.seen_rates == "all":
        seen_rates = None
    else:
        seen_rates = parse_rates(args.seen_rates)
    n_docs = args.docs if args.docs is not None else (2 if args.quick else 6)
    n_det = args.detect_docs if args.detect_docs is not None else (8 if args.quick else None)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    all_docs = corpus.documents(category_for(args.split), args.split, chunk_words=args.chunk_words)
    restore_docs = pick_spread(all_docs, n_docs)
    detect_docs = pick_spread(all_docs, n_det)

    res = {"command": command, "started": started, "unspin_version": api.version,
           "machine": machine_info(),
           "args": {"quick": args.quick, "styles": list(styles), "rates": list(rates),
                    "seen_rates": "all" if seen_rates is None else list(seen_rates),
                    "split": args.split, "chunk_words": args.chunk_words, "deep": args.deep,
                    "docs": n_docs, "detect_docs": len(detect_docs)},
           "n_restore_docs": len(restore_docs),
           "n_restore_words": sum(n_words(d.text) for d in restore_docs),
           "n_detect_docs": len(detect_docs),
           "restore_doc_ids": [d.id for d in restore_docs]}

    with Progress(enabled=not args.no_progress) as prog:
        bench = Bench(api, args, prog)
        if "detect" not in skip:
            res["detection"] = bench.run_detection(detect_docs, styles, rates)
        if "restore" not in skip and restore_docs:
            res["restoration"] = bench.run_restoration(restore_docs, styles, rates, seen_rates)
            lm = [r["systems"]["unspin"] for r in res["restoration"] if "unspin" in r["systems"]]
            if lm:
                res["restore_wps_eval"] = sum_counts(lm)["words_per_s"]
        if "speed" not in skip:
            sp_style = "thesaurus" if "thesaurus" in api.STYLES else styles[0]
            res["speed"] = run_speed(args, sp_style, prog)
        res["errors"] = bench.errors
        res["load_s_in_process"] = bench.load_s
    res["bench_peak_rss_mb"] = rss_mb()
    res["elapsed_s"] = time.perf_counter() - t_start
    res["targets"] = targets(res)
    report = render(res)

    if sys.stdout.isatty():
        try:
            from rich.console import Console
            from rich.markdown import Markdown
            Console().print(Markdown(report))
        except Exception:
            print(report)
    else:
        print(report)
    if args.markdown:
        Path(args.markdown).write_text(report + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
