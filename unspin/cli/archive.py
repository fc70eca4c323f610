"""archive add/stats/embed/export, trace, report, learn: thin layers over unspin.archive, .trace,
.report and .learn."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from .app import app, check_writable, err, out, print_json, write_file

archive_app = typer.Typer(help="Build and inspect the archive of your own articles.", no_args_is_help=True)
app.add_typer(archive_app, name="archive")

DbOpt = typer.Option(..., "--db", help="Archive file (SQLite).")


@archive_app.command("add")
def archive_add(paths: List[str] = typer.Argument(..., help=".txt, .html, .jsonl, .warc(.gz) files or directories."),
                db: str = DbOpt,
                no_vectors: bool = typer.Option(False, "--no-vectors",
                                                help="Word index only: faster ingest, but translated and "
                                                     "paraphrased copies are not found (add later with `archive embed`).")):
    """Ingest articles and index them (words and meaning); a rerun skips what is done and
    resumes an interrupted file."""
    from .. import archive
    files = list(archive.expand(paths))
    total = sum(os.path.getsize(f) for f in files)
    with Progress(TextColumn("ingesting"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        st = archive.add(db, files, progress=lambda nbytes, _path: bar.advance(task, nbytes),
                         warn=lambda msg: err.print(f"unspin: warning: {msg}", markup=False),
                         vectors=not no_vectors)
    out.print(f"added {st.added} documents · {st.duplicates} exact duplicates · "
              f"{st.conflicts} id conflicts · {st.skipped_files} files already done")


@archive_app.command("stats")
def archive_stats(db: str = DbOpt, as_json: bool = typer.Option(False, "--json", help="Print JSON.")):
    """Documents, files, vectors, caught copies and size of the archive."""
    from .. import archive
    s = archive.stats(db)
    if as_json:
        print_json(s)
        return
    for k, v in s.items():
        out.print(f"{k.replace('_', ' ')}: {v:,}")


@archive_app.command("embed")
def archive_embed(db: str = DbOpt):
    """Add the meaning index (multilingual vectors) for articles that lack it; resumable."""
    from .. import archive
    from ..archive import embed
    with archive.Archive(db) as a:
        todo = len(a) - a.stats()["documents_with_vectors"]
        with Progress(TextColumn("embedding"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeRemainingColumn(), console=err, transient=True) as bar:
            task = bar.add_task("embed", total=todo)
            n = embed.embed_archive(a, progress=lambda k: bar.advance(task, k))
    out.print(f"embedded {n} documents")


@archive_app.command("export")
def archive_export(out_dir: str = typer.Argument(..., help="Directory to write (an earlier export there is replaced)."),
                   db: str = DbOpt):
    """Write the archive as Parquet (its LSH index and its articles) for the Spark job's
    --join, which traces against it without the archive file."""
    from .. import archive
    from ..archive.export import export
    with archive.Archive(db, readonly=True) as a:
        total = len(a) + a.band_key_count()
    with Progress(TextColumn("exporting"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} rows"),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("export", total=total)
        r = export(db, out_dir, progress=lambda k: bar.advance(task, k))
    out.print(f"exported {r['documents']:,} documents and {r['keys']:,} index rows to {escape(out_dir)}"
              + (f" ({r['keys_dropped']:,} rows of over-shared keys left out)" if r["keys_dropped"] else ""))


@app.command("trace")
def trace_cmd(file: str = typer.Argument(..., help="Suspect text (.txt, .html, .pdf) or - for standard input."),
              db: str = DbOpt,
              as_json: bool = typer.Option(False, "--json", help="Print JSON."),
              top: int = typer.Option(5, "--top", min=1, max=100, help="How many sources to list."),
              passages: int = typer.Option(5, "--passages", min=0, help="Aligned passages of the best source to show.")):
    """Find which archived article a spun, paraphrased or partial copy came from."""
    from ..inputs import read_input
    from ..archive.trace import trace
    text = read_input(file)
    ms = trace(text, db, top=top)
    if as_json:
        print_json({"matches": [m.to_json() for m in ms]})
        return
    if not ms:
        out.print("no source found in the archive")
        return
    for i, m in enumerate(ms, 1):
        colour = "bold red" if m.relation == "copy" else "yellow"
        # id, title and all article text are untrusted: escaped for rich markup.
        out.print(f"{i}. [{colour}]{m.relation}[/] coverage {m.coverage:.0%} score {m.score:.2f}  "
                  f"{escape(m.id)}  {escape(m.title or '')}".rstrip(), markup=True)
        if m.reasons:
            for line in m.reasons.why:
                out.print(f"   - {line}", markup=False)
        if i == 1 and m.passages:
            src = _source_text(db, m.doc)
            for k, p in enumerate(m.passages[:passages], 1):
                out.print(f"   [{k}] {p.kind} {p.similarity:.2f}", markup=False)
                out.print(f"       suspect: {_clip(text[p.query_start:p.query_end])}", markup=False)
                if src is not None:
                    out.print(f"       source:  {_clip(src[p.source_start:p.source_end])}", markup=False)
            if len(m.passages) > passages:
                out.print(f"   ... {len(m.passages) - passages} more passages (--json or `unspin report`)",
                          markup=False)


def _source_text(db: str, n: int) -> str | None:
    from ..archive.store import Archive
    with Archive(db) as a:
        d = a.get(n)
    return d.text if d else None


def _clip(s: str, width: int = 110) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[:width - 1] + "\u2026"


@app.command("report")
def report_cmd(file: str = typer.Argument(..., help="Suspect text (.txt, .html, .pdf) or - for standard input."),
               db: str = DbOpt,
               output: Path = typer.Option(Path("report.html"), "-o", "--output", help="HTML file to write."),
               no_lm: bool = typer.Option(False, "--no-lm", help="Restore without the language model (fast).")):
    """Write a self-contained HTML report: suspect and source side by side, with the evidence."""
    from ..archive.report import report
    from ..inputs import read_input
    check_writable(output)
    write_file(output, report(read_input(file), db, use_lm=not no_lm))
    out.print(f"report: {output}", markup=False)


@app.command("learn")
def learn_cmd(db: str = DbOpt):
    """Learn the spinner's substitutions from every copy trace has confirmed."""
    from ..archive.learn import learn
    r = learn(db)
    out.print(f"learned {r.pairs} substitutions ({r.distinct} distinct) from {r.copies} caught copies")
