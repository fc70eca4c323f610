"""Detection speed on long texts (issue 9): `unspin detect FILE --json` as users run it.

    .venv/bin/python bench/detect_speed.py                       # 0.3, 1 and 5 MB
    .venv/bin/python bench/detect_speed.py --mb 5 --json out.json

The text: Brown dev-split articles of every genre, cut at ~300 words, every other one spun
with real spinners' habits (spinner A's observed table at 0.2), joined until the size is
reached (5 MB, the input limit, is about 830,000 words: nearly all the dev split). Each run
is a fresh process (cold caches, models loaded, as a user's first call); wall time, the CPU
time of the process and its workers, and the peak resident memory of the largest process.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build_text(size: int) -> str:
    """At most `size` UTF-8 bytes of Brown dev text, half the articles spun (deterministic)."""
    import corpus
    from unspin.simulate.spin import spin
    cats = sorted(set(corpus.categories(str(corpus.corpus_dir())).values()))
    out, n = [], 0
    for k, d in enumerate(corpus.documents(",".join(cats), "dev", chunk_words=300)):
        t = spin(d.text, style="observed", rate=0.2, seed=k).text if k % 2 else d.text
        if n + len(t.encode()) + 2 > size:
            break
        out.append(t)
        n += len(t.encode()) + 2
    if n < 0.9 * size:
        raise SystemExit(f"the dev split holds only {n:,} bytes of text")
    return "\n\n".join(out)


def run(path: Path, workers: int | None) -> dict:
    exe = Path(sys.executable).with_name("unspin")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    more = [] if workers is None else ["--workers", str(workers)]
    p = subprocess.run([str(exe), "detect", str(path), "--json", *more], capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise SystemExit(p.stderr.decode()[-2000:])
    d = json.loads(p.stdout)
    return {"wall_s": round(wall, 1),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "peak_rss_mb": round(after.ru_maxrss / 1024), "spans": len(d["spans"]),
            "chunks": len(d["chunks"]), "spun_probability": d["spun_probability"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", default="0.3,1,5", help="sizes in MB (10^6 bytes), comma-separated")
    ap.add_argument("--workers", default="", help="also run with these --workers values (e.g. 1)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(x) for x in a.mb.split(",")):
            path = Path(tmp) / f"text_{mb:g}mb.txt"
            text = build_text(int(mb * 1e6))
            path.write_text(text, encoding="utf-8")
            words = len(text.split())
            for w in [None] + [int(x) for x in a.workers.split(",") if x]:
                r = run(path, w)
                rows.append({"mb": mb, "bytes": len(text.encode()), "words": words,
                             "workers": "default" if w is None else w, **r})
                print(rows[-1], file=sys.stderr, flush=True)
    print(f"{os.cpu_count()} cores\n")
    print("| size | words | workers | wall | CPU | words/s (wall) | peak RSS | spans |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['bytes'] / 1e6:.2f} MB | {r['words']:,} | {r['workers']} | {r['wall_s']} s | "
              f"{r['cpu_s']} s | {r['words'] / r['wall_s']:,.0f} | {r['peak_rss_mb']:,} MB | {r['spans']:,} |")
    if a.json:
        a.json.write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
