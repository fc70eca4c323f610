"""Trace benchmark on text no template wrote: Brown press articles, their machine translations
(Apertium, offline), round-trip translations, optional hand-written copies, and same-topic
articles whose source is not in the archive.

    python bench/meaning_bench.py --split test [--filler 6000] [--extra .cache/bench/handwritten.jsonl]

Archive: every Brown file of the press genres (reportage, editorial, reviews) and of `--genres`,
cut into articles of about 300 words, minus the held-out negatives; plus `--filler` articles
from bench/trace_bench.py's generator (scale only). Queries, from the reportage files of
`--split` (test: the held-out half; calibrate on dev):

* copies of an archived article (chunks 0, 2, 4 ... of each file): `es`, `ca`, `gl` Apertium
  translations (eng-spa, then spa-cat / es-gl), `es-short` (the first half of the Spanish),
  `roundtrip` (eng-spa then spa-eng: English that no template wrote), `spun` (thesaurus spin
  at 30 %, the old regime, for no-regression);
* negatives: chunks 1, 3, 5 ... of the same files are left out of the archive and queried in
  English (`unrelated-en`) and in Spanish (`unrelated-es`): the same newspaper page, the same
  subjects, often the same people, but not a copy of anything archived; a "copy" verdict on them
  is a false accusation;
* `--extra FILE.jsonl`: {"kind", "source" (a chunk id like ca01#2), "text"} lines, e.g. copies
  written by hand; "source": null marks a negative. Kept outside the repository (article text).

Translations are cached under .cache/bench/apertium (not in the repository). Prints one table
row per kind: queries, recall@1 (the source ranked first), "copy" rate (first match is the
source and says copy; for negatives: any match says copy), p50/p95 trace latency.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import corpus  # noqa: E402

CACHE = os.path.join(os.path.dirname(__file__), "..", ".cache", "bench", "apertium")
PIPES = {"es": ["eng-spa"], "ca": ["eng-spa", "spa-cat"], "gl": ["eng-spa", "es-gl"],
         "roundtrip": ["eng-spa", "spa-eng"]}


def apertium(text: str, modes: list[str]) -> str:
    key = hashlib.sha1(("|".join(modes) + "\0" + text).encode()).hexdigest()
    path = os.path.join(CACHE, key + ".txt")
    if os.path.exists(path):
        return open(path, encoding="utf-8").read()
    if not shutil.which("apertium"):
        raise SystemExit("apertium is not installed (Debian: apt-get install apertium apertium-eng-spa "
                         "apertium-spa-cat apertium-es-gl)")
    out = text
    for m in modes:
        out = subprocess.run(["apertium", "-u", m], input=out, capture_output=True, text=True, check=True).stdout
    os.makedirs(CACHE, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(out)
    return out


def first_half(text: str) -> str:
    paras = text.split("\n\n")
    return "\n\n".join(paras[:max(1, len(paras) // 2)])


def build(split: str, genres: str, filler: int, workdir: str, vectors: bool, workers: int = 1):
    arts = corpus.documents("dev-all", "dev", chunk_words=300)
    if split == "test":
        arts += corpus.documents("press", "test", chunk_words=300)
    if genres:
        arts += corpus.documents(genres, "dev", chunk_words=300)
    arts = list({a.id: a for a in arts}.values())
    files = sorted({a.id.split("#")[0] for a in arts if a.category == "news" and corpus.split_of(a.id.split("#")[0]) == split})
    held = {a.id for a in arts if a.id.split("#")[0] in files and int(a.id.split("#")[1]) % 2 == 1}
    os.makedirs(workdir, exist_ok=True)
    db = os.path.join(workdir, f"brown-{split}-{filler}-{int(vectors)}.db")
    for suffix in ("", ".ann", ".ann.json", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    path = os.path.join(workdir, "brown.jsonl")
    with open(path, "w") as f:
        for a in arts:
            if a.id not in held:
                f.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
        if filler:
            import trace_bench as tb
            gen = tb.Generator(seed=17, pool=20000)
            clusters = [gen.event() for _ in range(max(1, filler // 20))]
            for i in range(filler):
                title, text = gen.article(clusters[i % len(clusters)])
                f.write(json.dumps({"id": f"gen{i}", "title": title, "text": text}) + "\n")
    from unspin import archive
    t, c = time.time(), time.process_time()
    st = archive.add(db, [path], vectors=False, workers=1)
    t_words, c_words = time.time() - t, time.process_time() - c
    t, c = time.time(), time.process_time()
    n_vec = 0
    if vectors:  # one process by default, so that CPU time measures the work whatever else loads the machine
        from unspin.archive import embed
        with archive.Archive(db) as a:
            n_vec = embed.embed_archive(a, workers=workers)
    t_vec, c_vec = time.time() - t, time.process_time() - c
    with archive.Archive(db) as a:
        idx_bytes = a.index_bytes() + sum(os.path.getsize(db + s) for s in (".ann",) if os.path.exists(db + s))
    info = {"documents": st.added, "ingest_words_s": t_words, "ingest_vectors_s": t_vec, "embedded": n_vec,
            "ingest_words_cpu_s": c_words, "ingest_vectors_cpu_s": c_vec,
            "index_bytes_per_doc": idx_bytes / max(1, st.added)}
    by_id = {a.id: a for a in arts}
    copies = [by_id[i] for i in sorted(by_id) if i.split("#")[0] in files and i not in held]
    negatives = [by_id[i] for i in sorted(held)]
    return db, info, copies, negatives


def queries(copies, negatives, extra: str | None, limit: int, seed: int = 3):
    from unspin.simulate.spin import spin
    rng = random.Random(seed)
    copies = copies[::max(1, len(copies) // limit)][:limit]       # spread over the files
    negatives = negatives[::max(1, len(negatives) // limit)][:limit]
    out = []
    for a in copies:
        for kind, modes in PIPES.items():
            out.append((kind, a.id, apertium(a.text, modes)))
        out.append(("es-short", a.id, first_half(apertium(a.text, PIPES["es"]))))
        out.append(("spun", a.id, spin(a.text, style="wordnet", rate=0.3, seed=rng.randrange(1 << 30)).text))
    for a in negatives:
        out.append(("unrelated-en", None, a.text))
        out.append(("unrelated-es", None, apertium(a.text, PIPES["es"])))
    if extra:
        for line in open(extra, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                out.append((r["kind"], r.get("source"), r["text"]))
    return out


def run(db: str, qs, use_vectors: bool):
    from unspin import archive
    from unspin.archive import trace
    rows = []
    with archive.Archive(db) as arc:
        trace.trace(qs[0][2], arc, record=False, use_vectors=use_vectors)  # load models once
        for kind, src, text in qs:
            t, c = time.perf_counter(), time.process_time()
            ms = trace.trace(text, arc, top=5, record=False, use_vectors=use_vectors)
            dt, dc = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            top = ms[0] if ms else None
            rows.append({"kind": kind, "source": src, "ms": dt, "cpu_ms": dc,
                         "top": top.id if top else None, "relation": top.relation if top else None,
                         "coverage": top.coverage if top else 0.0,
                         "in_order": top.reasons.in_order if top and top.reasons else 0.0,
                         "any_copy": any(m.relation == "copy" for m in ms)})
    return rows


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0.0


def table(rows) -> list[str]:
    out = ["| kind | queries | recall@1 | copy | false copy | p50 / p95 ms (wall) | p50 / p95 ms (CPU) |",
           "|---|---|---|---|---|---|---|"]
    for kind in dict.fromkeys(r["kind"] for r in rows):
        rs = [r for r in rows if r["kind"] == kind]
        lat, cpu = [r["ms"] for r in rs], [r["cpu_ms"] for r in rs]
        times = f"{pct(lat, 50):.0f} / {pct(lat, 95):.0f} | {pct(cpu, 50):.0f} / {pct(cpu, 95):.0f}"
        if rs[0]["source"] is None:
            fc = sum(r["any_copy"] for r in rs)
            out.append(f"| {kind} | {len(rs)} | – | – | {fc}/{len(rs)} ({fc / len(rs):.1%}) | {times} |")
        else:
            r1 = sum(r["top"] == r["source"] for r in rs)
            cp = sum(r["top"] == r["source"] and r["relation"] == "copy" for r in rs)
            out.append(f"| {kind} | {len(rs)} | {r1 / len(rs):.1%} | {cp / len(rs):.1%} | – | {times} |")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["dev", "test"])
    ap.add_argument("--genres", default="", help="more Brown genres in the archive, e.g. government,hobbies")
    ap.add_argument("--filler", type=int, default=0, help="generated articles added for scale")
    ap.add_argument("--limit", type=int, default=40, help="copies and negatives queried, each")
    ap.add_argument("--extra", help="JSONL of more queries (kind, source, text)")
    ap.add_argument("--words-only", action="store_true", help="trace without the meaning index and encoder")
    ap.add_argument("--workdir", default=os.path.join(os.path.dirname(__file__), "out", "meaning"))
    ap.add_argument("--json", help="write rows and figures here")
    ap.add_argument("--workers", type=int, default=1, help="processes for the meaning vectors (CPU time "
                    "is then only the main process's)")
    args = ap.parse_args()
    db, info, copies, negatives = build(args.split, args.genres, args.filler, args.workdir, not args.words_only,
                                          args.workers)
    qs = queries(copies, negatives, args.extra, args.limit)
    rows = run(db, qs, not args.words_only)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    docs = info["documents"]
    emb = info["embedded"]
    vec_rate = (f"{emb / info['ingest_vectors_cpu_s'] if emb else 0:.0f} per CPU second"
                if args.workers == 1 else f"{args.workers} processes")
    print(f"archive: {docs:,} documents ({args.split} split, filler {args.filler}); word index (one process) "
          f"{docs / info['ingest_words_s']:.0f} docs/s wall, {docs / info['ingest_words_cpu_s']:.0f} per CPU second; "
          f"meaning vectors {emb / info['ingest_vectors_s'] if emb else 0:.0f} docs/s wall ({vec_rate}); "
          f"index {info['index_bytes_per_doc']:.0f} B/doc; peak RSS {rss:.0f} MB; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("\n".join(table(rows)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "info": info, "rows": rows, "peak_rss_mb": rss}, f, indent=1)


if __name__ == "__main__":
    main()
