"""An archive of original articles and what is done with it: the SQLite store and ingest (store),
fingerprints, the meaning index (sentvec, embed), alignment (align, meaning), tracing a copy to
its source (trace, verdict), the evidence report (report) and learning a spinner's table (learn)."""
