"""Merge newly harvested spinner observations into unspin/data/spinners/.

    python scripts/merge_observed.py PAIRS_ROWS.tsv OBSERVED_ROWS.tsv [...more pairs/observed files]

PAIRS_ROWS: id, style, spun_url, original_url, topic, words_aligned (one line per new pair).
OBSERVED_ROWS: style, original, spun, count, pair_id (one line per substitution per pair).
Rows are checked (known pair ids, 1-4 words a side, no duplicate pair ids or URL pairs), then
merged: an existing (style, original, spun) row gains the count and the pair ids. Facts only:
nothing here stores article text.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from unspin.lexicon.spinners import _rows as rows  # noqa: E402  (the table files' one reader)

DATA = Path(__file__).resolve().parent.parent / "unspin" / "data" / "spinners"


def main(paths: list[str]) -> int:
    pairs_path, obs_path = DATA / "pairs.tsv", DATA / "observed.tsv"
    head_p = [l for l in pairs_path.read_text(encoding="utf-8").splitlines() if l.startswith("#")]
    old_pairs = [r for r in rows(pairs_path)]
    known_ids = {r[0] for r in old_pairs}
    known_urls = {(r[2], r[3]) for r in old_pairs}
    new_pairs, new_obs = [], []
    for p in map(Path, paths):
        for r in rows(p):
            if r[0] in ("id", "style"):
                continue
            if len(r) == 6 and r[2].startswith("http"):
                new_pairs.append(r)
            elif len(r) == 5:
                new_obs.append(r)
            else:
                print(f"{p}: skipped malformed row {r[:3]}", file=sys.stderr)
    accepted = {}
    for r in new_pairs:
        if r[0] in known_ids or r[0] in accepted or (r[2], r[3]) in known_urls:
            print(f"duplicate pair {r[0]} ({r[2]})", file=sys.stderr)
            continue
        accepted[r[0]] = r
        known_urls.add((r[2], r[3]))
    merged: dict[tuple[str, str, str], list] = {}
    head_o = []
    for line in obs_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            head_o.append(line)
            continue
        c = line.split("\t")
        if c[0] == "style":
            continue
        key = (c[0], c[1], c[2])
        merged[key] = [int(c[3] or 1), c[4].split(",")]
    added = 0
    for style, orig, spun, count, pid in new_obs:
        orig, spun = " ".join(orig.split()), " ".join(spun.split())
        if pid not in accepted or not orig or not spun or orig == spun:
            print(f"skipped observation {orig!r}->{spun!r} ({pid})", file=sys.stderr)
            continue
        if len(orig.split()) > 4 or len(spun.split()) > 4:
            print(f"skipped long observation ({pid}, {len(orig.split())}/{len(spun.split())} words)",
                  file=sys.stderr)
            continue
        key = (accepted[pid][1], orig, spun)
        if key not in merged:
            merged[key] = [0, []]
        merged[key][0] += int(count or 1)
        if pid not in merged[key][1]:
            merged[key][1].append(pid)
        added += 1
    body = ["style\toriginal\tspun\tcount\tpairs"] + [
        f"{k[0]}\t{k[1]}\t{k[2]}\t{v[0]}\t{','.join(v[1])}" for k, v in
        sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1].lower(), kv[0][2].lower()))]
    obs_path.write_text("\n".join(head_o + body) + "\n", encoding="utf-8")
    pair_lines = ["\t".join(r) for r in old_pairs] + ["\t".join(r) for r in accepted.values()]
    pairs_path.write_text("\n".join(head_p + pair_lines) + "\n", encoding="utf-8")
    print(f"{len(accepted)} pairs, {added} observations merged "
          f"({len(merged)} distinct substitutions in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
