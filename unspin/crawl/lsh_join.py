"""Trace flagged pages on Spark by joins against an exported archive (`unspin archive export`):
no archive file on the executors, for archives too large to broadcast (100M articles and up).

The pages' band keys are joined to the archive's (key, doc) table, votes counted by a group-by,
each page's CANDIDATES best documents (most votes, then lowest number: Archive.candidates'
order) joined to their bodies, and every page traced on its executor against those
candidates alone. That is exactly the word-level trace of `scan --db`; only the meaning index's
nearest neighbours (an ANN index, which does not partition) are not looked up, so an archive
with vectors finds translated and paraphrased copies through its LSH candidates only.
"""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from ..archive.export import DOCS, KEYS, MANIFEST
from ..archive.store import Document, ranked
from ..archive.trace import CANDIDATES
from ..errors import UnspinError

PAGE_SCHEMA = "pid long, text string, keys array<long>"


class JoinedArchive:
    """What trace asks of an archive, answered from one page's joined candidates."""

    def __init__(self, cands: Iterable[tuple[int, Document]]):
        cands = list(cands)
        self._votes = {d.n: votes for votes, d in cands}
        self._docs = {d.n: d for _, d in cands}

    def candidates(self, keys: list[int], limit: int = 30) -> list[tuple[int, int]]:
        return ranked(self._votes, limit)

    def get(self, n: int) -> Document | None:
        return self._docs.get(n)

    def vector_extent(self) -> tuple[int, int]:
        return 0, 0  # no meaning index here: embed.search finds nothing

    def record_catch(self, query: str, doc: int, coverage: float) -> None:
        pass  # nowhere to record: the executors hold no archive


def check_export(path: str) -> None:
    for name in (KEYS, DOCS, MANIFEST):
        if not os.path.exists(os.path.join(path, name)):
            raise UnspinError(f"{path}: not an archive export (no {name}); "
                              f"make one with `unspin archive export --db ARCHIVE {path}`")


def trace_pages(spark, pages, export: str):
    """pages: an RDD of (pid, text, band keys). An RDD of (pid, (traced, top_source, relation,
    coverage)); traced is False where tracing the page failed."""
    from pyspark.sql import functions as F
    df = spark.createDataFrame(pages, PAGE_SCHEMA)
    docs = spark.read.parquet(os.path.join(export, DOCS))
    cands = (candidates(spark, df, export).join(docs, "doc").groupBy("pid")
             .agg(F.collect_list(F.struct("votes", "doc", "id", "source", "title", "date", "text"))
                  .alias("cands")))
    return df.select("pid", "text").join(cands, "pid", "left").rdd.mapPartitions(_trace)


def candidates(spark, pages, export: str, limit: int = CANDIDATES):
    """pages: a DataFrame with pid and keys (band keys). Each page's `limit` best documents as
    (pid, doc, votes, rank): Archive.candidates by joins (most shared keys, then lowest number)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    keys = spark.read.parquet(os.path.join(export, KEYS))
    votes = (pages.select("pid", F.explode("keys").alias("key")).join(keys, "key")
             .groupBy("pid", "doc").agg(F.count("*").alias("votes")))
    best = Window.partitionBy("pid").orderBy(F.desc("votes"), F.asc("doc"))
    return votes.withColumn("rank", F.row_number().over(best)).where(F.col("rank") <= limit)


def _trace(rows) -> Iterator[tuple[int, tuple]]:
    from ..archive.trace import trace
    for r in rows:
        arc = JoinedArchive((c["votes"], Document(c["doc"], c["id"], c["source"], c["title"],
                                                  c["date"], c["text"])) for c in r["cands"] or [])
        try:
            ms = trace(r["text"], arc, top=1, record=False)  # type: ignore[arg-type]  # duck-typed Archive
        except Exception:  # as scan: one bad page never stops the job; counted as failed
            yield r["pid"], (False, None, None, None)
            continue
        yield r["pid"], (True, ms[0].id, ms[0].relation, ms[0].coverage) if ms else (True, None, None, None)
