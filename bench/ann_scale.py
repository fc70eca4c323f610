"""The meaning index at about 1M articles' worth of vectors, without encoding 1M articles.

Reads the archive bench/meaning_bench.py built at 100,000 articles (--workdir /tmp/mb100k,
--filler 96808): its 200,000 real vectors plus 9 noisy copies (cosine about 0.87 to the
original) of each template article's vectors, 1.94M in all, centred as unspin.archive.embed
centres them; then the sources of the hand-written queries (the --extra file of that run, path
in $EXTRA) are searched for: recall@1 and search time per expansion. The noisy copies are a
denser crowd than real news would be: a stress test of the index, not a trace benchmark.

    CONN=12 EADD=48 EXTRA=/tmp/handwritten_all.jsonl .venv/bin/python bench/ann_scale.py
"""
import json, os, time, sqlite3, numpy as np
from usearch.index import Index
from unspin.archive import embed, sentvec
db = "/tmp/mb100k/brown-test-96808-1.db"
con = sqlite3.connect(db)
ids = {r[1]: r[0] for r in con.execute("select n, id from docs")}
gen = {r[0] for r in con.execute("select n from docs where id like 'gen%'")}
rows = con.execute("select id, doc, v from mvectors").fetchall()
V = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.int8).reshape(len(rows), -1).astype(np.float32) / 127
docs = np.array([r[1] for r in rows]); isgen = np.array([d in gen for d in docs])
rng = np.random.default_rng(0)
G = V[isgen]
extra = []
for rep in range(9):
    X = G + rng.normal(0, 0.025, G.shape).astype(np.float32)  # cosine to its original about 0.87 (printed below)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    extra.append(X)
E = np.concatenate(extra)
print("noisy copy cos to original", float((E[:1000] * G[:1000]).sum(1).mean()), "total", len(V) + len(E), flush=True)
ALL = np.concatenate([V, E])
mu = ALL.mean(0)
def centred(x):
    x = x - mu
    return sentvec.quantize(x / np.linalg.norm(x, axis=1, keepdims=True))
idx = Index(ndim=sentvec.DIM, metric="cos", dtype="i8", connectivity=int(os.environ.get("CONN", embed.CONNECTIVITY)), expansion_add=int(os.environ.get("EADD", embed.EXPANSION_ADD)))
t = time.time()
keys = np.arange(len(ALL), dtype=np.uint64)
for a in range(0, len(ALL), 200_000):
    idx.add(keys[a:a + 200_000], centred(ALL[a:a + 200_000]), threads=2)
print("build", round(time.time() - t), "s", flush=True)
doc_of = np.concatenate([docs, -np.ones(len(E), dtype=docs.dtype)])
qs = [q for q in (json.loads(l) for l in open(os.environ.get("EXTRA", "/tmp/handwritten_all.jsonl"))) if q["source"]]
qv = [sentvec.quantize(sentvec.encode(embed.passages(q["text"], per_doc=embed.PER_DOC + 2))) for q in qs]
for ef in (64, 128, 256, 512):
    idx.expansion_search = ef  # type: ignore[misc]  # settable at run time (usearch 2.x)
    hit, times = 0, []
    for q, v in zip(qs, qv):
        t = time.perf_counter()
        m = idx.search(centred(v.astype(np.float32) / 127), 32, threads=1)
        times.append(time.perf_counter() - t)
        ks = [k for k, d in zip(np.atleast_2d(m.keys).ravel(), np.atleast_2d(m.distances).ravel()) if d < 2]
        raw = (ALL[ks] @ (v.astype(np.float32) / 127).T).max(1)
        best: dict[int, float] = {}
        for k, c in zip(ks, raw):
            d = int(doc_of[k])
            best[d] = max(best.get(d, -9), float(c))
        hit += max(best.items(), key=lambda kv: kv[1])[0] == ids[q["source"]]
    print("ef", ef, "recall@1", hit, "/", len(qs), "search ms p50/p95", round(1000 * np.median(times), 2), round(1000 * np.percentile(times, 95), 2), flush=True)
