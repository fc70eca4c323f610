# Two entry points for a fresh machine: `make demo` and `make test`. Both set up first.
# UNSPIN_WITH_SPARK=1 make setup also installs PySpark and a Java runtime (python -m unspin.crawl.spark).
.PHONY: setup demo test test-fast lint bench clean
setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/unspin demo

# Everything, slow tests included: what CI runs (.ci/run). Its set-up also installs PySpark and
# a Java runtime, so the Spark job's tests (rows equal to scan's, the LSH join) run too.
test:
	@UNSPIN_WITH_SPARK=1 bash scripts/setup.sh
	@$(MAKE) -s lint
	@.venv/bin/python -m pytest -q -x

# The quick loop while working: tests that neither load the language model nor take over 5 s.
test-fast: setup lint
	@.venv/bin/python -m pytest -q -x -m "not slow"

lint:
	@.venv/bin/ruff check -q unspin bench tests scripts
	@.venv/bin/mypy

bench: setup
	@bash scripts/bench-setup.sh
	@.venv/bin/python bench/run.py

clean:
	rm -rf .venv .cache
