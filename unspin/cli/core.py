"""detect / restore / spin / demo: thin layers over unspin.engine.detect, unspin.engine.restore, unspin.simulate.spin."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import UnspinError
from ..inputs import load_document
from .app import app, check_writable, err, out, print_json, write_file

FileArg = typer.Argument(..., help="Input file (.txt, .html, .pdf) or - for standard input.")


@contextmanager
def progress_bar(label: str, unit: str = "suspects"):
    """A callback(done, total, note="") drawing a bar on stderr, counted in `unit` once the
    first call gives the total (no count before it), the note after the count; silent when
    stderr is not a terminal."""
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.fields[count]}"),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, count="")
        yield lambda done, total, note="": bar.update(task, completed=done, total=total,
                                                      count=f"{done:,}/{total:,} {unit}{note}".rstrip())


def _learned(db: Optional[Path]):
    if db is None:
        return None
    if not db.exists():
        raise UnspinError(f"{db}: no such archive")
    from ..archive.learn import load_table
    return load_table(str(db))


@app.command()
def detect(file: str = FileArg,
           as_json: bool = typer.Option(False, "--json", help="Print JSON."),
           deep: bool = typer.Option(False, "--deep", help="Also run the language model (slower, sharper)."),
           workers: int = typer.Option(min(4, os.cpu_count() or 1), "--workers", min=1, max=64,
                                       help="Processes for a long text (over 40,000 words).")):
    """Say whether a text was spun, and flag every suspicious word or phrase."""
    from ..engine.detect import detect as run
    text = load_document(file)
    with progress_bar("detecting", unit="") as tick:
        d = run(text, deep=deep, progress=lambda done, total, unit: tick(done, total, unit),
                workers=workers)
    if as_json:
        print_json(d.to_json())
        return
    colour = {"spun": "bold red", "clean": "bold green"}.get(d.verdict, "bold yellow")
    out.print(f"[{colour}]{d.verdict}[/] spun probability {d.spun_probability:.2f} · "
              f"{len(d.spans)} suspicious spans")
    from ..view import terminal
    from ..text import Edit
    shown = [Edit(f.start, f.end, f.text, f.suggestion or "?", f.confidence) for f in d.spans]
    out.print(terminal(text, shown))


@app.command()
def restore(file: str = FileArg,
            as_json: bool = typer.Option(False, "--json", help="Print JSON."),
            db: Optional[Path] = typer.Option(None, "--db", help="Archive whose learned substitution table to use."),
            no_lm: bool = typer.Option(False, "--no-lm", help="Thesaurus and 3-gram only (fast, weaker)."),
            review: bool = typer.Option(True, "--review/--no-review",
                                        help="End with a review: Gemma 3 270M (where installed) and SmolLM2 read the restored page, and each likely edit is decided again."),
            fast_review: bool = typer.Option(False, "--fast-review",
                                             help="A review in which Gemma alone reads the page again: about a fifth faster, 1-2 points fewer edits restored."),
            html: Optional[Path] = typer.Option(None, "--html", help="Also write an HTML view here."),
            show: bool = typer.Option(False, "--show", help="Print the input with edits marked instead of the plain text.")):
    """Restore the most likely original wording. Plain output keeps the input's line breaks."""
    from ..engine.restore import restore as run
    from ..engine.review import resolve
    if html:
        check_writable(html)
    if fast_review and not review:
        raise UnspinError("--fast-review asks for a review and --no-review for none: give one of them")
    # resolved here, once: a bad $UNSPIN_REVIEW is an error before any work
    how = resolve("fast" if fast_review else review)
    text = load_document(file)
    with progress_bar("restoring") as tick:
        r = run(text, learned=_learned(db), use_lm=not no_lm, review=how, progress=tick)
    if html:
        from ..view import restoration_page
        write_file(html, restoration_page("Restored text", text, r.edits, spin_rate=r.spin_rate, bold=r.bold))
    if as_json:
        print_json(r.to_json())
    elif show:
        from ..view import restoration_summary, terminal
        out.print(terminal(text, r.edits))
        err.print(restoration_summary(len(r.edits), r.spin_rate, r.bold), markup=False)
    else:
        sys.stdout.write(r.text if r.text.endswith("\n") else r.text + "\n")


def _check_style(style: str) -> None:
    from ..simulate.spin import STYLES
    if style not in STYLES:
        raise UnspinError(f"unknown style {style!r}; choose from {', '.join(STYLES)} (see spin --list)")


def _list_styles(value: bool) -> None:
    if value:
        from ..simulate.spin import STYLES
        for name, what in STYLES.items():
            out.print(f"{name:10} {what}", markup=False)
        raise typer.Exit()


@app.command()
def spin(file: str = FileArg,
         style: str = typer.Option("thesaurus", help="Spinner style (see --list)."),
         list_styles: bool = typer.Option(False, "--list", is_eager=True, callback=_list_styles,
                                          help="List the spinner styles and exit."),
         rate: float = typer.Option(0.2, min=0.0, max=1.0, help="Share of words to replace."),
         natural: bool = typer.Option(False, "--natural", help="observed style: rewrite each phrase "
                                      "at the real spinner's own rate for it (instead of --rate)."),
         seed: int = typer.Option(0, help="Random seed: same seed, same output."),
         as_json: bool = typer.Option(False, "--json", help="Print the spun text and ground-truth edits as JSON.")):
    """Spin a text with the built-in simulator (for benchmarks, tests and demos)."""
    from ..simulate.spin import spin as run
    _check_style(style)
    if natural and style != "observed":
        raise UnspinError("--natural needs --style observed (only real spinners' habits have their own rates)")
    text = load_document(file)
    res = run(text, style=style, rate=None if natural else rate, seed=seed)
    if as_json:
        print_json(res.to_json())
    else:
        sys.stdout.write(res.text if res.text.endswith("\n") else res.text + "\n")


@app.command()
def demo(style: str = typer.Option("observed", help="Spinner style for the demo (default: real "
                                   "spinner A's habits, which the built-in table knows; "
                                   "'thesaurus' for a spinner it has never seen)."),
         rate: float = typer.Option(0.2, min=0.0, max=1.0),
         seed: int = typer.Option(1),
         html: Path = typer.Option(Path("out/demo.html"), "--html", help="Where to write the HTML view.")):
    """Spin the embedded seed article, then detect and restore it, and score the result."""
    from ..engine.detect import detect as run_detect
    from ..engine.restore import restore as run_restore
    from ..simulate.spin import spin as run_spin
    from ..view import restoration_page, terminal
    _check_style(style)
    check_writable(html)
    original = resources.files("unspin").joinpath("data/demo_article.txt").read_text(encoding="utf-8")
    spun = run_spin(original, style=style, rate=rate, seed=seed)
    out.rule(f"1. spun by the simulator ({style}, {rate:.0%}, {len(spun.edits)} substitutions)")
    out.print(terminal(original, []) if not spun.edits else escape(spun.text[:1200]) + " …")
    with progress_bar("detecting"):
        d_spun, d_clean = run_detect(spun.text), run_detect(original)
    out.rule("2. detect")
    out.print(f"spun copy: [bold]{d_spun.verdict}[/] (p={d_spun.spun_probability:.2f}, "
              f"{len(d_spun.spans)} spans) · original: [bold]{d_clean.verdict}[/] (p={d_clean.spun_probability:.2f})")
    with progress_bar("restoring") as tick:
        r = run_restore(spun.text, progress=tick)
    out.rule("3. restore (red: spun, green: restored)")
    out.print(terminal(spun.text, r.edits))
    gold = {(e.start, e.end): e.to.lower() for e in spun.edits}
    exact = sum(1 for e in r.edits if gold.get((e.start, e.end)) == e.to.lower())
    wrong = len(r.edits) - exact
    out.rule("4. score against the simulator's ground truth")
    out.print(f"restored exactly: {exact}/{len(gold)} substitutions · edits that were not right: {wrong} · "
              f"restored text identical to the original: {r.text == original}")
    write_file(html, restoration_page("unspin demo: restored seed article", spun.text, r.edits, d_spun.spun_probability,
                                       r.spin_rate, r.bold))
    out.print(f"HTML view: {html}", markup=False)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
          port: int = typer.Option(8000, help="Port."),
          db: Optional[Path] = typer.Option(None, "--db", help="Archive for trace, reports and "
                                            "POST /api/archive (created when documents are added)."),
          workers: int = typer.Option(1, min=1, max=16, help="Jobs run at once (each restore holds "
                                      "the language model busy; memory grows with each)."),
          queue: int = typer.Option(8, min=0, max=1000, help="Jobs that may wait; past that the "
                                    "API answers 503 with Retry-After.")):
    """Serve the web page and the HTTP API (OpenAPI at /docs)."""
    import uvicorn
    from ..engine.review import mode
    from ..server.web import create_app
    mode()  # a bad $UNSPIN_REVIEW is refused at start, not by every restore request
    out.print(f"unspin: serving on http://{host}:{port}/ (API docs at /docs)", markup=False)
    uvicorn.run(create_app(str(db) if db else None, workers=workers, queue=queue),
                host=host, port=port, log_level="warning")
