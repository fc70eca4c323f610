"""Add pairs to the real pages' set 2 from stored-page text saved by hand.

Set 1 (bench/real_pages_cut.py) rebuilds pages whose texts were recorded; this script makes
new ones. For each id with `<raw>/<id>.spun.txt` and `<raw>/<id>.original.txt` (a stored page's
excerpt as the search tool returns it, from the page's beginning) it cuts the stretch of
article body both pages cover: the run of word blocks the two texts share (case-folded), from
the first to the last, where no gap between blocks exceeds GAP words on either side (site
furniture before the body and the excerpts' ragged ends fall outside it). A pair is kept only
if the cut looks like the pair its observed substitutions were read from: at least MIN_WORDS
words, word counts within a fifth of each other, and most of the pair's rows in observed.tsv
found among the cut's word differences (a mistyped or wrong page fails this), and no
JSON escapes (a page stored as its source). Kept pairs go to
set 2's folder and their checksums (split by real_pages.page_split) to
bench/data/realpages2_checksums.tsv; no text enters the repository.

    .venv/bin/python bench/real_pages_add.py --raw .cache/realpages_raw2 --all
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from metrics import _norm  # noqa: E402
from real_pages_cut import saved_ids  # noqa: E402
from real_pages import SETS, checksum_rows, gold_edits, page_split, text_hash, words  # noqa: E402

GAP = 40          # words between two shared blocks that still count as one body
MIN_BLOCK = 2     # shared blocks shorter than this are coincidence (the, of, a)
MIN_WORDS = 80
MIN_SEEN = 0.6    # share of the pair's observed rows the cut must show
ESCAPED = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[n\"/])")  # a page stored as JSON source, not as text


def body(spun: str, original: str) -> tuple[str, str] | None:
    """The stretch of each text that the other covers too, or None where they share nothing."""
    s, o = words(spun), words(original)
    blocks = [b for b in difflib.SequenceMatcher(
        None, [_norm(m.group()) for m in s], [_norm(m.group()) for m in o],
        autojunk=False).get_matching_blocks() if b.size >= MIN_BLOCK]
    if not blocks:
        return None
    k = max(range(len(blocks)), key=lambda i: blocks[i].size)
    lo = hi = k
    while lo > 0 and _near(blocks[lo - 1], blocks[lo]):
        lo -= 1
    while hi < len(blocks) - 1 and _near(blocks[hi], blocks[hi + 1]):
        hi += 1
    a, b = blocks[lo], blocks[hi]
    i1, j1 = _line_start(spun, s, a.a), _line_start(original, o, a.b)
    if i1 is None or j1 is None:
        i1, j1 = a.a, a.b  # start at the first shared word unless both lines can be taken whole
    i2, j2 = b.a + b.size - 1, b.b + b.size - 1
    return spun[s[i1].start():_end(spun, s[i2].end())], original[o[j1].start():_end(original, o[j2].end())]


def _end(text: str, at: int) -> int:
    """Past the punctuation that closes the last word (a full stop, a closing quote)."""
    m = re.match(r"[^\w\s]*", text[at:])
    return at + (m.end() if m else 0)


def _near(x, y) -> bool:
    return y.a - (x.a + x.size) <= GAP and y.b - (x.b + x.size) <= GAP


def _line_start(text: str, ws: list, i: int) -> int | None:
    """The first word of the line holding word i, when at most 8 words precede i there."""
    start = text.rfind("\n", 0, ws[i].start()) + 1
    k = i
    while k > 0 and ws[k - 1].start() >= start:
        k -= 1
    return k if i - k <= 8 else None


def observed_rows() -> dict[str, list[tuple[str, str]]]:
    """Pair id -> (original, spun) of every observed.tsv row that names the pair."""
    from unspin.lexicon.spinners import read_observed
    out: dict[str, list[tuple[str, str]]] = {}
    for h in read_observed():
        for pair in h.pairs:
            out.setdefault(pair, []).append((h.original, h.spun))
    return out


def seen_share(spun: str, original: str, rows: list[tuple[str, str]]) -> float:
    """Share of the observed rows whose spun words and original words show on the two sides
    of one of the cut's differences (a row the diff merged with its neighbours counts too)."""
    if not rows:
        return 0.0
    diffs = [(_key(g.from_), _key(g.to)) for g in gold_edits(spun, original)]
    return sum(any(_key(sp) in a and _key(orig) in b for a, b in diffs) for orig, sp in rows) / len(rows)


def _key(text: str) -> str:
    return " " + " ".join(_norm(w.group()) for w in words(text)) + " "


def main(argv: list[str] | None = None) -> int:
    from unspin.lexicon.spinners import pair_half, read_pairs
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--raw", type=Path, required=True, help="folder of <id>.spun.txt and <id>.original.txt")
    ap.add_argument("--all", action="store_true", help="every id with both files in --raw")
    args = ap.parse_args(argv)
    folder, checksums = SETS["2"]
    pairs, set1, seen = read_pairs(), checksum_rows("1"), observed_rows()
    ids = list(args.ids)
    if args.all:
        ids += [i for i in saved_ids(args.raw) if i not in ids]
    if not ids:
        ap.error("name ids or pass --all")
    folder.mkdir(parents=True, exist_ok=True)
    rows = checksum_rows("2")
    kept = 0
    for i in ids:
        meta = pairs.get(i)
        if meta is None or meta["style"] != "A" or pair_half(meta) != 1 or i in set1:
            print(f"{i}: not one of spinner A's held-out pairs outside set 1")
            continue
        files = [args.raw / f"{i}.{side}.txt" for side in ("spun", "original")]
        if not all(f.exists() for f in files):
            print(f"{i}: missing {', '.join(str(f) for f in files if not f.exists())}")
            continue
        cut = body(files[0].read_text(), files[1].read_text())
        if cut is None:
            print(f"{i}: the two texts share nothing")
            continue
        spun, original = cut
        n_s, n_o = len(words(spun)), len(words(original))
        share = seen_share(spun, original, seen.get(i, []))
        ok = min(n_s, n_o) >= MIN_WORDS and abs(n_s - n_o) <= 0.2 * max(n_s, n_o) and share >= MIN_SEEN \
            and not ESCAPED.search(spun + original)
        print(f"{i}: {n_s}/{n_o} words, {100 * share:.0f} % of its observed rows seen "
              f"({meta['words_aligned']} words aligned at harvest): {'kept' if ok else 'REFUSED'}")
        if not ok:  # and out of the set, if an earlier run kept it
            rows.pop(i, None)
            (folder / f"{i}.json").unlink(missing_ok=True)
            continue
        page = {"id": i, "spun_url": meta["spun_url"], "original_url": meta["original_url"],
                "spun": spun, "original": original}
        (folder / f"{i}.json").write_text(json.dumps(page, ensure_ascii=False, indent=1))
        rows[i] = {"split": page_split(meta), "spun": text_hash(spun), "original": text_hash(original),
                   "spun_words": n_s, "original_words": n_o}
        kept += 1
    head = ("# The real pages' set 2 (.cache/realpages2, never in the repository): per pair, sha256 (first\n"
            "# 16 hex digits) of the spun and original texts as bench/real_pages_add.py cut them from\n"
            "# stored pages, and their word counts (bench/real_pages.words). Thirty-third session.\n"
            "id\tsplit\tspun_sha256\toriginal_sha256\tspun_words\toriginal_words\n")
    checksums.write_text(head + "".join(
        f"{k}\t{r['split']}\t{r['spun']}\t{r['original']}\t{r['spun_words']}\t{r['original_words']}\n"
        for k, r in sorted(rows.items())))
    print(f"{kept} of {len(ids)} pairs kept; set 2 now holds {len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
