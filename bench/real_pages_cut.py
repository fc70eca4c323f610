"""Rebuild one pair of the real pages' cache (.cache/realpages/) from stored-page text saved by hand.

The cache is never committed and a fresh machine has none; bench/data/realpages_checksums.tsv
records what each pair's texts were (sha256 prefix and word count). Save the stored page's
text as the search tool returns it (its excerpt, from the page's beginning) to
`<raw>/<id>.spun.txt` and `<raw>/<id>.original.txt`; this script finds in each the stretch
whose hash and word count are the recorded ones, trying the usual ways the text's lines were
joined, and writes `.cache/realpages/<id>.json` with the pair's URLs from pairs.tsv. Where no
stretch matches it says so and writes nothing, unless --loose: then the saved text itself
stands for that side (the page is then the benchmark's only approximately, and
bench/real_pages.py warns that it differs from the recorded cache).

    .venv/bin/python bench/real_pages_cut.py --raw .cache/realpages_raw h10 h16 biz1
    .venv/bin/python bench/real_pages_cut.py --raw .cache/realpages_raw --all   # every id with both files
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from real_pages import PAGES, checksum_rows, text_hash, words  # noqa: E402


def joinings(raw: str) -> list[str]:
    """The saved text joined in the ways a cache file's text may have been: as saved, lines
    stripped (blank ones dropped) and joined by one or two newlines or a space, all
    whitespace as single spaces."""
    lines = [ln.strip() for ln in raw.replace("\r\n", "\n").split("\n")]
    kept = [ln for ln in lines if ln]
    out = [raw, raw.strip(), "\n".join(kept), "\n\n".join(kept), " ".join(kept), " ".join(raw.split())]
    return list(dict.fromkeys(out))


def stretches(text: str, n_words: int):
    """Every stretch of text from a token's start to a token's end (tokens: runs of
    non-space) holding exactly n_words benchmark words."""
    toks = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    counts = [len(words(text[a:b])) for a, b in toks]
    for i in range(len(toks)):
        total = 0
        for j in range(i, len(toks)):
            total += counts[j]
            if total == n_words:
                yield text[toks[i][0]:toks[j][1]]
            elif total > n_words:
                break


def find(raw: str, want_hash: str, n_words: int) -> str | None:
    for text in joinings(raw):
        for s in stretches(text, n_words):
            if text_hash(s) == want_hash:
                return s
    return None


def saved_ids(raw: Path) -> list[str]:
    """The pair ids with both sides saved in `raw` (<id>.spun.txt and <id>.original.txt), sorted."""
    return sorted(f.name[:-len(".spun.txt")] for f in raw.glob("*.spun.txt")
                  if (raw / (f.name[:-len(".spun.txt")] + ".original.txt")).exists())


def main(argv: list[str] | None = None) -> int:
    from unspin.lexicon.spinners import read_pairs
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--raw", type=Path, required=True, help="folder of <id>.spun.txt and <id>.original.txt")
    ap.add_argument("--all", action="store_true", help="every id with both files in --raw")
    ap.add_argument("--out", type=Path, default=PAGES)
    ap.add_argument("--loose", action="store_true", help="where nothing matches, keep the saved text as it is")
    args = ap.parse_args(argv)
    rows, pairs = checksum_rows(), read_pairs()
    ids = list(args.ids)
    if args.all:
        ids += [i for i in saved_ids(args.raw) if i in rows and i not in ids]
    if not ids:
        ap.error("name ids or pass --all")
    args.out.mkdir(parents=True, exist_ok=True)
    bad = 0
    for i in ids:
        if i not in rows or i not in pairs:
            print(f"{i}: not a recorded page", file=sys.stderr)
            bad += 1
            continue
        found: dict[str, str | None] = {}
        for side in ("spun", "original"):
            f = args.raw / f"{i}.{side}.txt"
            if not f.exists():
                print(f"{i}: no {f}")
                found[side] = None
                continue
            raw = f.read_text()
            found[side] = find(raw, rows[i][side], rows[i][side + "_words"])
            if found[side] is None and args.loose:
                found[side] = raw.strip()
                print(f"{i}: {side} kept as saved ({len(words(raw))} words, recorded "
                      f"{rows[i][side + '_words']})")
        status = " ".join(f"{side} {'ok' if found[side] else 'NO MATCH'}" for side in found)
        print(f"{i}: {status}")
        if found["spun"] and found["original"]:
            page = {"id": i, "spun_url": pairs[i]["spun_url"], "original_url": pairs[i]["original_url"],
                    "spun": found["spun"], "original": found["original"]}
            (args.out / f"{i}.json").write_text(json.dumps(page, ensure_ascii=False, indent=1))
        else:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
