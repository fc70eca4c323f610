"""How much of a spinner's held-out habits a table learned from its other articles already holds.

    .venv/bin/python bench/coverage.py [--style A] [--orders 5]

The observed table's pairs of one spinner are split by original article (`pair_half`): half 1
is held out, as in bench/real.py's known-spinner regime. For growing numbers of learnable
pairs (half 0, in random orders), prints the share of the held-out substitutions (weighted by
how often each was seen) whose original the learned table lists for the spun text, inflected
variants included. No language model: seconds. It says whether harvesting more pairs still pays.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def coverage(style: str = "A", orders: int = 5, seed: int = 0) -> list[tuple[int, float]]:
    """[(learnable pairs used, share of held-out substitution occurrences covered)]."""
    from unspin.lexicon.spinners import SpinnerTable, pair_half, read_observed, read_pairs, select
    habits, pairs = read_observed(), read_pairs()
    mine = sorted(k for k, p in pairs.items() if p["style"] == style)
    learn = [k for k in mine if pair_half(pairs[k]) == 0]
    held = select(habits, [style], {k for k in mine if pair_half(pairs[k]) == 1})
    total = sum(h.count for h in held)
    if not learn or not total:
        raise SystemExit(f"style {style}: no learnable or no held-out pairs")
    sizes = sorted({n for n in (8, 16, 32, 48, 64, 96, 128) if n < len(learn)} | {len(learn)})
    rng = random.Random(seed)
    out = []
    for n in sizes:
        shares = []
        for _ in range(orders if n < len(learn) else 1):
            table = SpinnerTable(select(habits, [style], set(rng.sample(learn, n))))
            hit = sum(h.count for h in held
                      if h.original.lower() in {o.lower() for o in table.originals(h.spun)})
            shares.append(hit / total)
        out.append((n, sum(shares) / len(shares)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--style", default="A")
    ap.add_argument("--orders", type=int, default=5, help="random orders averaged per size")
    a = ap.parse_args(argv)
    print("| learnable pairs | held-out substitutions covered |\n|---|---|")
    for n, share in coverage(a.style, a.orders):
        print(f"| {n} | {100 * share:.1f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
