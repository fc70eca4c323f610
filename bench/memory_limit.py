"""How much memory restore needs: `unspin restore FILE --json` under a hard memory limit.

    sudo .venv/bin/python bench/memory_limit.py                     # full review at 2.0, 1.8, 1.6 GB
    sudo .venv/bin/python bench/memory_limit.py --modes full,fast,off --limits 2.0,1.8,1.6,1.4 \\
        --json bench/results/memory_limit.json --markdown bench/results/memory_limit.md

Peak resident memory (the speed benchmark's figure) counts the model files' pages the process
has read, which the kernel keeps while memory is plentiful and drops, clean, when it is not;
so a process's peak RSS says little about the memory it needs. This runs restore as a user does
(a fresh `unspin restore` on the speed benchmark's 1,045-word article, spun by spinner A's
observed habits at 0.2) inside a memory cgroup with a hard limit, the page cache dropped first so
that the model files it reads count against the limit too. A run passes when it exits cleanly
with the unconstrained run's output and takes at most --slower times its time; a run the limit
starves either thrashes (re-reading the models from disk: stopped at that bound) or is killed.

Needs root and a cgroup memory controller (v1 at /sys/fs/cgroup/memory, or v2); it says so and
exits otherwise. Never part of CI.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

V1 = Path("/sys/fs/cgroup/memory")
V2 = Path("/sys/fs/cgroup")
MODES = ("full", "fast", "off")


class Cgroup:
    """A memory cgroup with a hard limit (v1 or v2), made for one run and removed after."""

    def __init__(self, path: Path, v2: bool, limit: int):
        self.path, self.v2 = path, v2
        path.mkdir()
        (path / ("memory.max" if v2 else "memory.limit_in_bytes")).write_text(str(limit))

    @classmethod
    def make(cls, name: str, limit: int) -> "Cgroup":
        if (V1 / "memory.limit_in_bytes").exists():
            return cls(V1 / name, False, limit)
        controllers = V2 / "cgroup.controllers"
        if controllers.exists() and "memory" in controllers.read_text().split():
            return cls(V2 / name, True, limit)
        raise SystemExit("no cgroup memory controller here (/sys/fs/cgroup/memory or cgroup v2)")

    def enter(self) -> None:
        """Move the calling process into the group (run in the child before exec)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def facts(self) -> dict:
        stat = read_stat((self.path / "memory.stat").read_text())
        if self.v2:
            events = read_stat((self.path / "memory.events").read_text())
            peak = self.path / "memory.peak"
            return {"peak_bytes": int(peak.read_text()) if peak.exists() else None,
                    "major_faults": stat.get("pgmajfault"), "oom_kills": events.get("oom_kill", 0)}
        oom = read_stat((self.path / "memory.oom_control").read_text())
        return {"peak_bytes": int((self.path / "memory.max_usage_in_bytes").read_text()),
                "major_faults": stat.get("total_pgmajfault", stat.get("pgmajfault")),
                "oom_kills": oom.get("oom_kill", 0)}

    def remove(self) -> None:
        try:
            self.path.rmdir()
        except OSError:
            pass


def read_stat(text: str) -> dict[str, int]:
    """A cgroup key-value file ("name value" lines) as a dict; lines that are not such pairs are
    skipped."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def verdict(rc: int | None, same: bool, seconds: float, bound: float, oom_kills: int) -> str:
    """What a run under a limit came to: "ok", "different output", "killed", "thrashed" or
    "failed" (rc None: stopped at the time bound)."""
    if rc is None:
        return "thrashed"
    if oom_kills or rc in (137, -9):
        return "killed"
    if rc:
        return "failed"
    if not same:
        return "different output"
    return "ok" if seconds <= bound else "thrashed"


def drop_page_cache() -> None:
    """Write dirty pages out and drop the clean page cache, so the run reads its files afresh."""
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def article() -> str:
    """The speed benchmark's article (bench/run.py --speed-child --quick): the test split's
    1,000-word press article, spun with spinner A's observed habits at 0.2."""
    from run import speed_articles
    from unspin.simulate.spin import spin
    return speed_articles(spin, "test", "observed", 1)[0][1]


TIME = Path("/usr/bin/time")  # GNU time reports the child's own peak RSS (%M, KiB)


def run_once(path: Path, mode: str, group: Cgroup | None, timeout: float) -> dict:
    exe = Path(sys.executable).with_name("unspin")
    env = dict(os.environ, UNSPIN_REVIEW=mode)
    peak_file = path.with_suffix(".peak")
    peak_file.unlink(missing_ok=True)
    wrap = [str(TIME), "-f", "%M", "-o", str(peak_file)] if TIME.exists() else []

    def child() -> None:  # its own process group (so a stop reaches the wrapper's child), in the cgroup
        os.setsid()
        if group:
            group.enter()
    drop_page_cache()
    t = time.perf_counter()
    p = subprocess.Popen([*wrap, str(exe), "restore", str(path), "--json"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=child)
    try:
        out, err = p.communicate(timeout=timeout)
        rc: int | None = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
    seconds = time.perf_counter() - t
    text = None
    if rc == 0:
        try:
            text = json.loads(out)["text"]
        except (ValueError, KeyError):
            text = None
    try:
        peak_mb: int | None = round(int(peak_file.read_text().split()[-1]) * 1024 / 1e6)
    except (OSError, ValueError, IndexError):
        peak_mb = None
    return {"rc": rc, "seconds": round(seconds, 1), "text": text, "peak_rss_mb": peak_mb,
            "stderr_tail": err.decode(errors="replace")[-300:] if rc else ""}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limits", default="2.0,1.8,1.6", help="hard limits in GB (10^9 bytes)")
    ap.add_argument("--modes", default="full", help="reviews to run: full, fast, off")
    ap.add_argument("--repeat", type=int, default=1, help="runs at each limit")
    ap.add_argument("--slower", type=float, default=1.5,
                    help="a run slower than this times the unconstrained one thrashed")
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args(argv)
    modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    if any(m not in MODES for m in modes):
        ap.error(f"--modes: choose from {', '.join(MODES)}")
    try:
        limits = [float(x) for x in a.limits.split(",")]
    except ValueError:
        ap.error("--limits: numbers of GB, e.g. 2.0,1.8")
    if not limits or any(not 0 < x < 1e4 for x in limits):
        ap.error("--limits: each a positive number of GB, e.g. 2.0,1.8")
    if a.repeat < 1:
        ap.error("--repeat: at least 1")
    if os.geteuid() != 0:
        raise SystemExit("needs root: it makes memory cgroups and drops the page cache")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "article.txt"
        path.write_text(article())
        words = len(path.read_text().split())
        rows = []
        for mode in modes:
            free = run_once(path, mode, None, 3600)
            if free["rc"] != 0:
                raise SystemExit(f"unconstrained restore failed ({mode}): {free['stderr_tail']}")
            rows.append({"mode": mode, "limit_gb": None, "verdict": "ok", "seconds": free["seconds"],
                         "peak_rss_mb": free["peak_rss_mb"]})
            print(f"{mode} review, no limit: {free['seconds']} s", file=sys.stderr, flush=True)
            bound = a.slower * free["seconds"]
            for gb, k in ((gb, k) for gb in limits for k in range(a.repeat)):
                group = Cgroup.make(f"unspin-bench-{os.getpid()}-{mode}-{gb}-{k}", int(gb * 1e9))
                try:
                    r = run_once(path, mode, group, bound)
                    facts = group.facts()
                finally:
                    group.remove()
                v = verdict(r["rc"], r["text"] == free["text"], r["seconds"], bound, facts["oom_kills"])
                rows.append({"mode": mode, "limit_gb": gb, "verdict": v, "seconds": r["seconds"],
                             "rc": r["rc"], "peak_rss_mb": r["peak_rss_mb"], **facts})
                print(f"{mode} review, {gb} GB: {v} in {r['seconds']} s "
                      f"({facts['major_faults']} major faults)", file=sys.stderr, flush=True)
    res = {"command": "sudo .venv/bin/python bench/memory_limit.py " + " ".join(argv or sys.argv[1:]),
           "words": words, "slower": a.slower, "runs": rows}
    table = render(res)
    print(table)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1) + "\n")
    if a.markdown:
        Path(a.markdown).write_text(table)
    return 0


def render(res: dict) -> str:
    lines = [f"`unspin restore` on a {res['words']:,}-word spun article, a fresh process each run, "
             "the page cache dropped first. A run is ok when it gives the unconstrained run's "
             f"output in at most {res['slower']} times its time.", "",
             "| review | memory limit | result | seconds | peak RSS | major page faults |",
             "|---|---|---|---|---|---|"]
    for r in res["runs"]:
        limit = "none" if r["limit_gb"] is None else f"{r['limit_gb']:.1f} GB"
        peak = f"{r['peak_rss_mb']:,} MB" if r.get("peak_rss_mb") else "-"
        faults = f"{r['major_faults']:,}" if r.get("major_faults") is not None else "-"
        lines.append(f"| {r['mode']} | {limit} | {r['verdict']} | {r['seconds']} | {peak} | {faults} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
