"""Layer 4 of the detector (``classifier``): a small learned classifier on the sentence embedding.

The prototype layer (:mod:`emotool.safety.semantic`) compares a message with a
few dozen written examples; the look-alikes sit only a few hundredths of
similarity away from the risk statements. This layer learns the boundary
instead: an L2-regularised logistic regression whose features are

- the message's embedding (the same encoder as the semantic layer, 512 numbers);
- the lexicon's qualifying signals (negated, idiom, someone else, quoted,
  stated purpose, denial, retraction, "asking for a friend", ideation, farewell,
  method question, a concern hit) -- :data:`SIGNALS`;
- the prototype similarities (crisis examples, and the margin over look-alikes);
- the similarity to the nearest crisis and non-crisis training messages (mean of
  the top 3 each, and their difference).

It is trained on the ``dev`` split of ``benchmarks/crisis_dev.jsonl`` plus the
prototypes by ``benchmarks/train_crisis_head.py``, which chooses the
regularisation and both thresholds by cross-validation on ``dev`` only and
writes ``emotool/safety/data/crisis_head_<encoder>.npz`` (weights, feature
scaling, thresholds, the training embeddings in float16 and the CV figures).
Inference is numpy only (well under a millisecond per message).

A head exists only for the encoder it was trained with; with another encoder
the layer is skipped.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .lexicon import LexiconResult

__all__ = ["SIGNALS", "CrisisHead", "capped", "fit_logistic", "head_path", "load_head", "signals"]

#: The lexicon signals the classifier reads, in order.
SIGNALS: tuple[str, ...] = (
    "concern_hit",
    "negated",
    "idiom",
    "someone_else",
    "quoted",
    "purpose",
    "denial",
    "retraction",
    "asking_for_a_friend",
    "ideation",
    "farewell",
    "method",
    "third_party",
)

#: Neighbours averaged for the nearest-training-message similarities.
K_NEAREST = 3


def third_party(lex: LexiconResult) -> bool:
    """The lexicon read a risk statement as someone else's ("my friend says she wants to die")."""
    if lex.friend_disguise:
        return False
    return any(
        ("third" in h.flags and h.level == "concern") or "about someone else" in h.notes for h in lex.hits
    )


def capped(lex: LexiconResult) -> bool:
    """The lexicon qualified the message (negated, idiom, denial, someone else's, quoted, a stated
    purpose): the embedding layers may then raise it to ``concern`` but not to ``crisis``."""
    return any(h.notes for h in lex.hits) or bool(lex.idioms) or lex.denial or third_party(lex)


def signals(lex: LexiconResult) -> np.ndarray:
    """The lexicon signals of one message as 0/1 floats (order of :data:`SIGNALS`)."""
    notes = " ".join(n for h in lex.hits for n in h.notes)
    flags = set().union(*(h.flags for h in lex.hits)) if lex.hits else set()
    return np.array(
        [
            any(h.level == "concern" for h in lex.hits),
            "negated" in notes,
            bool(lex.idioms),
            "someone else" in notes,
            "quoted" in notes,
            "purpose" in notes,
            lex.denial,
            lex.retraction,
            lex.friend_disguise,
            "ideation" in flags,
            "final" in flags,
            "method" in flags,
            third_party(lex),
        ],
        dtype=np.float64,
    )


def nearest_similarities(
    vectors: np.ndarray, train: np.ndarray, labels: np.ndarray, exclude_self: bool = False
) -> np.ndarray:
    """Mean of the top-k similarities to crisis / non-crisis training messages, and their difference.

    Args:
        vectors: Embeddings, one row per message (L2-normalised).
        train: Training embeddings.
        labels: 1 for a crisis training message, 0 otherwise.
        exclude_self: ``vectors`` is ``train`` (row i is training message i): leave it out.
    """
    v = np.asarray(vectors, dtype=np.float32)
    t = np.asarray(train, dtype=np.float32)
    # a few windows: einsum, not BLAS (faster in one thread than a thread pool waiting for a busy core)
    s = np.einsum("ij,kj->ik", v, t) if len(v) <= 64 else v @ t.T
    if exclude_self:
        np.fill_diagonal(s, -2.0)
    pos = np.where(labels[None, :] == 1, s, -2.0)
    neg = np.where(labels[None, :] == 0, s, -2.0)
    k = K_NEAREST
    p = np.sort(pos, axis=1)[:, -k:].mean(axis=1)
    n = np.sort(neg, axis=1)[:, -k:].mean(axis=1)
    return np.stack([p, n, p - n], axis=1).astype(np.float64)


def features(
    vectors: np.ndarray,
    sigs: np.ndarray,
    crisis_sim: np.ndarray,
    other_sim: np.ndarray,
    nearest: np.ndarray,
) -> np.ndarray:
    """The classifier's raw feature matrix (one row per message)."""
    return np.hstack(
        [
            vectors.astype(np.float64),
            sigs.reshape(len(vectors), -1),
            np.asarray(crisis_sim, dtype=np.float64)[:, None],
            (np.asarray(crisis_sim) - np.asarray(other_sim)).astype(np.float64)[:, None],
            nearest,
        ]
    )


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method, classes weighted to balance.

    Minimises ``0.5 * |w|^2 + c * sum_i weight_i * logloss_i`` (the intercept is not penalised),
    like scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")``. Deterministic.

    Returns:
        The weights and the intercept.
    """
    n, d = x.shape
    pos = float(y.sum())
    sw = np.where(y == 1, n / (2 * max(pos, 1.0)), n / (2 * max(n - pos, 1.0)))
    xa = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    reg = np.ones(d + 1)
    reg[-1] = 0.0
    for _ in range(iters):
        z = xa @ beta
        p = 1.0 / (1.0 + np.exp(-z))
        grad = c * xa.T @ (sw * (p - y)) + reg * beta
        h = c * (xa.T * (sw * p * (1 - p))) @ xa + np.diag(reg + 1e-9)
        step = np.linalg.solve(h, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


@dataclass
class CrisisHead:
    """The trained classifier of one encoder.

    Attributes:
        encoder: Name of the encoder it was trained with.
        weights: Logistic-regression weights over the standardised features.
        bias: Intercept.
        mean: Feature means (standardisation).
        scale: Feature standard deviations (standardisation).
        crisis_threshold: Probability from which a message is a crisis.
        concern_threshold: Probability from which it is a concern.
        train: Training embeddings (float16) for the nearest-message features.
        train_labels: 1 for crisis training messages.
        info: The CV figures and training details, as text.
        regularisation: The ``C`` it was fitted with (chosen by cross-validation).
        sha256: Hash of the file it was read from.
    """

    encoder: str
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    crisis_threshold: float
    concern_threshold: float
    train: np.ndarray
    train_labels: np.ndarray
    info: str = ""
    regularisation: float = 0.0
    sha256: str = ""
    _train32: np.ndarray | None = field(default=None, repr=False)

    def probability(
        self, vectors: np.ndarray, sigs: np.ndarray, crisis_sim: Sequence[float], other_sim: Sequence[float]
    ) -> np.ndarray:
        """Crisis probability of each row of ``vectors`` (all rows share the message's ``sigs``)."""
        if self._train32 is None:
            self._train32 = self.train.astype(np.float32)
        v = np.asarray(vectors, dtype=np.float32)
        near = nearest_similarities(v, self._train32, self.train_labels)
        s = np.tile(np.asarray(sigs, dtype=np.float64).reshape(1, -1), (len(v), 1))
        x = features(v, s, np.asarray(crisis_sim), np.asarray(other_sim), near)
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def level(self, p: float) -> str:
        """``crisis``, ``concern`` or ``none`` for one probability."""
        if p >= self.crisis_threshold:
            return "crisis"
        if p >= self.concern_threshold:
            return "concern"
        return "none"

    def save(self, path: Path) -> None:
        """Write the head as a compressed ``.npz`` (what ``benchmarks/train_crisis_head.py`` ships)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            np.savez_compressed(
                f,
                encoder=np.array(self.encoder),
                weights=self.weights.astype(np.float64),
                bias=np.array(self.bias),
                mean=self.mean.astype(np.float64),
                scale=self.scale.astype(np.float64),
                thresholds=np.array([self.crisis_threshold, self.concern_threshold]),
                train=self.train.astype(np.float16),
                train_labels=self.train_labels.astype(np.int8),
                info=np.array(self.info),
                regularisation=np.array(self.regularisation),
            )

    @classmethod
    def read(cls, data: bytes) -> CrisisHead:
        """Read a head from the bytes of its ``.npz`` file."""
        import io

        z = np.load(io.BytesIO(data), allow_pickle=False)
        return cls(
            encoder=str(z["encoder"]),
            weights=z["weights"],
            bias=float(z["bias"]),
            mean=z["mean"],
            scale=z["scale"],
            crisis_threshold=float(z["thresholds"][0]),
            concern_threshold=float(z["thresholds"][1]),
            train=z["train"],
            train_labels=z["train_labels"].astype(np.int64),
            info=str(z["info"]),
            regularisation=float(z["regularisation"]) if "regularisation" in z.files else 0.0,
            sha256=hashlib.sha256(data).hexdigest(),
        )


def head_path(encoder: str) -> Path:
    """Where the shipped head of ``encoder`` lives in the package."""
    return Path(str(resources.files("emotool.safety") / "data" / f"crisis_head_{encoder}.npz"))


_HEADS: dict[str, CrisisHead | None] = {}
_LOCK = threading.Lock()


def load_head(encoder: str) -> CrisisHead | None:
    """The shipped head of ``encoder`` (read once), or None when there is none for it."""
    with _LOCK:
        if encoder not in _HEADS:
            p = head_path(encoder)
            _HEADS[encoder] = CrisisHead.read(p.read_bytes()) if p.is_file() else None
        return _HEADS[encoder]
