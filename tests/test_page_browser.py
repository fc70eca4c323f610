"""The real page in headless Chromium (Debian's `chromium`, driven by Playwright), against a real
server on loopback with a small archive: what a user sees, not what the API returns.

Skipped when Chromium or Playwright is missing (scripts/setup.sh installs both when root).
UNSPIN_SCREENSHOTS=DIR writes the screenshots the README shows into DIR.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pw = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")]
SHOTS = os.environ.get("UNSPIN_SCREENSHOTS")


@pytest.fixture(scope="module")
def site(tmp_path_factory, seed_text):
    """(base URL, the source article, its spun copy with the spinner's edits)."""
    from unspin.server import api
    from unspin.server.web import create_app
    from unspin.simulate.spin import spin
    d = tmp_path_factory.mktemp("site")
    db = str(d / "a.db")
    paras = [p for p in seed_text.split("\n\n") if len(p.split()) > 30]
    source = "\n\n".join(paras[:4])
    api.add_documents(db, [{"id": "seed-1", "text": source, "title": "<b>Seed</b> article [/b]"}])
    spun = spin(source, style="observed", rate=0.25, seed=1)
    with live_server(create_app(db, workers=1, queue=4)) as url:
        yield url, source, spun


@pytest.fixture(scope="module")
def browser():
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(site[0] + "/")
    pg.wait_for_selector("#trace:not([hidden])")  # health said there is an archive
    yield pg
    ctx.close()
    assert not errors, errors


def _shot(pg, name: str) -> None:
    """What the viewport shows, the result scrolled into view (small JPEGs for the README)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.evaluate("() => document.getElementById('result').scrollIntoView()")
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.jpg"), type="jpeg", quality=70)


def _detect(pg, text: str) -> None:
    pg.fill("#text", text)
    _press_detect(pg)


def _press_detect(pg) -> None:
    """Detect on what the text box holds, pressed with the keyboard, not a mouse click."""
    pg.focus("#detect")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#summary h2:has-text('Detection')", timeout=60_000)


def test_spun_copy_is_highlighted_where_the_spinner_edited_even_after_emoji(page, site):
    _, _, spun = site
    text = "\U0001F1EC\U0001F1E7 \U0001F4F0 " + spun.text  # a flag and a newspaper before the text
    _detect(page, text)
    assert "spun" in page.inner_text("#summary")
    assert page.is_visible("#legend") and "0.9" in page.inner_text("#legend")
    marks = page.eval_on_selector_all("#columns button.span", "bs => bs.map(b => b.textContent)")
    assert len(marks) >= 5
    # The highlights are where the API's spans are: the page sliced the right characters.
    api_spans = page.evaluate("""async t => (await (await fetch('/api/detect', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({text: t})})).json())
        .spans.filter(s => s.painted).map(s => s.text)""", text)
    assert marks == api_spans
    # ... and mostly on the spinner's own edits.
    shift = len("\U0001F1EC\U0001F1E7 \U0001F4F0 ")
    edited = [(e.start + shift, e.end + shift) for e in spun.edits]
    spans = page.evaluate("""async t => (await (await fetch('/api/detect', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({text: t})})).json())
        .spans.filter(s => s.painted).map(s => [s.start, s.end])""", text)
    hits = sum(any(a < e and s < b for s, e in edited) for a, b in spans)
    assert hits / len(spans) >= 0.85, (hits, len(spans))
    page.click("#columns button.span")
    assert "confidence" in page.inner_text("#detail")
    _shot(page, "detect-spun")


def test_clean_article_is_left_unpainted(page, site, seed_text):
    _detect(page, seed_text)
    assert "clean" in page.inner_text("#summary")
    assert page.eval_on_selector_all("#columns button.span", "bs => bs.length") == 0
    page.check("#show-all")  # the suspects are there for whoever asks
    assert page.eval_on_selector_all("#columns button.span.c-none", "bs => bs.length") > 0
    page.uncheck("#show-all")
    _shot(page, "detect-clean")


def test_untrusted_text_is_never_markup(page):
    evil = ("<img src=x onerror=\"document.title='pwned'\"> The chief government mentioned the corporate "
            "expects income to rise subsequent yr, in keeping with a new report <script>alert(1)</script>.")
    _detect(page, evil)
    assert page.eval_on_selector_all("#columns img, #columns script", "x => x.length") == 0
    assert "<img src=x" in page.inner_text("#columns") and page.title() == "unspin"


def test_restore_shows_progress_and_cancel_stops_the_server_work(page, site):
    _, _, spun = site
    page.fill("#text", spun.text)
    page.click("#restore")  # with the language model: long enough to watch and cancel
    page.wait_for_selector("#busy:not([hidden])")
    page.wait_for_selector("#bar-text:has-text('running')", timeout=60_000)
    page.click("#cancel")
    page.wait_for_selector("#status:has-text('Cancelled')", timeout=60_000)
    assert page.is_hidden("#busy") and page.is_enabled("#restore")
    health = page.evaluate("async () => (await fetch('/api/health')).json()")
    assert health["jobs"]["running"] == 0 and health["jobs"]["cancelled"] >= 1


def test_restored_text_side_by_side_with_clickable_edits(page, site):
    _, _, spun = site
    page.fill("#text", spun.text)
    page.check("#fast")
    page.click("#restore")
    page.wait_for_selector("#summary h2:has-text('Restoration')", timeout=120_000)
    assert page.eval_on_selector_all("#columns .col", "cs => cs.filter(c => !c.hidden).length") == 2
    n = page.eval_on_selector_all("#columns button.edit.to", "bs => bs.length")
    assert n >= 3
    page.click("#columns button.edit.to")
    assert "confidence" in page.inner_text("#detail")
    _shot(page, "restore")
    page.check("input[name=view][value=restored]")
    assert page.eval_on_selector_all("#columns .col", "cs => cs.filter(c => !c.hidden).length") == 1


def test_trace_and_report_download(page, site):
    _, source, spun = site
    page.fill("#text", spun.text)
    page.click("#trace")
    page.wait_for_selector("#summary h2:has-text('Trace')", timeout=120_000)
    assert "copy" in page.inner_text("#columns") and "seed-1" in page.inner_text("#columns")
    assert "<b>Seed</b>" in page.inner_text("#columns")  # the archived title, shown literally
    pairs = page.eval_on_selector_all("#columns .pair", "ps => ps.length")
    assert pairs >= 2
    _shot(page, "trace")
    page.check("#fast")
    page.click("#report")
    page.wait_for_selector("#summary a[download]", timeout=120_000)
    with page.expect_download() as dl:
        page.click("#summary a[download]")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Source report" in html and "&lt;b&gt;Seed&lt;/b&gt;" in html


def test_readable_on_a_phone(browser, site, seed_text):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = ctx.new_page()
    pg.goto(site[0] + "/")
    pg.fill("#text", site[2].text)
    pg.click("#detect")
    pg.wait_for_selector("#summary h2:has-text('Detection')", timeout=60_000)
    wide = pg.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 376).map(e => e.tagName + '#' + e.id + '.' + e.className)""")
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= 375 + 1, wide  # no sideways scrolling
    _shot(pg, "phone")
    ctx.close()


def test_dropped_html_file_is_read_as_its_article_text(page, site):
    """A .html file dropped on the page: the server extracts the article (no script, no
    navigation), the text box gets it, and detection paints the spinner's edits."""
    _, _, spun = site
    paras = "".join(f"<p>{p}</p>" for p in spun.text.split("\n\n"))
    html = (f"<html><head><title>Copy</title><script>var secret = 'not article text';</script></head>"
            f"<body><nav>Home | World | Sport</nav><article><h1>A spun copy</h1>{paras}</article>"
            f"<footer>All rights reserved</footer></body></html>")
    # What a drag from the file manager delivers: a drop event carrying a File.
    page.evaluate("""html => {
        const dt = new DataTransfer();
        dt.items.add(new File([html], 'copy.html', {type: 'text/html'}));
        const drop = document.getElementById('drop');
        drop.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        drop.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", html)
    page.wait_for_selector("#status:has-text('copy.html: ')", timeout=30_000)
    text = page.input_value("#text")
    first = spun.text.split("\n\n")[0]
    assert first.split(".")[0] in text
    assert "not article text" not in text and "All rights reserved" not in text
    _press_detect(page)
    assert "spun" in page.inner_text("#summary")
    assert page.eval_on_selector_all("#columns button.span", "bs => bs.length") >= 5


def test_file_chosen_with_the_keyboard_is_read(page, site):
    """The drop zone is a button for keyboard users: Enter opens the file chooser."""
    _, _, spun = site
    # Headless Chromium now and then drops the native chooser a script's click opens (a known
    # Playwright flake), so the test counts the clicks Enter sends to the file input instead of
    # waiting for the dialog, then chooses the file through that input.
    page.evaluate("() => { window.chooserClicks = 0; document.getElementById('file')"
                  ".addEventListener('click', e => { window.chooserClicks++; e.preventDefault(); }); }")
    page.focus("#drop")
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    assert page.evaluate("() => window.chooserClicks") == 2
    page.set_input_files("#file", {"name": "copy.txt", "mimeType": "text/plain", "buffer": spun.text.encode()})
    page.wait_for_selector("#status:has-text('copy.txt: ')", timeout=30_000)
    assert page.input_value("#text").strip() == spun.text.strip()
