"""scan: a thin layer over unspin.crawl.scan.scan."""
from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from .app import app, check_writable, out, print_json
from .core import progress_bar


@app.command("scan")
def scan_cmd(paths: List[str] = typer.Argument(..., help=".warc(.gz), .wet(.gz), .jsonl files, folders, "
                                               "or .paths/.txt lists of them (one path a line)."),
             output: Path = typer.Option(..., "-o", "--output", help="Parquet file to write (one row a page)."),
             db: Optional[Path] = typer.Option(None, "--db", help="Archive to trace flagged pages against."),
             workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes (default: one per core)."),
             deep: bool = typer.Option(False, "--deep/--no-deep", help="Also run the language model on "
                                       "pages the fast path finds suspicious (slow)."),
             triage: bool = typer.Option(True, "--triage/--no-triage", help="Clear plainly clean pages "
                                         "with the fast first tier (--no-triage: the detector on every page)."),
             as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON.")):
    """Scan a web crawl for spun pages; a rerun resumes, redoing only unfinished files."""
    from ..crawl.scan import scan
    check_writable(output)
    t0 = time.monotonic()
    resumed: list = []
    with progress_bar("scanning", unit="files") as tick:
        def progress(pages: int, files_done: int, files: int) -> None:
            resumed[:] = resumed or [pages]  # the first call counts what earlier runs scored
            rate = (pages - resumed[0]) / max(time.monotonic() - t0, 1e-9)
            tick(files_done, files, f" · {pages:,} pages · {rate:,.1f} pages/s")
        s = scan(paths, str(output), db=str(db) if db else None, workers=workers,
                 progress=progress, deep=deep, triage=triage)
    if as_json:
        print_json(s.to_json())
        return
    out.print(f"scanned {s.pages_scored:,} pages from {s.files:,} files ({s.files_resumed:,} done "
              f"by an earlier run) · {s.pages_per_s:,.1f} pages/s this run", markup=False)
    out.print(f"records read {s.records_read:,} · pages scored {s.pages_scored:,} · skipped "
              f"{sum(s.skipped.values()):,}" + (f" ({reasons(s.skipped)})" if s.skipped else "")
              + f" · failed {s.failed:,}", markup=False)
    if s.files_skipped:
        out.print(f"inputs skipped: {reasons(s.files_skipped)}", markup=False)
    out.print(f"verdicts: {reasons(s.verdicts) or 'none'}"
              + (f" · cleared by triage {s.triaged:,}" if triage else "")
              + (f" · language model on {s.deep_scored:,}" if deep else "")
              + (f" · traced {s.traced:,}" if db else ""), markup=False)
    out.print(f"wrote {s.rows:,} rows to {output}", markup=False)


def reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items())
