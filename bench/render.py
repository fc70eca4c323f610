"""The benchmark's report: machine facts, the Markdown tables of results/*.md, and the targets
met or missed."""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from metrics import sum_counts

ROOT = Path(__file__).resolve().parent.parent
# The style whose thesaurus the restorer is denied in the "unseen" setting.
HELD_OUT_SOURCE = {"wordnet": "wordnet", "mythes": "mythes", "roget": "aiksaurus"}
TARGETS = {
    "restore_exact_unseen_20": 0.85,
    "untouched_changed_unseen_20": 0.005,
    "det_f1_ge_20": 0.99,
    "det_f1_10": 0.95,
    "det_fpr_clean": 0.01,
    "detect_wps": 2000.0,
    "restore_1000w_s": 15.0,
    "peak_rss_mb": 2000.0,  # 2 GB, decimal
}


def pct(x, digits=1) -> str:
    return "—" if x is None else f"{100 * x:.{digits}f}%"


def num(x, fmt="{:.3f}") -> str:
    return "—" if x is None else fmt.format(x)


def ok(flag) -> str:
    return "—" if flag is None else ("✅" if flag else "❌")


def machine_info() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = None
    commit = ""
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "unspin"],
                               capture_output=True, text=True).stdout.strip()
        if dirty:
            commit += "+dirty(unspin/)"
    except Exception:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(mem, 1) if mem else None,
            "python": platform.python_version(), "commit": commit,
            "torch": _version("torch"), "transformers": _version("transformers")}


def _version(pkg):
    try:
        from importlib.metadata import version
        return version(pkg)
    except Exception:
        return None


def rate_s(r: float) -> str:
    return f"{100 * r:g}%"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def render(res: dict) -> str:
    a = res["args"]
    m = res["machine"]
    L = [f"# unspin benchmark (issue 2){' — QUICK smoke run' if a['quick'] else ''}", "",
         f"`{res['command']}`", "",
         f"- data: Brown press {'reportage' if a['split'] == 'test' else '(reportage, editorial, reviews)'}, **{a['split']}** split"
         f"{' (held out: never tuned on)' if a['split'] == 'test' else ' (dev: tuning allowed)'}, "
         f"~{a['chunk_words']}-word articles; restoration on {res.get('n_restore_docs', 0)} articles "
         f"({res.get('n_restore_words', 0):,} words) per cell; detection on "
         f"{res.get('n_detect_docs', 0)} articles",
         f"- machine: {m['cpu']}, {m['cores']} cores, {m['mem_gib']} GiB; Python {m['python']}, "
         f"torch {m['torch']}; unspin {res.get('unspin_version')} @ {m['commit']}",
         f"- started {res['started']}, took {res.get('elapsed_s', 0):.0f} s", ""]
    restoration = res.get("restoration") or []
    for setting, title in (("unseen", "Restoration — style NOT seen by the restorer (its thesaurus "
                                      "left out of `sources`) — headline"),
                           ("seen", "Restoration — style seen (all sources)")):
        rows = [r for r in restoration if r["setting"] == setting]
        if not rows:
            continue
        L += [f"## {title}", ""]
        names = [n for n in ("unspin", "thesaurus-only", "doing nothing") if n in rows[0]["systems"]]
        header = ["style", "rate", "sources", "gold edits"]
        for n in names:
            header += [f"{n}: restored exactly", f"{n}: untouched changed"]
        header += ["unspin wrong / missed", "unspin words/s"]
        body = []
        for r in rows:
            s = r["systems"]
            held = HELD_OUT_SOURCE.get(r["style"]) if setting == "unseen" else None
            line = [r["style"], rate_s(r["rate"]), f"all but {held}" if held else "all",
                    str(s[names[0]]["gold"])]
            for n in names:
                line += [pct(s[n]["exact_rate"]), pct(s[n]["changed_rate"], 2)]
            u = s.get("unspin")
            line += [f"{pct(u['wrong_rate'])} / {pct(u['missed_rate'])}" if u else "—",
                     num(u and u["words_per_s"], "{:.0f}")]
            body.append(line)
        L += [md_table(header, body), ""]
        bad = [r for r in rows if r["gold_mismatch_docs"] or r["gold_invalid_edits"]]
        if bad:
            L += ["> warning: spin()'s gold edits do not reproduce the original in "
                  + ", ".join(f"{r['style']}@{rate_s(r['rate'])}: {r['gold_mismatch_docs']} docs"
                              f" ({r['gold_invalid_edits']} invalid edits)" for r in bad), ""]
        errs = sum(r["systems"][n].get("errors", 0) for r in rows for n in names)
        inv = sum(r["systems"][n].get("invalid", 0) for r in rows for n in names)
        if errs or inv:
            L += [f"> note: {errs} restore calls raised, {inv} system edits did not match the text "
                  "(dropped)", ""]
    det = res.get("detection")
    if det:
        tp = det["torturephrases"]
        L += [f"## Detection — `detect(deep={det['deep']})`, {det['n_spun_per_cell']} spun vs "
              f"{det['n_clean_per_cell']} clean articles per cell", ""]
        names = ["unspin", "torturephrases-estimator", "doing nothing"]
        header = ["style", "rate"]
        for n in names:
            header += [f"{n}: F1", "AUC", "FPR"]
        body = []
        for c in det["cells"]:
            line = [c["style"], rate_s(c["rate"])]
            for n in names:
                d = c["detectors"].get(n)
                if d is None:
                    line += ["n/a", "n/a", "n/a"]
                else:
                    line += [num(d["f1"]), num(d["auc"]), pct(d["fpr"])]
            body.append(line)
        L += [md_table(header, body), ""]
        fp = det["clean_fpr"]
        L += [f"False positives on all {det['n_clean_all']} clean test articles: unspin "
              f"{pct(fp.get('unspin'))}, torturephrases-estimator "
              f"{pct(fp.get('torturephrases-estimator')) if tp['available'] else 'n/a'}, "
              f"doing nothing {pct(fp.get('doing nothing'))}. unspin verdicts seen: "
              + ", ".join(f"{k or '∅'}={v}" for k, v in sorted(det["verdicts"].items())) + ".", ""]
        if tp["available"]:
            L += [f"torturephrases-estimator {tp['version']}: {tp['phrases']:,} listed phrases, "
                  "substring look-up, offline (list ships in the wheel); spun if ≥ 1 phrase "
                  "found, AUC by phrases per 1,000 words.", ""]
        else:
            L += [f"torturephrases-estimator: **could not run** — {tp['error']}", ""]
    sp = res.get("speed")
    if sp:
        L += ["## Speed and memory (fresh child process, 2 cores)", ""]
        if "error" in sp:
            L += [f"**speed run failed**: {sp['error']}", ""]
        else:
            art = sp["article"]
            rows = [["import unspin", f"{sp['import_s']:.2f} s"],
                    ["first detect() (loads lexicon + 3-gram model)", f"{sp['first_detect_s']:.2f} s"],
                    ["first restore() after it (loads the neural LM)", f"{sp['first_restore_s']:.2f} s"],
                    ["detect, fast path (after warm-up)",
                     f"{sp['detect_fast']['words_per_s']:,.0f} words/s "
                     f"({sp['detect_fast']['words']:,} words)"],
                    [f"restore a ~{art['words']}-word article ({art['style']}, 20%, LM on; "
                     f"median of {art['n']})",
                     f"{art['seconds']:.2f} s (max {art['seconds_max']:.2f} s; "
                     f"{art['words_per_s']:.0f} words/s)"],
                    ["restore during the restoration runs",
                     num(res.get("restore_wps_eval"), "{:.0f} words/s")],
                    ["peak RSS (child: load + detect + restore)", f"{sp['peak_rss_mb']:.0f} MB"],
                    ["peak RSS (whole benchmark process)", f"{res['bench_peak_rss_mb']:.0f} MB"],
                    ["torch threads", str(sp.get("threads"))]]
            L += [md_table(["what", "measured"], rows), ""]
    tg = res.get("targets")
    if tg:
        L += ["## Targets", ""]
        L += [md_table(["target", "measured", "met"],
                       [[t["target"], t["measured"], ok(t["met"])] for t in tg]), ""]
    if res.get("errors"):
        L += ["## Errors (first ones)", ""] + [f"- {e}" for e in res["errors"][:10]] + [""]
    return "\n".join(L)


def targets(res: dict) -> list[dict]:
    out = []
    rest = [r for r in res.get("restoration") or [] if r["setting"] == "unseen"
            and abs(r["rate"] - 0.2) < 1e-9 and "unspin" in r["systems"]]
    if rest:
        tot = sum_counts([r["systems"]["unspin"] for r in rest])  # pooled counts
        worst = min(rest, key=lambda r: r["systems"]["unspin"]["exact_rate"])
        out.append({"target": "unseen style @20%: ≥ 85% restored exactly (all unseen styles pooled; worst style)",
                    "measured": f"{pct(tot['exact_rate'])}; worst {worst['style']} "
                                f"{pct(worst['systems']['unspin']['exact_rate'])}",
                    "met": tot["exact_rate"] >= TARGETS["restore_exact_unseen_20"]})
        out.append({"target": "unseen style @20%: ≤ 0.5% untouched words changed",
                    "measured": pct(tot["changed_rate"], 2),
                    "met": tot["changed_rate"] <= TARGETS["untouched_changed_unseen_20"]})
    det = res.get("detection")
    if det:
        cells = [c for c in det["cells"] if c["detectors"].get("unspin")]
        hi = [c["detectors"]["unspin"]["f1"] for c in cells if c["rate"] >= 0.2 - 1e-9]
        mid = [c["detectors"]["unspin"]["f1"] for c in cells if abs(c["rate"] - 0.1) < 1e-9]
        if hi:
            out.append({"target": "detection F1 ≥ 0.99 at ≥ 20% (worst cell)",
                        "measured": f"{min(hi):.3f}", "met": min(hi) >= TARGETS["det_f1_ge_20"]})
        if mid:
            out.append({"target": "detection F1 ≥ 0.95 at 10% (worst cell)",
                        "measured": f"{min(mid):.3f}", "met": min(mid) >= TARGETS["det_f1_10"]})
        f = det["clean_fpr"].get("unspin")
        if f is not None:
            out.append({"target": "≤ 1% false positives on clean text",
                        "measured": pct(f), "met": f <= TARGETS["det_fpr_clean"]})
    sp = res.get("speed")
    if sp and "error" not in sp:
        w = sp["detect_fast"]["words_per_s"]
        out.append({"target": "detect ≥ 2,000 words/s (fast path)", "measured": f"{w:,.0f}",
                    "met": w >= TARGETS["detect_wps"]})
        s = sp["article"]["seconds"]
        out.append({"target": "restore a 1,000-word article ≤ 15 s (median)",
                    "measured": f"{s:.2f} s (~{sp['article']['words']} words; max "
                                f"{sp['article']['seconds_max']:.2f} s)",
                    "met": s <= TARGETS["restore_1000w_s"]})
        mb = max(sp["peak_rss_mb"], 0)
        out.append({"target": "peak memory ≤ 2 GB (unspin process; 1 GB = 10^9 bytes)",
                    "measured": f"{mb:.0f} MB",
                    "met": mb <= TARGETS["peak_rss_mb"]})
    return out


