"""Baselines that the benchmark runs side by side with unspin.

* ``NothingDetector`` / ``nothing_restore``: doing nothing (every document "clean", no edits).
* ``TorturePhrasesDetector``: the PyPI package ``torturephrases-estimator`` (module
  ``TorturePhrases_Estimator``, v4.0), a list look-up detector. Its API is
  ``TorturePhrasesEstimator().identify_tortured_phrases(text) -> (found_phrases, count)``:
  a case-insensitive *substring* search of the text for each of the ~147,500 lines of its
  bundled ``tortured_phrases_list.txt`` (phrases from "tortured phrases" in machine-paraphrased
  science papers, e.g. "profound learning"; a line like "X AND Y" is matched literally, as the
  package does). It needs no network: the list ships in the wheel. It gives a count, no
  threshold, so the benchmark calls a document spun when at least one listed phrase occurs,
  and ranks documents (for ROC AUC) by matches per 1,000 words.
  The list is loaded once (the package's module-level ``identify_tortured_phrases`` reloads
  it on every call; the result is the same).
* The thesaurus-only restorer is ``unspin.restore(..., use_lm=False)`` and lives in run.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocScore:
    score: float          # higher = more likely spun (used for ROC AUC)
    spun: bool            # the detector's decision (used for F1 / FPR)
    detail: dict = field(default_factory=dict)


class NothingDetector:
    name = "doing nothing"
    note = "always 'clean'"
    available = True

    def score(self, text: str) -> DocScore:
        return DocScore(0.0, False)


class TorturePhrasesDetector:
    name = "torturephrases-estimator"
    note = "list look-up; spun if >= 1 listed phrase; offline (list ships in the wheel)"

    def __init__(self):
        self.available = False
        self.error = ""
        try:
            from TorturePhrases_Estimator.torture_phrases import TorturePhrasesEstimator
        except Exception as e:  # not installed: the table says so
            self.error = f"not installed ({type(e).__name__}: {e}); run scripts/bench-setup.sh"
            return
        try:
            self._est = TorturePhrasesEstimator()
            self.n_phrases = len(self._est.tortured_phrases)
            self.available = True
        except Exception as e:
            self.error = f"failed to load its list ({type(e).__name__}: {e})"

    @staticmethod
    def version() -> str:
        try:
            from importlib.metadata import version
            return version("TorturePhrases_Estimator")
        except Exception:
            return "?"

    def score(self, text: str) -> DocScore:
        found, count = self._est.identify_tortured_phrases(text)
        n_words = max(1, len(text.split()))
        return DocScore(1000.0 * count / n_words, count >= 1, {"found": found[:20], "count": count})


def nothing_restore(text: str):
    """The 'doing nothing' restorer: no edits."""
    return []
