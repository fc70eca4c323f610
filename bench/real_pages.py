"""Restore real content-farm pages: spun copies as the sites published them, against their originals.

The other benchmarks spin Brown articles with real spinners' habits; this one reads what real
spinners actually wrote. Each pair is a spun page and its original, as stored public web pages
hold them (the article body both cover, a few hundred words; see `unspin/data/spinners/pairs.tsv`
for the URLs). Article text never enters the repository: the pairs live in a local folder,
one JSON file each ({"id", "spun_url", "original_url", "spun", "original"}), read with the
search tool's stored pages by whoever runs this (a developer's cache, `.cache/realpages/`).

Scoring needs no segmentation of the spinner's edits: *damage undone* is how much of the word
edit distance between the spun page and the original (case-folded, punctuation aside) restore
takes away; an edit is *right* when taking it back moves the text further from the original,
and precision is right edits over edits made; *untouched changed* counts words of edits made
where the page reads as the original did. Some differences are not the spinner's (a later
revision of the story, a dateline, a dropped sentence): no restorer can undo them, so the
damage undone is a floor. Secondary: gold edits from a word alignment (difflib; equal-length
stretches word by word, others as one phrase edit) restored exactly, scored as bench/real.py
scores them, and the same funnel.

Only spinner A's held-out half of pairs (`pair_half == 1`) is used, so in the *known* regime the
restorer's table is bench/real.py's (spinner A's other half plus every other spinner) and never
holds a page's own substitutions; *unknown*: no pair of spinner A at all; *shipped*: the
built-in table, which holds these pages' own substitutions (in-sample, an upper reference, not
a result); *story-out*: the built-in table without the pairs spun from any of these pages'
originals (every other pair of spinner A, both halves: what restore ships with, meeting stories
none of its pairs came from); *learned-N*: the unknown regime's table plus what `unspin learn`
learns from N of the set's dev pages caught as copies (test split only). Pages are split dev/test by original URL (`page_split`): tune on dev only.
Two page sets (SETS): 1, the 40 pairs of the figures of record; 2, 225 more of spinner A's held-out
pairs (bench/real_pages_add.py), each with its own cache folder, checksums and story-out table.

    .venv/bin/python bench/real_pages.py --split dev
    .venv/bin/python bench/real_pages.py --split test --regimes known,unknown --json out.json
    .venv/bin/python bench/real_pages.py --split test --regimes story-out --json out.json
    .venv/bin/python bench/real_pages.py --split dev --regimes story-out --originals  # + clean originals
    .venv/bin/python bench/real_pages.py --set 2 --split test --regimes story-out,known  # the larger set 2
    .venv/bin/python bench/real_pages.py --set 2 --split test --regimes unknown,learned-10,learned
        # spinner A unknown, then learned (`unspin learn`'s extraction) from 10 or all dev pages
    UNSPIN_REVIEW=0 .venv/bin/python bench/real_pages.py --split dev --regimes known \\
        --decide-at 0.55,0.6,0.65,0.7     # the decision's cut, chosen on dev
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's unspin, not the editable install's
sys.path.insert(0, str(HERE))

from metrics import (E, _norm, apply, as_edits, render_reliability, score_restoration,  # noqa: E402
                     stated_confidence, sum_counts)

PAGES = HERE.parent / ".cache" / "realpages"
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def page_split(pair: dict) -> str:
    """dev or test, by the original article's URL (copies of one original stay together)."""
    return "test" if hashlib.sha256(("unspin-page:" + _story(pair["original_url"])).encode()).digest()[0] & 1 \
        else "dev"


def words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def align(spun: str, original: str) -> tuple[list[re.Match], list[re.Match], list]:
    """(spun words, original words, difflib opcodes between them, case-folded)."""
    s, o = words(spun), words(original)
    ops = difflib.SequenceMatcher(None, [_norm(m.group()) for m in s], [_norm(m.group()) for m in o],
                                  autojunk=False).get_opcodes()
    return s, o, ops


def gold_edits(spun: str, original: str) -> list[E]:
    """The spinner's edits over the spun text's offsets, from a word alignment with the original."""
    s, o, ops = align(spun, original)
    out: list[E] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += [E(s[i].start(), s[i].end(), s[i].group(), o[j].group())
                    for i, j in zip(range(i1, i2), range(j1, j2))]
        elif tag == "insert":  # words the copy lacks: restoring them rewrites the word before
            if i1 == 0:
                continue
            w = s[i1 - 1]
            out.append(E(w.start(), w.end(), w.group(),
                         w.group() + " " + original[o[j1].start():o[j2 - 1].end()]))
        else:  # a phrase replaced, or words the spinner added (restoring deletes them)
            to = original[o[j1].start():o[j2 - 1].end()] if j2 > j1 else ""
            out.append(E(s[i1].start(), s[i2 - 1].end(), spun[s[i1].start():s[i2 - 1].end()], to))
    return out


def distance(a: str, b: str) -> int:
    """Word-level edit distance (case-folded): the damage measure that needs no segmentation."""
    x, y = [_norm(m.group()) for m in words(a)], [_norm(m.group()) for m in words(b)]
    row = list(range(len(y) + 1))
    for i, wx in enumerate(x, 1):
        prev, row[0] = row[0], i
        for j, wy in enumerate(y, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (wx != wy))
    return row[-1]


def judge_edits(spun: str, original: str, system: list[E]) -> dict:
    """Each system edit judged by what it does to the word edit distance to the original:
    right when taking it back makes the text further from the original, wrong otherwise (no
    gold segmentation needed: a phrase the spinner rewrote in three places counts each
    restored word). Untouched: edits on words the spinner left as they were."""
    d1 = distance(apply(spun, system), original)
    each = [distance(apply(spun, system[:k] + system[k + 1:]), original) > d1
            for k in range(len(system))]
    s, _, ops = align(spun, original)
    same = [False] * len(s)
    for tag, i1, i2, _, _ in ops:
        if tag == "equal":
            for i in range(i1, i2):
                same[i] = True
    changed = 0
    for e in system:
        hit = [i for i, m in enumerate(s) if m.start() < e.end and e.start < m.end()]
        if hit and all(same[i] for i in hit):
            changed += len(hit)
    return {"right": sum(each), "edits": len(system), "untouched": sum(same), "changed": changed,
            "right_each": each}


def labels(spun: str, original: str):
    """A function (start, end, words) -> (right, touched): would writing `words` over the
    spun text's [start, end) bring it closer to the original (judged inside the aligned
    stretch it falls in, so a spinner edit that aligned as one phrase with its neighbours,
    "situations had been" for "conditions were", still credits "conditions"), and did the
    spinner touch any of those words."""
    s, o, ops = align(spun, original)
    where = [0] * len(s)  # spun word -> its opcode
    for k, (_, i1, i2, _, _) in enumerate(ops):
        for i in range(i1, i2):
            where[i] = k
    sw, ow = [_norm(m.group()) for m in s], [_norm(m.group()) for m in o]

    def judge(start: int, end: int, words: str) -> tuple[bool, bool]:
        hit = [i for i, m in enumerate(s) if m.start() < end and start < m.end()]
        if not hit or all(ops[where[i]][0] == "equal" for i in hit):
            return False, False
        k1, k2 = min(where[i] for i in hit), max(where[i] for i in hit)
        i1, i2, j1, j2 = ops[k1][1], ops[k2][2], ops[k1][3], ops[k2][4]
        seg, want = sw[i1:i2], " ".join(ow[j1:j2])
        new = sw[i1:hit[0]] + [_norm(w) for w in words.split()] + sw[hit[-1] + 1:i2]
        return distance(" ".join(new), want) < distance(" ".join(seg), want), True
    return judge


def dump_rows(out, tag: str, doc, live, spun: str, original: str, gold: list,
              group: str = "") -> None:
    """Candidate evidence rows for bench/tune.py, in bench/real.py --dump's shape (no text
    beyond the spun and candidate words of each row), labelled by labels(). group: the
    original's site; tune.py's folds keep a group together (pages of one programme's
    transcripts are alike, and folds by page would leak between them)."""
    from unspin.engine.edits import features
    judge = labels(spun, original)
    for st in live:
        for c in st.cands:
            right, touched = judge(st.start, st.end, c.text)
            out.write(json.dumps({
                "doc": f"{tag}/{pair_id(spun, original)}", "words_doc": len(doc.words),
                "site": [st.start, st.end], "words": st.n, "gold_site": touched,
                "spun": st.text.lower(), "cand": c.text.lower(), "y": right, "group": group,
                "f": features(st, c), "f_ng": features(st, c, use_lm=False)}) + "\n")
    out.write(json.dumps({"doc": f"{tag}/{pair_id(spun, original)}", "meta": True,
                          "words": len(doc.words), "gold_edits": len(gold),
                          "gold_words": sum(len(g.from_.split()) for g in gold)}) + "\n")


def source_site(url: str) -> str:
    """The site an original was published on ("cbsnews.com")."""
    return re.sub(r"^(https?://)?(www\.)?", "", url).split("/")[0].lower()


def pair_id(spun: str, original: str) -> str:
    return hashlib.sha256((spun + "\0" + original).encode()).hexdigest()[:12]


def load(folder: Path, split: str) -> list[dict]:
    from unspin.lexicon.spinners import pair_half, read_pairs
    pairs = read_pairs()
    out = []
    for f in sorted(folder.glob("*.json")):
        page = json.loads(f.read_text())
        meta = pairs.get(str(page["id"]))
        if meta is None or meta["style"] != "A" or pair_half(meta) != 1:
            continue  # only spinner A's held-out half: the known table never holds them
        if split != "all" and page_split(meta) != split:
            continue
        out.append(page)
    return out


CHECKSUMS = HERE / "data" / "realpages_checksums.tsv"
# Page sets: "1", the eleventh session's 40 pairs (the figures of record); "2", spinner A's
# other held-out pairs read back from stored pages in the thirty-third session. Each set keeps
# its own cache folder and checksums, and its story-out table leaves out its own stories only,
# so set 1's figures stay comparable across sessions.
SETS = {"1": (PAGES, CHECKSUMS),
        "2": (HERE.parent / ".cache" / "realpages2", HERE / "data" / "realpages2_checksums.tsv")}


def set_names(which: str) -> list[str]:
    """"1", "2" or "all" as the sets it names."""
    if which == "all":
        return list(SETS)
    if which not in SETS:
        raise ValueError(f"no page set {which!r}; choose from {', '.join(SETS)} or all")
    return [which]


def load_set(which: str, split: str) -> list[dict]:
    """The pages of the named set(s) for split, each tagged with its set."""
    out = []
    for name in set_names(which):
        folder = SETS[name][0]
        if folder.is_dir():
            out += [dict(page, set=name) for page in load(folder, split)]
    return out


def checksum_rows(which: str = "1") -> dict[str, dict]:
    """The set's CHECKSUMS as rows: id -> split, spun and original (their texts' text_hash)
    and spun_words, original_words (their word counts)."""
    out = {}
    for name in set_names(which):
        path = SETS[name][1]
        if path.exists():
            out.update(_checksum_file(path))
    return out


def _checksum_file(path: Path) -> dict[str, dict]:
    out = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith(("#", "id\t")):
            f = line.split("\t")
            out[f[0]] = {"split": f[1], "spun": f[2], "original": f[3],
                         "spun_words": int(f[4]), "original_words": int(f[5])}
    return out


def recorded(which: str = "1") -> dict[str, tuple[str, str]]:
    """The set's pages as recorded (its CHECKSUMS): id -> (spun text's hash, original's)."""
    return {i: (r["spun"], r["original"]) for i, r in checksum_rows(which).items()}


def text_hash(text: str) -> str:
    """A page text's hash as CHECKSUMS records it (sha256, first 16 hex digits)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unlike_recorded(pages: list[dict], which: str = "1") -> list[str]:
    """Ids of pages whose texts differ from the cache the README's figures were measured on
    (or that it did not hold): the cache is rebuilt by hand from stored pages
    (bench/real_pages_cut.py), never committed."""
    want = recorded(which)
    return [p["id"] for p in pages if want.get(str(p["id"])) != (text_hash(p["spun"]), text_hash(p["original"]))]


REGIMES = ("known", "unknown", "story-out", "shipped")


def learned_count(regime: str) -> int | None:
    """N of a "learned-N" regime ("learned": every dev page), None for the other regimes."""
    if regime == "learned":
        return 0
    m = re.fullmatch(r"learned-([1-9][0-9]*)", regime)
    return int(m.group(1)) if m else None


def lexicon_for(regime: str, which: str = "1"):
    """The restorer's lexicon in a regime; story-out's table depends on the page set."""
    from real import tables

    from unspin.lexicon.lexicon import Lexicon, default_lexicon
    if regime == "shipped":
        return default_lexicon()
    if regime == "story-out":
        return Lexicon(spinners=story_out_table(which))
    n = learned_count(regime)
    if n is not None:
        return Lexicon(spinners=tables("unknown", "A")[1], learned=learned_table(which, n))
    return Lexicon(spinners=tables(regime, "A")[1])


def learned_table(which: str, n: int = 0) -> dict[str, dict[str, int]]:
    """What `unspin learn` would learn from the set's first n dev pages (0: all) caught as
    copies of their originals: each pair aligned and its substitutions counted by the same
    function (unspin.archive.learn.extract), spun -> {original: count} as written. Only dev
    pages are learned from; the learned regimes are scored on test, other stories."""
    from collections import Counter

    from unspin.archive.learn import extract
    pages = load_set(which, "dev")
    counts: Counter = Counter()
    for page in pages[:n] if n else pages:
        counts.update(extract(page["spun"], page["original"]))
    table: dict[str, dict[str, int]] = {}
    for (spun, original), c in counts.items():
        table.setdefault(spun, {})[original] = c
    return table


def _story(url: str) -> str:
    """An original article's URL as page_split reads it: copies of one original share it."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def story_out_table(which: str = "1"):
    """The built-in table (every word spinner's pairs, both halves of spinner A's) without the
    pairs spun from any original the set's pages were spun from (both splits, as recorded
    in its checksums file): the table restore ships with, meeting stories
    none of its pairs came from. It holds about twice the known regime's pairs of spinner A,
    so it says what more of the same spinner's data is worth; it reads its counts at the
    decision's scale, as the built-in table does (SpinnerTable.count_scale)."""
    from unspin.lexicon.spinners import WORD_SPINNERS, SpinnerTable, read_observed, read_pairs, select
    pairs = read_pairs()
    told = {_story(pairs[i]["original_url"]) for i in recorded(which) if i in pairs}
    keep = {k for k, p in pairs.items() if _story(p["original_url"]) not in told}
    return SpinnerTable(select(read_observed(), WORD_SPINNERS, keep))


def originals_through_restore(pages: list[dict], lex, model, restore=None) -> dict:
    """Each distinct original (clean modern news, copies of one story counted once) restored
    as a spun page is: the words restore changes there, which the issue's clean-text target
    keeps at most 0.5 %. Figures only (page ids, counts): no text."""
    if restore is None:
        from real import restore_traced as restore
    seen: set[str] = set()
    rows = []
    for page in pages:
        text = page["original"]
        if text in seen:
            continue
        seen.add(text)
        doc, _, decoding, r = restore(text, lex, model)
        rows.append({"id": page["id"], "words": len(doc.words), "edits": len(r.edits),
                     "changed": sum(len(words(e.from_)) for e in r.edits), "rate": decoding.rate})
    n, changed = sum(x["words"] for x in rows), sum(x["changed"] for x in rows)
    return {"originals": len(rows), "words": n, "changed": changed,
            "changed_rate": changed / max(1, n), "pages": rows}


def run_regime(pages: list[dict], regime: str, model, dump=None, originals: bool = False,
               which: str = "1") -> dict:
    from real import FUNNEL, funnel, restore_traced

    from unspin.engine.detect import detect
    lex = lexicon_for(regime, which)
    rows, fun, per_page = [], dict.fromkeys(FUNNEL, 0), []
    single = {"gold": 0, "exact": 0}
    dist = [0, 0]  # word edit distance to the original: spun, restored
    judge = {"right": 0, "edits": 0, "untouched": 0, "changed": 0}
    confidence: list[tuple[float, bool]] = []  # each edit's confidence, and whether it was right
    for page in pages:
        spun = page["spun"]
        t0 = time.perf_counter()
        doc, sites, decoding, r = restore_traced(spun, lex, model)
        secs = time.perf_counter() - t0
        gold = gold_edits(spun, page["original"])
        if dump is not None:
            dump_rows(dump, f"real{regime}", doc, decoding.sites, spun, page["original"], gold,
                      source_site(page["original_url"]))
        system, invalid = as_edits(r.edits, spun)
        row = score_restoration(spun, gold, system)
        row.update(invalid=invalid, words=len(doc.words), seconds=secs)
        rows.append(row)
        for k, v in funnel(sites, decoding.sites, lex, gold, system).items():
            fun[k] += v
        one = [g for g in gold if len(g.from_.split()) == 1 and len(g.to.split()) == 1]
        sub = score_restoration(spun, one, [e for e in system if any(
            e.start < g.end and g.start < e.end for g in one)])
        single["gold"] += sub["gold"]
        single["exact"] += sub["exact"]
        d0, d1 = distance(spun, page["original"]), distance(r.text, page["original"])
        dist[0] += d0
        dist[1] += d1
        judged = judge_edits(spun, page["original"], system)
        for k in judge:
            judge[k] += judged[k]
        confidence += list(zip(stated_confidence(r.edits, system), judged["right_each"]))
        per_page.append({"id": page["id"], "words": len(doc.words), "gold": row["gold"],
                         "distance_spun": d0, "distance_restored": d1,
                         "exact": row["exact"], "edits": row["system_edits"],
                         "right": judged["right"], "changed": judged["changed"], "p_spun": detect(spun, lexicon=lex).spun_probability,
                         "p_original": detect(page["original"], lexicon=lex).spun_probability})
        print(f"  {regime} {page['id']}: distance {d0} -> {d1}, {judged['right']}/{judged['edits']} "
              f"edits right, {judged['changed']} untouched words changed [{secs:.1f}s]",
              file=sys.stderr, flush=True)
    tot = sum_counts(rows)
    clean = originals_through_restore(pages, lex, model) if originals else None
    return {"regime": regime, "originals": clean, "pages": len(pages), "gold": tot["gold"], "exact": tot["exact"],
            "distance_spun": dist[0], "distance_restored": dist[1],
            "undone": (dist[0] - dist[1]) / max(1, dist[0]),
            "exact_rate": tot["exact"] / max(1, tot["gold"]),
            "edits": judge["edits"], "right": judge["right"],
            "precision": judge["right"] / max(1, judge["edits"]),
            "untouched": judge["untouched"], "changed": judge["changed"],
            "changed_rate": judge["changed"] / max(1, judge["untouched"]),
            "single_gold": single["gold"], "single_exact": single["exact"],
            "funnel": fun, "seconds": tot["seconds"], "words": tot["words"], "judged": confidence,
            "pages_detail": per_page}  # no examples: they would quote the pages' text


def render(res: dict) -> str:
    from real import FUNNEL
    lines = [f"Real spun pages (set {res.get('set', '1')}, {res['split']} split, {res['pages']} pages, "
             f"{res['words']} words; "
             "spinner A's held-out pairs).", "",
             "| regime | damage undone | gold edits | restored exactly | single words | precision | untouched changed "
             "| spun pages called spun | originals called spun | " + " | ".join(FUNNEL) + " |",
             "|---" * (9 + len(FUNNEL)) + "|"]
    for c in res["regimes"]:
        pp = c["pages_detail"]
        lines.append(
            f"| {c['regime']} | {100 * c['undone']:.1f} % ({c['distance_spun']} -> "
            f"{c['distance_restored']} words) | {c['gold']} | {100 * c['exact_rate']:.1f} % | "
            f"{c['single_exact']}/{c['single_gold']} | {c['precision']:.3f} | "
            f"{100 * c['changed_rate']:.2f} % | {sum(p['p_spun'] >= 0.5 for p in pp)}/{len(pp)} | "
            f"{sum(p['p_original'] >= 0.5 for p in pp)}/{len(pp)} | "
            + " | ".join(str(c["funnel"][k]) for k in FUNNEL) + " |")
    clean = [c for c in res["regimes"] if c.get("originals")]
    if clean:
        lines += ["", "The originals through restore (clean modern news, each story once; target: at most "
                  "0.5 % of words changed):", "", "| regime | originals | words | words changed | edits |",
                  "|---|---|---|---|---|"]
        lines += [f"| {c['regime']} | {o['originals']} | {o['words']} | {o['changed']} "
                  f"({100 * o['changed_rate']:.2f} %) | {sum(x['edits'] for x in o['pages'])} |"
                  for c in clean for o in [c["originals"]]]
    lines += ["", "Confidence against correctness (each edit restore made: right where taking it "
              "back would leave the page further from the original; share right at mean "
              "confidence, edits in brackets):", "",
              render_reliability({c["regime"]: c["judged"] for c in res["regimes"]}).rstrip("\n")]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="1", choices=(*SETS, "all"),
                    help="page set: 1, the figures of record (40 pairs); 2, the thirty-third "
                    "session's harvest; all, both (story-out then leaves out both sets' stories)")
    ap.add_argument("--pages", help="set 1's folder of page-pair JSON files, if not the usual one")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--regimes", default="known,unknown,story-out,shipped",
                    help="comma-separated, of " + ", ".join(REGIMES) + "; learned-N: the unknown "
                    "regime's table plus what `unspin learn` learns from the first N dev pages "
                    "(learned: all of them), test split only")
    ap.add_argument("--limit", type=int, default=0, help="at most this many pages (0: all)")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    ap.add_argument("--originals", action="store_true",
                    help="also restore each original (clean modern news) and count the words changed")
    ap.add_argument("--dump", help="write candidate evidence rows (dev only) for bench/tune.py --extra")
    ap.add_argument("--decide-at", help="dev only: the LM decision's cut(s) to try instead of the "
                    "fitted one, comma-separated (each regime is run once per cut)")
    a = ap.parse_args(argv)
    unknown = [r for r in a.regimes.split(",") if r not in REGIMES and learned_count(r) is None]
    if unknown:
        ap.error(f"unknown regime(s) {', '.join(unknown)}; choose from {', '.join(REGIMES)}, "
                 "learned, learned-N")
    if a.split != "test" and any(learned_count(r) is not None for r in a.regimes.split(",")):
        ap.error("the learned regimes learn from the dev pages: score them on --split test")
    if a.decide_at and a.split == "test":
        ap.error("--decide-at is for choosing a cut on the dev split: nothing is tuned on test")
    if a.decide_at and a.dump:
        ap.error("--decide-at and --dump together would dump each page once per cut")
    if a.dump and a.split != "dev":
        ap.error("--dump is for the dev split only: nothing is tuned on test")
    if a.pages:
        if a.set != "1":
            ap.error("--pages names set 1's folder; drop it or use --set 1")
        SETS["1"] = (Path(a.pages), CHECKSUMS)
    folders = [SETS[n][0] for n in set_names(a.set)]
    if not any(f.is_dir() for f in folders):
        ap.error(f"no page folder at {', '.join(map(str, folders))} (see the module docstring)")
    pages = load_set(a.set, a.split)
    if a.limit:
        pages = pages[:a.limit]
    if not pages:
        ap.error(f"no pages of spinner A's held-out half in {', '.join(map(str, folders))} "
                 f"for split {a.split}")
    off = unlike_recorded(pages, a.set)
    if off:
        print(f"warning: {len(off)} of {len(pages)} pages differ from the cache the recorded figures "
              f"came from (the set's checksums in bench/data/): {', '.join(off)}", file=sys.stderr)
    from unspin.engine import lm
    model = lm.neural()
    res = {"split": a.split, "set": a.set, "pages": len(pages), "words": 0, "regimes": []}
    dump = open(a.dump, "w") if a.dump else None
    from unspin.engine.calibration import params
    cuts = [float(x) for x in a.decide_at.split(",")] if a.decide_at else [None]
    for regime, cut in ((r, c) for r in a.regimes.split(",") for c in cuts):
        if cut is not None:
            params()["decide_at"] = cut  # this process's fitted parameters, for this run only
        c = run_regime(pages, regime, model, dump, a.originals, a.set)
        if cut is not None:
            c["regime"] = f"{regime} (cut {cut:g})"
        res["words"] = c["words"]
        res["regimes"].append(c)
        print(f"{c['regime']}: damage undone {100 * c['undone']:.1f} %, "
              f"{c['exact']}/{c['gold']} restored exactly ({100 * c['exact_rate']:.1f} %), "
              f"precision {c['precision']:.3f}, untouched changed {100 * c['changed_rate']:.2f} %, "
              f"funnel {c['funnel']}"
              + ("" if not c["originals"] else f"; originals: {c['originals']['changed']} of "
                 f"{c['originals']['words']} words changed"), flush=True)
    if dump is not None:
        dump.close()
    md = render(res)
    print(md)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, default=str) + "\n")
    if a.markdown:
        Path(a.markdown).write_text(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
