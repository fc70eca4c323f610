"""Trace benchmark: synthetic news archives of several sizes, spun/paraphrased/partial/related
queries, unspin trace against datasketch MinHashLSH on word shingles and SimHash.

    python bench/trace_bench.py --sizes 10000,100000 [--queries 200] [--workdir bench/out]

Articles are generated (no seed text): a pool of grammar-built sentence skeletons with name,
place and number slots, filled per event, so many articles on one event share names, numbers
and a quote but not wording (the hard distractors).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from unspin.simulate.articles import (  # noqa: E402  (the generator is library code now)
    CLUSTERS, WORD_RE, Generator, make_queries, private_spinner, spin, write_corpus,
)

# ---- baselines ------------------------------------------------------------------------------

def _word_shingles(text, k):
    w = WORD_RE.findall(text.lower())
    return {" ".join(w[i:i + k]) for i in range(max(1, len(w) - k + 1))}


def baselines(docs_path, n_docs, queries, out_q):
    """datasketch MinHashLSH on word 5-shingles, and 64-bit SimHash on word 3-shingles."""
    import zlib
    import numpy as np
    from datasketch import MinHash, MinHashLSH
    lsh, sigs, ids, sims = MinHashLSH(threshold=0.3, num_perm=128), {}, [], []
    bits = np.arange(64, dtype=np.uint64)

    def simhash(text):
        sh = _word_shingles(text, 3)
        h = np.array([zlib.crc32(s.encode()) | (zlib.crc32(s.encode() + b"#") << 32) for s in sh], dtype=np.uint64)
        v = (((h[:, None] >> bits) & np.uint64(1)).astype(np.int32) * 2 - 1).sum(0)
        return int(((v > 0).astype(np.uint64) << bits).sum())

    t0 = time.time()
    with open(docs_path) as f:
        for line in f:
            d = json.loads(line)
            m = MinHash(num_perm=128)
            m.update_batch([s.encode() for s in _word_shingles(d["text"], 5)])
            lsh.insert(d["id"], m)
            sigs[d["id"]] = m
            ids.append(d["id"])
            sims.append(simhash(d["text"]))
    build = time.time() - t0
    sims = np.array(sims, dtype=np.uint64)
    res = {"minhash": [], "simhash": []}
    lat = {"minhash": [], "simhash": []}
    for kind, q, src in queries:
        if src is None:
            continue
        t = time.time()
        m = MinHash(num_perm=128)
        m.update_batch([s.encode() for s in _word_shingles(q, 5)])
        ranked = sorted(lsh.query(m), key=lambda i: -m.jaccard(sigs[i]))
        lat["minhash"].append(time.time() - t)
        res["minhash"].append((kind, ranked.index(src) + 1 if src in ranked else 0))
        t = time.time()
        dist = np.bitwise_count(sims ^ np.uint64(simhash(q)))
        order = np.argsort(dist, kind="stable")[:100]
        ranked = [ids[i] for i in order]
        lat["simhash"].append(time.time() - t)
        res["simhash"].append((kind, ranked.index(src) + 1 if src in ranked else 0))
    out_q.put({"ranks": res, "lat": lat, "build_s": build,
               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


# ---- evaluation -----------------------------------------------------------------------------

GROUPS = {"spun ≤50%": lambda k: k.startswith("spun") and int(k[5:-1]) <= 50,
          "spun 60%": lambda k: k == "spun 60%", "paraphrase": lambda k: k == "paraphrase",
          "partial (⅓)": lambda k: k == "partial"}


def summarise(ranks):
    """{group: (recall@1, MRR, n)} from [(kind, rank or 0)]."""
    out = {}
    for g, f in GROUPS.items():
        rs = [r for k, r in ranks if f(k)]
        if rs:
            out[g] = (sum(r == 1 for r in rs) / len(rs), sum(1 / r for r in rs if r) / len(rs), len(rs))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] if xs else float("nan")


def run_unspin(db, queries):
    from unspin import archive
    from unspin.archive import trace
    ranks, lat, cls = [], [], []
    with archive.Archive(db) as arc:
        for kind, q, src in queries:
            t = time.time()
            ms = trace.trace(q, arc, top=10, record=False, use_vectors=False)
            lat.append(time.time() - t)
            if src is None:
                cls.append(not any(m.relation == "copy" for m in ms))
                continue
            pos = next((i for i, m in enumerate(ms, 1) if m.id == src), 0)
            ranks.append((kind, pos))
            cls.append(bool(pos) and ms[pos - 1].relation == "copy")
    return ranks, lat, cls


def learn_experiment(db, texts, ns=(0, 5, 20, 50), test=30, seed=11):
    """Restoration of a spinner no built-in table knows, before and after learning from N copies."""
    from unspin import archive
    from unspin.archive import learn, trace
    table = private_spinner()
    rng = random.Random(seed)
    ids = sorted(texts, key=lambda s: int(s[3:]))
    rng.shuffle(ids)
    test_ids, train_ids = ids[:test], ids[test:test + max(ns)]
    tests = [(texts[i], spin(texts[i], 0.5, rng, table=table)) for i in test_ids]

    def accuracy(restore):
        changed = fixed = 0
        for src, spun in tests:
            r = restore(spun).split()
            for a, b, c in zip(src.split(), spun.split(), r):
                if a != b:
                    changed += 1
                    fixed += a == c
        return fixed / changed if changed else 0.0

    try:
        from unspin.engine.restore import restore as core_restore
    except ImportError:
        core_restore = None
    rows, done = [], 0
    with archive.Archive(db) as arc:
        arc.clear_catches()
        for n in ns:
            for i in train_ids[done:n]:
                trace.trace(spin(texts[i], 0.5, rng, table=table), arc, record=True, use_vectors=False)
            done = n
            learn.learn(arc)
            tab = learn.load_table(arc)
            row = {"N": n, "caught": arc.stats()["caught_copies"], "table_only": accuracy(lambda s: learn.apply_table(s, tab))}
            if core_restore is not None:
                try:
                    from unspin.lexicon.lexicon import SOURCES, Lexicon
                    lex = Lexicon(sources=SOURCES, learned=tab or None)  # built once: it reads thesauri
                    row["restore_no_lm"] = accuracy(lambda s: core_restore(s, lexicon=lex, use_lm=False).text)
                except Exception as e:  # noqa: BLE001 - a colleague's module; report, don't crash
                    row["restore_no_lm"] = f"error: {type(e).__name__}"
            rows.append(row)
        arc.clear_catches()
        arc.replace_substitutions([])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=30, help="queries per spin rate (x2 for other kinds)")
    ap.add_argument("--workdir", default="bench/out")
    ap.add_argument("--baseline-max", type=int, default=100000, help="largest size to run the baselines on")
    ap.add_argument("--no-learn", action="store_true")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    os.makedirs(args.workdir, exist_ok=True)
    gen = Generator()
    clusters = [gen.event() for _ in range(CLUSTERS)]
    queries, texts = make_queries(gen, clusters, n_per=args.queries)
    db = os.path.join(args.workdir, "archive.db")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    from unspin import archive
    results, have = [], 0
    all_docs = os.path.join(args.workdir, "docs.jsonl")
    open(all_docs, "w").close()
    for size in sizes:
        shard = os.path.join(args.workdir, f"shard-{have}-{size}.jsonl")
        t = time.time()
        write_corpus(shard, gen, have, size, clusters)
        gen_s = time.time() - t
        t = time.time()
        st = archive.add(db, [shard])
        ingest_s = time.time() - t
        with open(all_docs, "a") as out, open(shard) as f:
            out.write(f.read())
        os.remove(shard)
        have = size
        with archive.Archive(db) as arc:
            index_b, total_b = arc.index_bytes(), arc.stats()["bytes"]
        ranks, lat, cls = run_unspin(db, queries)
        r = {"size": size, "ingest_docs_s": st.added / ingest_s, "gen_s": gen_s,
             "index_bytes_per_doc": index_b / size, "db_bytes_per_doc": total_b / size,
             "p50_ms": pct(lat, .5) * 1000, "p95_ms": pct(lat, .95) * 1000,
             "copy_vs_related": sum(cls) / len(cls), "unspin": summarise(ranks),
             "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        if size <= args.baseline_max:
            import multiprocessing as mp
            ctx = mp.get_context("fork")
            q = ctx.Queue()
            p = ctx.Process(target=baselines, args=(all_docs, size, queries, q))
            p.start()
            b = q.get()
            p.join()
            r["baselines"] = {k: {"summary": summarise(v), "p50_ms": pct(b["lat"][k], .5) * 1000,
                                  "p95_ms": pct(b["lat"][k], .95) * 1000} for k, v in b["ranks"].items()}
            r["baselines_build_s"], r["baselines_peak_mb"] = b["build_s"], b["peak_mb"]
        results.append(r)
        print_table(results, queries)
    learned = None if args.no_learn else learn_experiment(db, texts)
    if learned:
        print("\n### Learning an unknown spinner (50% substitution, 30 held-out copies)\n")
        keys = list(learned[0])
        print("| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
        for row in learned:
            print("| " + " | ".join(f"{v:.1%}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
    with open(os.path.join(args.workdir, "results.json"), "w") as f:
        json.dump({"sizes": results, "learn": learned}, f, indent=1)


def print_table(results, queries):
    from collections import Counter
    print(f"\n### Trace benchmark ({len(queries)} queries: " +
          ", ".join(f"{v} {k}" for k, v in Counter(k.split(' ')[0] for k, _, _ in queries).items()) + ")\n")
    print("| docs | method | " + " | ".join(f"{g} R@1 / MRR" for g in GROUPS) +
          " | copy-vs-related | p50 / p95 ms | ingest docs/s | index B/doc | DB B/doc | peak MB |")
    print("|---" * (len(GROUPS) + 8) + "|")
    for r in results:
        cells = lambda s: " | ".join(f"{s[g][0]:.1%} / {s[g][1]:.3f}" if g in s else "-" for g in GROUPS)  # noqa: E731
        print(f"| {r['size']:,} | unspin | {cells(r['unspin'])} | {r['copy_vs_related']:.1%} | "
              f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} | {r['ingest_docs_s']:.0f} | "
              f"{r['index_bytes_per_doc']:.0f} | {r['db_bytes_per_doc']:.0f} | {r['peak_mb']:.0f} |")
        for name, b in r.get("baselines", {}).items():
            label = "datasketch MinHashLSH (word 5-shingles)" if name == "minhash" else "SimHash (word 3-shingles)"
            print(f"| {r['size']:,} | {label} | {cells(b['summary'])} | n/a | {b['p50_ms']:.0f} / {b['p95_ms']:.0f} | "
                  f"- | - | - | {r['baselines_peak_mb']:.0f} (both) |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
