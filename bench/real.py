"""Restore and detect against real spinners' habits: the benchmark unspin is tuned on.

Brown press articles (about 300 words each) are spun with the `observed` simulator style, whose
substitutions come from real spun copies of news (`unspin/data/spinners/observed.tsv`), and
restored with a restorer whose spinner table never contains what it is graded on:

* **known spinner** (spinner A): the pairs of A are split in two by original article
  (`unspin.lexicon.spinners.pair_half`). The simulator spins with half 1's substitutions only; the
  restorer's table holds half 0's (plus every other spinner's). Half 1 is the held-out side.
* **unknown spinner** (A, B, C): the restorer's table holds every spinner but the one spinning.
* **clean**: unspun articles through restore (words changed) and detect (false positives),
  detection also on clean text of every other Brown genre (half of each genre's files by
  hash on the test side, the other half on dev).

The rate is the share of all words the spinner replaced. "natural": every phrase the
simulator's table knows is rewritten at the spinner's own observed rate for it
(`unspin.simulate.spin.habit_rate`: times seen rewritten / times expected in the words aligned), so the
rate reached is what the held-out habits alone produce (spinner A rewrote 0.25 of the words on
the real copies, many with habits no table here holds). A fixed rate draws phrases by habit
rate until it is reached; "0.25 forced" is A's real rate forced onto the held-out habits, which
makes the simulator rewrite words A rarely touches (every "a" it can, to "an"). Metrics per cell: restored exactly (share of spinner edits), edit
precision (edits exactly right / edits made), untouched words changed, and the funnel: where
each spinner edit is lost between the lexicon's candidates and the decision.

    .venv/bin/python bench/real.py --split dev --docs 24 --dump .cache/tune/real.jsonl
    .venv/bin/python bench/real.py --split dev --docs 48 --exclude .cache/tune/real.jsonl \\
        --dump .cache/tune/real48.jsonl      # more evidence, from other dev articles
    .venv/bin/python bench/real.py --split test --docs 22 --json bench/results/real.json \\
        --markdown bench/results/real.md

The dev split is the one to tune on (bench/tune.py reads --dump); test is held out.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's unspin, not the editable install's
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from metrics import render_reliability, stated_confidence  # noqa: E402
from run import as_edits, det_metrics, pick_spread, score_restoration, seed_for, sum_counts  # noqa: E402

from unspin.engine.detect import SPUN_AT  # noqa: E402

NATURAL = None
CELLS = (("known", "A", NATURAL), ("known", "A", 0.25), ("known", "A", 0.10), ("unknown", "A", 0.20),
         ("unknown", "B", 0.20), ("unknown", "C", 0.20))
FUNNEL = ("gold", "candidate", "screened", "live", "lm_first", "accepted")
CLEAN_GENRES = ("editorial", "reviews", "religion", "hobbies", "lore", "belles_lettres",
                "government", "learned", "fiction", "mystery", "science_fiction", "adventure",
                "romance", "humor")


def tables(regime: str, style: str):
    """(the simulator's table, the restorer's table) for a regime, by pair ids."""
    from unspin.lexicon.spinners import (WORD_SPINNERS, SpinnerTable, pair_half, read_observed,
                                 read_pairs, select)
    habits, pairs = read_observed(), read_pairs()
    others = [s for s in WORD_SPINNERS if s != style]
    if regime == "unknown":
        return SpinnerTable(select(habits, [style])), SpinnerTable(select(habits, others))
    half = {k for k, p in pairs.items() if p["style"] == style and pair_half(p) == 1}
    rest = {k for k, p in pairs.items() if p["style"] == style} - half
    return (SpinnerTable(select(habits, [style], half)),
            SpinnerTable(select(habits, others) + select(habits, [style], rest)))


def _rate(arg: str) -> float | None:
    return None if arg == "natural" else float(arg)


def rate_label(rate: float | None) -> str:
    return "natural" if rate is None else f"{rate:.2f}"


def genre_half(file_id: str) -> str:
    return "test" if hashlib.sha256(("unspin-genre:" + file_id).encode()).digest()[0] & 1 else "dev"


def clean_genre_docs(split: str, n: int) -> list:
    out = []
    for g in CLEAN_GENRES:
        docs = [d for d in corpus.documents(g, "dev", chunk_words=400)
                if genre_half(d.id.split("#")[0]) == split]
        out += pick_spread(docs, max(1, n // len(CLEAN_GENRES)))
    return out


def funnel(doc_sites, live, lex, gold, final) -> dict:
    """Where each spinner edit is lost: lexicon, screening, SCREEN, LM ranking, decision.
    live: the suspects that reached the LM, as it scored them."""
    from unspin.lexicon.spinners import fold  # candidates keep plain apostrophes, pages may not
    by_span = {(s.start, s.end): s for s in doc_sites}
    live_by_key = {s.key: s for s in live}
    right = {(e.start, e.end, fold(e.to)) for e in final}
    out = dict.fromkeys(FUNNEL, 0)
    for g in gold:
        want = fold(g.to)
        out["gold"] += 1
        if not any(fold(c.text) == want for c in lex.originals(g.from_)):
            continue
        out["candidate"] += 1
        s = by_span.get((g.start, g.end))
        if s is None or not any(fold(c.text) == want for c in s.cands):
            continue
        out["screened"] += 1
        if s.key not in live_by_key:
            continue
        out["live"] += 1
        s = live_by_key[s.key]
        best = max(s.cands, key=lambda c: c.lm_gain if c.lm_gain is not None else -1e9)
        if fold(best.text) == want and (best.lm_gain or 0) > 0:
            out["lm_first"] += 1
        if (g.start, g.end, want) in right:
            out["accepted"] += 1
    return out


def restore_traced(text: str, lex, model, review: bool = True):
    """restore's own stages on `text`, keeping what the funnel reads: (doc, the suspects with
    their candidates, the decoding, the restoration). With the review where restore has it
    (engine.review; UNSPIN_REVIEW=0 or review=False turns it off, UNSPIN_REVIEW=fast makes it
    the fast one)."""
    from unspin.engine.decode import decode
    from unspin.engine.restore import candidates, reading, restoration, reviewer
    from unspin.engine.review import resolve
    doc = reading(text)
    sites = candidates(doc, lex, model)
    # as restore reads it: $UNSPIN_REVIEW says which review True means
    reader, fast = reviewer(resolve(review), model is not None)
    decoding = decode(doc, sites, model, reader=reader, fast_review=fast)
    return doc, sites, decoding, restoration(text, decoding.chosen)


def restore_cell(texts, gold_of, lex, model, dump=None, tag="") -> dict:
    from unspin.engine.edits import features
    rows, fun = [], dict.fromkeys(FUNNEL, 0)
    judged: list[tuple[float, bool]] = []  # each edit's confidence, and whether it was right
    for doc_id, text in texts:
        t0 = time.perf_counter()
        doc, sites, decoding, r = restore_traced(text, lex, model)
        live = decoding.sites
        secs = time.perf_counter() - t0
        gold = gold_of.get(doc_id, [])
        system, invalid = as_edits(r.edits, text)
        row = score_restoration(text, gold, system)
        row.update(invalid=invalid, words=len(doc.words), seconds=secs)
        rows.append(row)
        for k, v in funnel(sites, live, lex, gold, system).items():
            fun[k] += v
        judged += judge_confidence(r.edits, system, gold)
        if dump is not None:
            golds = {(g.start, g.end): g.to.casefold() for g in gold}
            for s in live:
                for c in s.cands:
                    dump.write(json.dumps({
                        "doc": f"{tag}/{doc_id}", "words_doc": len(doc.words),
                        "site": [s.start, s.end], "words": s.n, "gold_site": (s.start, s.end) in golds,
                        "spun": s.text.lower(), "cand": c.text.lower(),
                        "y": golds.get((s.start, s.end)) == c.text.casefold(),
                        "f": features(s, c), "f_ng": features(s, c, use_lm=False)}) + "\n")
            dump.write(json.dumps({"doc": f"{tag}/{doc_id}", "meta": True, "words": len(doc.words),
                                   "gold_edits": len(gold),
                                   "gold_words": sum(len(g.from_.split()) for g in gold)}) + "\n")
    tot = sum_counts(rows)
    tot["precision"] = tot["exact"] / max(1, tot["exact"] + _wrong_edits(rows))
    tot["funnel"] = fun
    tot["judged"] = judged
    return tot


def judge_confidence(edits, system, gold) -> list[tuple[float, bool]]:
    """(confidence, right) for each edit restore made (`system`: the same edits normalised,
    no-ops dropped): right where it restores a spinner edit exactly."""
    right = {(g.start, g.end, g.to.casefold()) for g in gold}
    return [(c, (e.start, e.end, e.to.casefold()) in right)
            for c, e in zip(stated_confidence(edits, system), system)]


def _wrong_edits(rows) -> int:
    """System edits that did not restore a spinner edit exactly (wrong or on untouched words)."""
    return sum(max(0, r["system_edits"] - r["exact"]) for r in rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--docs", type=int, default=8, help="articles per cell")
    ap.add_argument("--clean-docs", type=int, default=140, help="clean articles of other genres for detection")
    ap.add_argument("--cells", default="all", help="e.g. known:A:natural,unknown:B:0.2")
    ap.add_argument("--dump", help="write candidate evidence rows (dev only) for bench/tune.py")
    ap.add_argument("--exclude", action="append", default=[],
                    help="an earlier dump: its articles are left out (more evidence from other articles)")
    ap.add_argument("--detect-only", action="store_true", help="spin and detect; no restore (no LM)")
    ap.add_argument("--cells-only", action="store_true", help="skip the clean-article section")
    ap.add_argument("--lm", help="neural model (sets $UNSPIN_LM): smollm2 (default) or gemma3")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args(argv)
    if a.dump and a.split == "test":
        ap.error("--dump is for the dev split only: nothing is tuned on test")
    if a.lm:
        import os
        os.environ["UNSPIN_LM"] = a.lm
    from unspin.engine import lm
    from unspin.engine.detect import detect
    from unspin.lexicon.lexicon import Lexicon
    from unspin.simulate.spin import spin
    cells = CELLS if a.cells == "all" else tuple(
        (c.split(":")[0], c.split(":")[1], _rate(c.split(":")[2])) for c in a.cells.split(","))
    category = "press" if a.split == "test" else "dev-all"
    done = {json.loads(line)["doc"].split("/")[-1] for p in a.exclude for line in open(p)}
    docs = pick_spread([d for d in corpus.documents(category, a.split, chunk_words=300)
                        if d.id not in done], a.docs)
    model = None if a.detect_only else lm.neural()
    dump = open(a.dump, "w") if a.dump else None
    results: dict = {"split": a.split, "docs": len(docs), "cells": [], "clean": {}}
    t_all = time.time()
    for regime, style, rate in cells:
        spin_table, restore_table = tables(regime, style)
        lex = Lexicon(spinners=restore_table)
        texts, gold_of, det = [], {}, []
        for d in docs:
            sp = spin(d.text, style="observed", rate=rate, seed=seed_for(d.id, regime, style, rate),
                      table=spin_table)
            gold_of[d.id], _ = as_edits(sp.edits, sp.text)
            texts.append((d.id, sp.text))
            det.append((detect(sp.text, lexicon=lex).spun_probability, sp))
        res = restore_cell(texts, gold_of, lex, model, dump, f"{regime}/{style}/{rate_label(rate)}") \
            if model else {"funnel": dict.fromkeys(FUNNEL, 0)}
        words = sum(len(t.split()) for _, t in texts)
        res.update(regime=regime, style=style, rate=rate,
                   real_rate=sum(len(g) for g in gold_of.values()) / max(1, words),
                   detect_p=[p for p, _ in det], spin_table=len(spin_table),
                   restore_table=len(restore_table))
        results["cells"].append(res)
        if model:
            print(f"{regime:8s} {style} {rate_label(rate)} (real {res['real_rate']:.3f}): exact {res['exact_rate']:.3f} "
                  f"precision {res['precision']:.3f} untouched {res['changed_rate']:.4f} "
                  f"funnel {res['funnel']} {res['words_per_s']:.1f} words/s [{time.time() - t_all:.0f}s]",
                  flush=True)
    if a.cells_only:
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
        return 0
    # Clean articles through restore (default lexicon: the whole built-in table) and detect.
    texts = [(d.id, d.text) for d in docs]
    from unspin.lexicon.lexicon import default_lexicon
    res = restore_cell(texts, {}, default_lexicon(), model, dump, "clean") if model else None
    results["clean"]["restore"] = res
    press_p = [detect(t).spun_probability for _, t in texts]
    genre_docs = clean_genre_docs(a.split, a.clean_docs)
    genre_p = [(d.category, detect(d.text).spun_probability) for d in genre_docs]
    results["clean"]["detect_press"] = press_p
    results["clean"]["detect_genres"] = genre_p
    if res:
        print(f"clean: restore changed {res['changed']}/{res['untouched']} words ({res['changed_rate']:.4f})")
    print(f"clean: detect false positives press {sum(p >= 0.5 for p in press_p)}/{len(press_p)}, "
          f"other genres {sum(p >= 0.5 for _, p in genre_p)}/{len(genre_p)}  [{time.time() - t_all:.0f}s]")
    neg = [(p, p >= 0.5) for p in press_p] + [(p, p >= 0.5) for _, p in genre_p]
    neg_verdict = [(p, p >= SPUN_AT) for p, _ in neg]
    for c in results["cells"]:
        c["detect"] = det_metrics([(p, p >= 0.5) for p in c["detect_p"]], neg)
        c["detect_verdict"] = det_metrics([(p, p >= SPUN_AT) for p in c["detect_p"]], neg_verdict)
    if dump:
        dump.close()
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
    md = render(results) if model else render_detection(results)
    print(md)
    if a.markdown:
        Path(a.markdown).write_text(md)
    return 0


def render(res: dict) -> str:
    def pct(x):
        return f"{100 * x:.1f} %"
    lines = [f"Brown press {res['split']} split, {res['docs']} articles of ~300 words per cell.", "",
             "| regime | spinner | rate (reached) | restored exactly | precision | untouched changed "
             "| detect F1 | " + " | ".join(FUNNEL) + " |",
             "|---" * (7 + len(FUNNEL)) + "|"]
    for c in res["cells"]:
        f = c["funnel"]
        lines.append(f"| {c['regime']} | {c['style']} | {rate_label(c['rate'])} ({c['real_rate']:.3f}) | "
                     f"{pct(c['exact_rate'])} | {c['precision']:.3f} | {100 * c['changed_rate']:.2f} % | "
                     f"{c['detect']['f1']:.3f} | " + " | ".join(str(f[k]) for k in FUNNEL) + " |")
    cells = [c for c in res["cells"] if "judged" in c]
    if cells:
        groups = {f"{c['regime']} {c['style']} {rate_label(c['rate'])}": c["judged"] for c in cells}
        groups["all cells"] = [j for c in cells for j in c["judged"]]
        lines += ["", "Confidence against correctness (each edit restore made: right where it restores a "
                  "spinner edit exactly; share right at mean confidence, edits in brackets):", "",
                  render_reliability(groups).rstrip("\n")]
    cl = res["clean"]
    gp = cl["detect_genres"]
    lines += ["", f"Clean articles through restore: {cl['restore']['changed']} of "
              f"{cl['restore']['untouched']} words changed ({pct(cl['restore']['changed_rate'])}).",
              f"Clean articles called spun (p ≥ 0.5): press {sum(p >= 0.5 for p in cl['detect_press'])}"
              f"/{len(cl['detect_press'])}, other genres {sum(p >= 0.5 for _, p in gp)}/{len(gp)}.", ""]
    return "\n".join(lines)


def render_detection(res: dict) -> str:
    neg = res["clean"]["detect_press"] + [p for _, p in res["clean"]["detect_genres"]]
    lines = [f"Detection, Brown {res['split']} split: {res['docs']} spun articles per cell against "
             f"{len(neg)} clean ones (press and 14 other genres); spun at p >= 0.5, and at the "
             f"`spun` verdict (p >= {SPUN_AT}). F1 (equal): the same recall and false-positive "
             "rate on a set with as many spun articles as clean ones.", "",
             "| regime | spinner | rate (reached) | F1 | F1 (equal) | recall | false positives "
             "| at verdict: F1 (equal) | recall | false positives | ROC AUC |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in res["cells"]:
        d, v = c["detect"], c["detect_verdict"]
        lines.append(f"| {c['regime']} | {c['style']} | {rate_label(c['rate'])} ({c['real_rate']:.3f}) | "
                     f"{d['f1']:.3f} | {d['f1_equal']:.3f} | {d['recall']:.3f} | {d['fp']}/{d['n_clean']} | "
                     f"{v['f1_equal']:.3f} | {v['recall']:.3f} | {v['fp']}/{v['n_clean']} | {d['auc']:.3f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
