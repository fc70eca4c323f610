"""An archive of original articles and what is done with it.

store (the SQLite file: every SQL statement), readers (text, HTML, JSONL, WARC sources), ingest
(adding them, resumable), fingerprint (LSH band keys), sentvec and embed (the meaning index),
align and meaning (word and sentence alignment), verdict and trace (tracing a copy to its
source), report (the evidence page) and learn (a spinner's substitution table from its copies).

The names below are the archive's public interface: `from unspin import archive;
archive.add("a.db", ["articles/"])`.
"""
from .ingest import add, add_records
from .readers import SUFFIXES, expand
from .store import Archive, Document, IngestStats, Record, stats, using

__all__ = ["Archive", "Document", "IngestStats", "Record", "SUFFIXES", "add", "add_records",
           "expand", "stats", "using"]
