"""The seams between unspin's parts, as typing Protocols: what the engine needs of a lexicon and
of a language model, what tracing needs of an archive, and the progress callbacks.

Any object with these methods fits (the built-in ones are `unspin.lexicon.lexicon.Lexicon`,
`unspin.engine.lm.NeuralLM` / `NGramLM` and `unspin.archive.store.Archive`); tests and other
hosts can pass their own.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Protocol

if TYPE_CHECKING:
    from .archive.store import Document
    from .lexicon.lexicon import Candidate

# progress(done, total): restore's suspects scored so far.
Progress = Callable[[int, int], None]
# progress(done, total, unit): detect's words scanned, then chunks or suspects scored.
UnitProgress = Callable[[int, int, str], None]
# progress(pages scored, files done, files): a crawl scan.
ScanProgress = Callable[[int, int, int], None]


class LexiconLike(Protocol):
    """Candidates both ways: what a spinner could have replaced, and what it could put in."""

    sources: tuple[str, ...]
    max_phrase_len: int

    def is_key(self, phrase: str) -> bool: ...

    def is_entry(self, phrase: str) -> bool: ...

    def originals(self, phrase: str) -> list[Candidate]: ...

    def synonyms(self, word: str, sources=None, pos: str | None = None,
                 tag: str | None = None, inflect: bool = True) -> list[str]: ...

    def related(self, a: str, b: str) -> bool: ...

    def fanout(self, word: str) -> int: ...

    def spun_weight(self, phrase: str) -> float: ...

    def swap_odds(self, phrase: str, count: float) -> float: ...

    def written_capitalised(self, phrase: str) -> bool: ...


class NGramModel(Protocol):
    """The cheap screen: log-probabilities of words given the two before them."""

    def logp(self, word: str, hist: tuple[str, ...] = ()) -> float: ...

    def window(self, words: list[str], lo: int, hi: int) -> float: ...


class LanguageModel(Protocol):
    """The neural model the restorer scores candidates with."""

    def encode(self, text: str) -> list[int]: ...

    def cut_logprobs(self, groups: list[tuple[list[int], list[tuple[int, list[int]]]]],
                     batch_tokens: int = 4096, bucket: int = 192,
                     kv_tokens: int = 3072) -> list[list[float]]: ...

    def expected_words(self, texts: list[str], positions: list[list[int]],
                       k: int = 40) -> list[list[list[str]]]: ...

    def first_token_logprobs(self, texts: list[str], positions: list[list[int]],
                             options: list[list[list[str]]]) -> list[list[list[float]]]: ...


class ArchiveLike(Protocol):
    """What tracing, the report and learning read from (and record in) an archive."""

    def get(self, n: int) -> Document | None: ...

    def get_id(self, doc_id: str) -> Document | None: ...

    def candidates(self, keys: list[int], limit: int = 30) -> list[tuple[int, int]]: ...

    def record_catch(self, query: str, doc: int, coverage: float) -> None: ...

    def catches(self) -> Iterator[tuple[str, int, float]]: ...
