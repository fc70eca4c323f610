"""Calibration constants, fitted on the dev split by bench/tune.py (never the held-out split),
and the scorer of the fitted models (logistic, or boosted trees for the decision with the LM).

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
                                       "src_habit": 3.0, "src_observed": 4.0}},
    "edit_ngram": {"bias": -5.0, "weights": {"gain": 0.5, "prior": 0.5, "dlen": -1.5,
                                             "margin": 0.3, "src_habit": 3.0, "src_observed": 4.0}},
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
    """A fitted logistic model's probability: sigmoid(bias + weights . f), a missing feature 0."""
    get = f.get
    return sigmoid(model["bias"] + sum(map(mul, model["weights"].values(),
                                           [get(k, 0.0) for k in model["weights"]])))


def predict_columns(model: dict, cols: dict) -> list[float]:
    """predict() over feature columns (name -> numpy array, a missing one 0). A logistic
    model takes the same sums in the same order and the same sigmoid, so each value equals
    logistic()'s to the bit."""
    import numpy as np
    n = len(next(iter(cols.values())))
    if "trees" in model:
        zero = np.zeros(n)
        return _walk(model, np.column_stack([cols.get(k, zero) for k in model["features"]]))
    acc = np.zeros(n)
    for k, w in model["weights"].items():
        acc = acc + w * (cols[k] if k in cols else 0.0)
    return [sigmoid(model["bias"] + z) for z in acc.tolist()]


def predict(model: dict, f: dict[str, float]) -> float:
    """A fitted model's probability for one feature dict: the one scorer of the edit models
    (restore) and the document models (detect), logistic or boosted trees."""
    return predict_many(model, [f])[0] if "trees" in model else logistic(model, f)


def predict_many(model: dict, fs: list[dict[str, float]]) -> list[float]:
    """predict() for many feature dicts at once (trees are walked for all of them together)."""
    if "trees" not in model:
        return [logistic(model, f) for f in fs]
    if not fs:
        return []
    import numpy as np
    return _walk(model, np.array([[f.get(n, 0.0) for n in model["features"]] for f in fs],
                                 dtype=float))


def _walk(model: dict, X) -> list[float]:
    """A boosted-trees model's probabilities for the rows of X (its features' order)."""
    import numpy as np
    t = _trees(id(model), model)
    rows = np.arange(len(X))[:, None]
    node = np.broadcast_to(t["roots"], (len(X), len(t["roots"])))
    for _ in range(t["depth"]):
        go_left = X[rows, t["feature"][node]] <= t["threshold"][node]
        node = np.where(t["leaf"][node], node, np.where(go_left, t["left"][node], t["right"][node]))
    z = np.clip(model["baseline"] + t["value"][node].sum(axis=1), -60.0, 60.0)
    return (1.0 / (1.0 + np.exp(-z))).tolist()


_TREES: dict[int, dict] = {}


def _trees(key: int, model: dict) -> dict:
    """A boosted-trees model's nodes as flat arrays (every tree's nodes one after another;
    a leaf's feature is 0 and it points to itself), built once per model."""
    t = _TREES.get(key)
    if t is None or t["model"] is not model:  # the entry holds its model, so the id stays its own
        if len(_TREES) > 8:
            _TREES.clear()
        import numpy as np
        t = {k: np.asarray(model["nodes"][k], dtype=float if k in ("threshold", "value") else int)
             for k in ("feature", "threshold", "left", "right", "value")}
        t["leaf"] = np.asarray(model["nodes"]["leaf"], dtype=bool)
        t["roots"] = np.asarray(model["trees"], dtype=int)
        t["depth"] = int(model["depth"])
        t["model"] = model
        _TREES[key] = t
    return t
