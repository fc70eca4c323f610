# Two entry points for a fresh machine: `make demo` and `make test`. Both set up first.
# UNSPIN_WITH_SPARK=1 make setup also installs PySpark and a Java runtime (python -m unspin.crawl.spark).
.PHONY: setup demo test bench clean
setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/unspin demo

test: setup
	@.venv/bin/ruff check -q unspin bench tests scripts
	@.venv/bin/python -m pytest -q -x

bench: setup
	@bash scripts/bench-setup.sh
	@.venv/bin/python bench/run.py

clean:
	rm -rf .venv .cache
