"""Calibration constants, fitted on the dev split by bench/calibrate.py (never the held-out split).

Falls back to hand-set defaults when the fitted file is absent, so a fresh checkout still works.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from operator import mul

DEFAULTS = {
    # P(candidate is the original) = sigmoid(w . edits.features + bias); with and without the LM
    "edit": {"bias": -4.0, "weights": {"gain": 0.6, "prior": 0.5, "dlen": -1.5, "margin": 0.3,
                                       "src_habit": 3.0, "src_learned": 4.0}},
    "edit_ngram": {"bias": -5.0, "weights": {"gain": 0.5, "prior": 0.5, "dlen": -1.5,
                                             "margin": 0.3, "src_habit": 3.0, "src_learned": 4.0}},
    "decide_at": 0.5,
    # The first-stage models that estimate a document's spin rate (no rate features).
    "edit_first": {"bias": -4.0, "weights": {"gain": 0.6, "prior": 0.5, "dlen": -1.5,
                                             "src_habit": 3.0, "table": 1.0}},
    "edit_ngram_first": {"bias": -5.0, "weights": {"gain": 0.5, "prior": 0.5, "dlen": -1.5,
                                                   "src_habit": 3.0, "table": 1.0}},
    # P(document spun) = sigmoid(w . features + bias), per path
    "detect": {
        "fast": {"bias": -4.0, "weights": {"strong_rate": 40.0, "habit_rate": 60.0,
                                           "article_rate": 80.0, "oov_rate": 10.0,
                                           "fluency": -0.3}},
        "deep": {"bias": -4.0, "weights": {"edit_rate": 60.0, "strong_rate": 20.0,
                                           "habit_rate": 60.0, "fluency": -0.2}},
    },
    "span": [0.8, -1.6],
}


@lru_cache(maxsize=1)
def params() -> dict:
    try:
        fitted = json.loads(resources.files("unspin").joinpath("data/calibration.json").read_text())
    except (FileNotFoundError, ValueError):
        return DEFAULTS
    merged = dict(DEFAULTS)
    merged.update(fitted)
    return merged


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def logistic(model: dict, f: dict[str, float]) -> float:
    """A fitted logistic model's probability: sigmoid(bias + weights . f), a missing feature 0.
    The one scorer of the edit models (restore) and the document models (detect)."""
    get = f.get
    return sigmoid(model["bias"] + sum(map(mul, model["weights"].values(),
                                           [get(k, 0.0) for k in model["weights"]])))
