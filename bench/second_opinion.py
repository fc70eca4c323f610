"""Would a second language model, reading the page as restore left it, weigh restore's
contested options better? A diagnostic for issue 6 on the real pages' dev split (nothing
ships from it; tune and look here, never on the test split).

For each real spun page (bench/real_pages.py; the known-spinner table): restore's decoding,
then for every final option with p in [--lo, --hi] the page as the decoding restored it, with
and without that option (the other edits in place), and each second LM's log-probability
gain for the option over a window around it (--before/--after characters). Then: how well p,
each gain, and p with a gain separate the options that bring the page closer to its original
(AUC; a logistic model on logit p and the clipped gain, fitted out of fold with the folds
keeping each original's site together), and what each would accept at a few cuts: right
edits, wrong ones, and wrong ones on words the spinner never touched.

    .venv/bin/python bench/second_opinion.py --rows .cache/diag/second_dev.jsonl      # trace + score
    .venv/bin/python bench/second_opinion.py --rows .cache/diag/second_dev.jsonl --analyse
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

BF16 = {"gemma3": "gemma3-270m-bf16", "smollm2": "smollm2-135m-bf16"}


def _models(names: list[str]) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unspin.engine.lm import cache_dir, neural
    out = {}
    for n in names:
        d = cache_dir() / BF16[n]
        if not (d / "model.safetensors").exists():
            raise SystemExit(f"{d} missing: run restore once with UNSPIN_LM={n} to convert it")
        out[n] = (AutoTokenizer.from_pretrained(d),
                  AutoModelForCausalLM.from_pretrained(d, dtype=torch.bfloat16).eval())
    neural()  # restore's own model too, loaded once
    return out


def _gain(model, a: str, b: str) -> float:
    """log P(b) - log P(a) under a causal LM, both texts from a BOS token, in one batch."""
    import torch
    tok, m = model
    bos = tok.bos_token_id if tok.bos_token_id is not None else 0
    ids = [[bos] + tok(t, add_special_tokens=False).input_ids for t in (a, b)]
    n = max(map(len, ids))
    x = torch.tensor([s + [0] * (n - len(s)) for s in ids])
    mask = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in ids])
    with torch.no_grad():
        lp = m(input_ids=x, attention_mask=mask).logits.float().log_softmax(-1)
    tot = lp[:, :-1].gather(2, x[:, 1:, None])[..., 0] * mask[:, 1:]
    return float(tot[1].sum() - tot[0].sum())


def _windows(a: str, b: str, before: int, after: int) -> tuple[str, str]:
    """The two texts cut to the stretch around where they differ (whole words)."""
    pre = 0
    while pre < min(len(a), len(b)) and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < min(len(a), len(b)) - pre and a[-1 - suf] == b[-1 - suf]:
        suf += 1
    start = a.rfind(" ", 0, max(0, pre - before)) + 1

    def cut(t: str) -> str:
        end = t.find(" ", len(t) - suf + after)
        return t[start:end if end > 0 else len(t)]
    return cut(a), cut(b)


def trace(split: str, names: list[str], lo: float, hi: float, before: int, after: int,
          rows_path: Path) -> None:
    from real import restore_traced
    from real_pages import PAGES, labels, lexicon_for, load, source_site

    from unspin.engine.lm import neural
    from unspin.engine.restore import restoration
    models = _models(names)
    lex = lexicon_for("known")
    pages = load(PAGES, split)
    if not pages:
        raise SystemExit(f"no real pages in {PAGES} for split {split}")
    t0 = time.time()
    with open(rows_path, "w") as out:
        for page in pages:
            spun = page["spun"]
            _, _, dec, _ = restore_traced(spun, lex, neural())
            judge = labels(spun, page["original"])
            final = {(o.site.key, o.cand.text): o for o in dec.options}  # the last pass's copy
            chosen = {(c.site.key, c.cand.text) for c in dec.chosen}
            for key, o in final.items():
                if not lo <= o.p <= hi:
                    continue
                others = [c for c in dec.chosen
                          if c.site.end <= o.site.start or c.site.start >= o.site.end]
                a = restoration(spun, others).text
                b = restoration(spun, others + [o]).text
                if a == b:
                    continue
                wa, wb = _windows(a, b, before, after)
                right, touched = judge(o.site.start, o.site.end, o.cand.text)
                row = {"page": page["id"], "site": source_site(page["original_url"]),
                       "words": len(spun.split()), "p": o.p, "y": bool(right),
                       "touched": bool(touched), "chosen": key in chosen,
                       "spun": o.site.text, "cand": o.cand.text, "lm_gain": o.cand.lm_gain}
                for n, m in models.items():
                    row[n] = _gain(m, wa, wb)
                out.write(json.dumps(row) + "\n")
            print(page["id"], round(time.time() - t0), file=sys.stderr, flush=True)


def _auc(score: list[float], y: list[bool]) -> float:
    pos = [s for s, t in zip(score, y) if t]
    neg = [s for s, t in zip(score, y) if not t]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def analyse(rows_path: Path, names: list[str], folds: int = 2) -> None:
    from sklearn.linear_model import LogisticRegression
    rows = [json.loads(line) for line in open(rows_path)]
    y = [r["y"] for r in rows]
    pages = {r["page"]: r["words"] for r in rows}
    print(f"{len(rows)} options with p in the band on {len(pages)} pages "
          f"({1000 * len(rows) / max(1, sum(pages.values())):.0f} per 1,000 words): "
          f"{sum(y)} right, {sum(not r['touched'] for r in rows)} on words the spinner never touched\n")
    print("| score | AUC |\n|---|---|")
    print(f"| restore's p | {_auc([r['p'] for r in rows], y):.3f} |")
    for n in ["lm_gain"] + names:
        print(f"| {n} gain alone | {_auc([r[n] or 0.0 for r in rows], y):.3f} |")
    sites = sorted({r["site"] for r in rows})
    fold = {s: k % folds for k, s in enumerate(sorted(sites, key=lambda s: -sum(r["site"] == s for r in rows)))}

    def x(r: dict, which: list[str]) -> list[float]:
        p = min(max(r["p"], 1e-4), 1 - 1e-4)
        return [math.log(p / (1 - p))] + [max(-10.0, min(10.0, r[n])) for n in which]
    print("\nOut of fold (folds keep an original's site together):\n")
    print("| inputs | AUC | cut | accepted | right | wrong | untouched words changed |")
    print("|---|---|---|---|---|---|---|")
    for which in [[]] + [[n] for n in names] + ([names] if len(names) > 1 else []):
        pred = [0.0] * len(rows)
        for k in range(folds):
            tr = [i for i, r in enumerate(rows) if fold[r["site"]] != k]
            te = [i for i, r in enumerate(rows) if fold[r["site"]] == k]
            if not te or len({y[i] for i in tr}) < 2:
                continue
            m = LogisticRegression().fit([x(rows[i], which) for i in tr], [y[i] for i in tr])
            for i, q in zip(te, m.predict_proba([x(rows[i], which) for i in te])[:, 1]):
                pred[i] = float(q)
        name = " + ".join(["logit p"] + which)
        for cut in (0.6, 0.7, 0.8, 0.9):
            acc = [q >= cut for q in pred]
            print(f"| {name} | {_auc(pred, y):.3f} | {cut} | {sum(acc)} | "
                  f"{sum(a and r['y'] for a, r in zip(acc, rows))} | "
                  f"{sum(a and not r['y'] for a, r in zip(acc, rows))} | "
                  f"{sum(a and not r['touched'] for a, r in zip(acc, rows))} |")
    acc = [r["chosen"] for r in rows]
    print(f"\nShipped decision on these options: {sum(acc)} accepted, "
          f"{sum(a and r['y'] for a, r in zip(acc, rows))} right, "
          f"{sum(a and not r['y'] for a, r in zip(acc, rows))} wrong, "
          f"{sum(a and not r['touched'] for a, r in zip(acc, rows))} on untouched words")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=Path, required=True, help="JSONL of scored options (written, or read with --analyse)")
    ap.add_argument("--analyse", action="store_true", help="only analyse --rows")
    ap.add_argument("--split", default="dev", choices=["dev"], help="the real pages' dev split only")
    ap.add_argument("--lms", default="gemma3,smollm2", help="second LMs: gemma3, smollm2")
    ap.add_argument("--lo", type=float, default=0.1)
    ap.add_argument("--hi", type=float, default=0.97)
    ap.add_argument("--before", type=int, default=300, help="characters of context before the option")
    ap.add_argument("--after", type=int, default=150, help="characters after it")
    a = ap.parse_args()
    names = [n for n in a.lms.split(",") if n]
    if not set(names) <= set(BF16):
        raise SystemExit(f"--lms: choose from {', '.join(BF16)}")
    if not a.analyse:
        a.rows.parent.mkdir(parents=True, exist_ok=True)
        trace(a.split, names, a.lo, a.hi, a.before, a.after, a.rows)
    analyse(a.rows, names)


if __name__ == "__main__":
    main()
