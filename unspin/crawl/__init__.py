"""Crawls at scale: WARC/WET/JSONL pages (pages), a first-tier triage, the per-file scan to
Parquet (scan) and the same job on PySpark (spark)."""
