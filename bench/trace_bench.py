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
import re
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

# ---- vocabulary -----------------------------------------------------------------------------

_POS = {"noun": """officials authorities|police officers|building structure|fire blaze|company firm
deal agreement|plan proposal scheme|people residents|city town|area region district|report statement
problem issue|increase rise|decline drop|meeting session|vote ballot|election poll|court tribunal
lawyer attorney|money funds|price cost|job post|worker employee|children kids|car vehicle|road street
house home|study research|doctor physician|hospital clinic|school academy|leader chief|group team
country nation|law rule|market exchange|storm tempest|rain downpour|damage harm|injury wound
trial hearing|project venture|crowd throng|protest demonstration""",
        "verb": """said stated|announced declared|began started|ended finished|rose climbed|fell dropped
helped assisted|asked requested|showed revealed|found discovered|built constructed|bought purchased
sold traded|died perished|warned cautioned|decided resolved|expected anticipated|planned intended
reported noted|received obtained|needed required|tried attempted|used employed|gave provided
opened launched|closed shut|moved relocated|caused triggered|hit struck|left departed""",
        "adj": """big large|small little|new fresh|old former|important significant|serious grave
quick fast|strong powerful|major key|local regional|early initial|recent latest|huge massive
angry furious|happy pleased|difficult hard|clear obvious|possible potential|public open|final last
main principal""",
        "adv": "quickly rapidly|recently lately|nearly almost|probably likely|finally eventually|clearly plainly"}
_GROUPS = {k: [g.split() for g in v.replace("\n", "|").split("|")] for k, v in _POS.items()}
NOUNS, VERBS, ADJS, ADVS = (_GROUPS[k] for k in ("noun", "verb", "adj", "adv"))
SYN = NOUNS + VERBS + ADJS + ADVS
SYN_OF = {w: g for g in SYN for w in g}
FIRST = ("James Mary Robert Linda Michael Sarah David Karen Daniel Nancy Paul Lisa Mark Helen Steven "
         "Laura Kevin Anna Brian Emma Jason Olivia Eric Grace Adam Chloe Ryan Alice Peter Julia Omar "
         "Priya Chen Yuki Ahmed Fatima Lars Ingrid Pablo Lucia Ivan Nadia Kofi Amara Raj Mei").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
        "Walker Hall Allen Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell "
        "Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy "
        "Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kim Patel Singh Nakamura Okafor Novak "
        "Kowalski Larsen Berg Rossi Moreau Dubois Schmidt Weber Fischer Ivanova Sato Tanaka").split()
CITIES = ("Springfield Riverton Lakeside Fairview Greenville Bristol Salem Madison Clinton Franklin "
          "Georgetown Arlington Ashland Burlington Dover Hudson Kingston Lexington Milton Newport "
          "Oxford Richmond Auburn Dayton Jackson Marion Chester Winchester Camden Preston Hamilton "
          "Carlisle Durham Ely Halifax Lancaster Norwich Perth Stirling Truro Wells York Aspen Boulder "
          "Cedar Denton Elgin Fresno Gilbert Irvine").split()
ORGS = "Council Bank Group Industries Holdings Authority Institute Partners Union Systems Energy Motors".split()
DET = ["the", "the", "the", "a", "this", "its", "their", "one", "another"]
PREP = ["in", "at", "on", "after", "before", "during", "with", "for", "near", "across", "under", "over"]
CONJ = ["and", "but", "while", "because", "although", "as", "since", "after", "before", "when"]
AUX = ["", "", "", "has ", "had ", "will ", "would ", "could ", "may ", "did not "]
SLOT_NP = ["{P1}", "{P2}", "{P3}", "{C}", "{O}", "the {O}", "{N1} {noun}", "{N2} {noun}"]


def _w(group, rng):
    return rng.choice(group)


def _np(rng, slots=0.25):
    if rng.random() < slots:
        s = rng.choice(SLOT_NP)
        return s.replace("{noun}", _w(rng.choice(NOUNS), rng))
    adj = (_w(rng.choice(ADJS), rng) + " ") if rng.random() < 0.4 else ""
    det = rng.choice(DET)
    if det in ("a", "one", "another") and adj[:1] in "aeiou" and adj:
        det = "the"
    np_ = f"{det} {adj}{_w(rng.choice(NOUNS), rng)}"
    if rng.random() < 0.2:
        np_ += f" of {rng.choice(['{C}', '{O}', 'the ' + _w(rng.choice(NOUNS), rng)])}"
    return np_


def _clause(rng):
    adv = (_w(rng.choice(ADVS), rng) + " ") if rng.random() < 0.2 else ""
    c = f"{_np(rng)} {rng.choice(AUX)}{adv}{_w(rng.choice(VERBS), rng)} {_np(rng)}"
    for _ in range(rng.choice([0, 1, 1, 2])):
        c += f" {rng.choice(PREP)} {_np(rng, 0.35)}"
    return c


def skeleton(rng) -> str:
    r = rng.random()
    if r < 0.15:
        s = f"{rng.choice(['{P1}', '{P2}', '{P3}'])} {_w(SYN_OF['said'], rng)} that {_clause(rng)}"
    elif r < 0.25:
        s = f"{rng.choice(PREP).capitalize()} {_np(rng, 0.4)}, {_clause(rng)}"
    elif r < 0.45:
        s = f"{_clause(rng)} {rng.choice(CONJ)} {_clause(rng)}"
    elif r < 0.55:
        s = f"{_clause(rng)}, {rng.choice(['{P1}', '{P2}', '{O}'])} {_w(SYN_OF['said'], rng)}"
    else:
        s = _clause(rng)
    s = s[0].upper() + s[1:]
    return s + "."


class Generator:
    def __init__(self, seed=7, pool=30000):
        self.rng = random.Random(seed)
        self.pool = [skeleton(self.rng) for _ in range(pool)]

    def event(self):
        r = self.rng
        ppl = [f"{r.choice(FIRST)} {r.choice(LAST)}" for _ in range(3)]
        ev = {"P1": ppl[0], "P2": ppl[1], "P3": ppl[2], "C": r.choice(CITIES),
              "O": f"{r.choice(LAST)} {r.choice(ORGS)}", "N1": str(r.randint(3, 900)),
              "N2": f"{r.randint(1, 99)},{r.randint(100, 999)}", "N3": str(r.randint(1990, 2025))}
        q = self.rng.choice(self.pool).format(**ev).rstrip(".")
        ev["quote"] = f"\u201c{q},\u201d {ev['P1']} said."
        return ev

    def article(self, ev, quote_p=0.7) -> tuple[str, str]:
        r = self.rng
        n = r.randint(22, 30)
        sents = [s.format(**ev) for s in r.sample(self.pool, n)]
        if r.random() < quote_p:
            sents.insert(r.randint(1, n - 1), ev["quote"])
        # first sentence names the event's place and people: as real leads do
        sents[0] = f"{ev['C'].upper()} \u2014 {ev['P1']} of the {ev['O']} {_w(SYN_OF['said'], r)} on " \
                   f"{r.choice(['Monday', 'Tuesday', 'Friday'])} that {sents[0][0].lower()}{sents[0][1:]}"
        paras = [" ".join(sents[i:i + 3]) for i in range(0, len(sents), 3)]
        title = f"{ev['O']} and {ev['P1']}: {r.choice(NOUNS)[0]} in {ev['C']}"
        return title, "\n\n".join(paras)


# ---- query makers ---------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+")
FUNC_SYN = {"because": "since", "about": "around", "after": "following", "near": "close to",
            "while": "whereas", "before": "prior to", "during": "throughout"}


def spin(text: str, rate: float, rng, table=None) -> str:
    """Replace `rate` of the spinnable words with a synonym (built-in groups or `table`)."""
    def sub(m):
        w = m.group()
        low = w.lower()
        if table is not None:
            if low not in table or rng.random() >= rate:
                return w
            rep = table[low]
        elif low in SYN_OF and rng.random() < rate:
            rep = rng.choice([x for x in SYN_OF[low] if x != low])
        elif low in FUNC_SYN and rng.random() < rate / 4:  # real spinners touch a few of these
            rep = FUNC_SYN[low]
        else:
            return w
        return rep[0].upper() + rep[1:] if w[0].isupper() else rep
    return _WORD.sub(sub, text)


def private_spinner(seed=99) -> dict[str, str]:
    """A spinner whose choices no thesaurus shares: each word maps to a fixed odd substitute."""
    rng = random.Random(seed)
    words = sorted(SYN_OF)
    odd = ["bigly", "smallish", "newish", "folk", "biz", "grub", "kin", "gizmo", "outfit", "doodad"]
    return {w: rng.choice(odd) + w for w in words}  # one-to-one, unknown to any thesaurus


_SENT = re.compile(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c])")


def paraphrase(text: str, rng) -> str:
    sents = [s for s in _SENT.split(text.replace("\n\n", " ")) if s]
    out = []
    adjs = {w for g in ADJS + ADVS for w in g}
    for s in sents:
        s = spin(s, 0.4, rng)
        # rewording beyond synonyms: drop modifiers, change determiners
        s = _WORD.sub(lambda m: "" if m.group() in adjs and rng.random() < 0.3 else
                      rng.choice(["a", "this", "that"]) if m.group() == "the" and rng.random() < 0.25
                      else m.group(), s).replace("  ", " ")
        m = re.search(r" (in|at|on|after|before|during|near) ([^,.]+)\.$", s)
        if m and rng.random() < 0.4 and not s.startswith("\u201c"):  # front the trailing phrase
            s = f"{m.group(1).capitalize()} {m.group(2)}, {s[0].lower()}{s[1:m.start()]}."
        if ", but " in s and rng.random() < 0.5:  # split
            a, b = s.split(", but ", 1)
            out += [a + ".", "But " + b]
            continue
        out.append(s)
    for i in range(0, len(out) - 1, 2):  # reorder neighbours
        if rng.random() < 0.3:
            out[i], out[i + 1] = out[i + 1], out[i]
    merged = []
    for s in out:  # merge some short neighbours
        if merged and rng.random() < 0.15 and merged[-1].endswith(".") and s[:1].isupper():
            merged[-1] = merged[-1][:-1] + "; " + s
        else:
            merged.append(s)
    return " ".join(merged)


def partial(text: str, rng) -> str:
    sents = _SENT.split(text.replace("\n\n", " "))
    k = max(3, len(sents) // 3)
    i = rng.randint(0, len(sents) - k)
    return " ".join(sents[i:i + k])


# ---- corpus ---------------------------------------------------------------------------------

CLUSTERS = 300      # events with many articles each: the hard distractors
PER_CLUSTER = 8


def corpus(gen: Generator, start: int, stop: int, clusters: list[dict]):
    """Documents [start, stop) of one deterministic stream: clusters first, then filler."""
    ncl = len(clusters) * PER_CLUSTER
    for i in range(start, stop):
        gen.rng.seed(1_000_003 * i)  # document i is the same whatever range asked for it
        ev = clusters[i // PER_CLUSTER] if i < ncl else gen.event()
        title, text = gen.article(ev)
        yield {"id": f"doc{i}", "url": f"https://news.example/{i}", "title": title, "text": text}


def write_corpus(path, gen, start, stop, clusters):
    with open(path, "w") as f:
        for d in corpus(gen, start, stop, clusters):
            f.write(json.dumps(d) + "\n")


def make_queries(gen: Generator, clusters, n_per=30, seed=5):
    """(kind, query text, source id or None, event index); sources are cluster articles."""
    rng = random.Random(seed)
    src_gen = Generator.__new__(Generator)
    src_gen.pool, src_gen.rng = gen.pool, random.Random()
    texts = {}
    for d in corpus(gen, 0, len(clusters) * PER_CLUSTER, clusters):
        texts[d["id"]] = d["text"]
    ids = sorted(texts, key=lambda s: int(s[3:]))
    qs = []
    for rate in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        for _ in range(n_per):
            i = rng.choice(ids)
            qs.append((f"spun {int(rate * 100)}%", spin(texts[i], rate, rng), i))
    for _ in range(n_per * 2):
        i = rng.choice(ids)
        qs.append(("paraphrase", paraphrase(texts[i], rng), i))
    for _ in range(n_per * 2):
        i = rng.choice(ids)
        qs.append(("partial", partial(spin(texts[i], 0.2, rng), rng), i))
    for _ in range(n_per * 2):
        c = rng.randrange(len(clusters))
        gen.rng.seed(rng.random())
        qs.append(("related", gen.article(clusters[c])[1], None))
    return qs, texts


# ---- baselines ------------------------------------------------------------------------------

def _word_shingles(text, k):
    w = _WORD.findall(text.lower())
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
