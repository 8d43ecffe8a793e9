"""Plain data passed between the perception stages (no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Detection:
    """A face found by a detector, in pixel coordinates of the upright RGB image."""

    x1: float
    y1: float
    x2: float
    y2: float
    score: float
    """Detector confidence in [0, 1]."""
    detector: str
    """Name of the detector (or 'mtcnn+haar' when several agreed)."""
    landmarks: np.ndarray | None = None
    """Five (x, y) points: left eye, right eye, nose, left mouth corner, right mouth corner."""

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass
class FaceResult:
    """One detected face with its expression probabilities."""

    detection: Detection
    probs: np.ndarray
    """Shape (7,), in ``emotool.labels.EMOTIONS`` order, sums to 1."""
    confidence: float
    """Calibrated probability that the top label is right."""
    per_model: dict[str, np.ndarray] = field(default_factory=dict)
    """Each classifier's own probabilities (EMOTIONS order), for explanations."""


@dataclass
class FrameResult:
    """Everything the pipeline found in one image or frame."""

    width: int
    height: int
    faces: list[FaceResult]
    """Largest face first."""
    detect_ms: float = 0.0
    classify_ms: float = 0.0
    detector: str = ""
    classifiers: list[str] = field(default_factory=list)
