"""OpenCV's Haar cascade face detector (Viola-Jones), behind the detector Protocol."""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np

from .. import assets
from .types import Detection

_CASCADE: Any = None
_LOCK = threading.Lock()


def load_cascade() -> Any:
    """The frontal-face cascade, loaded once per process."""
    global _CASCADE
    with _LOCK:
        if _CASCADE is None:
            from ..config import cpu_threads

            cv2.setNumThreads(cpu_threads())
            cascade = cv2.CascadeClassifier(str(assets.path("haar-frontalface")))
            if cascade.empty():  # pragma: no cover - only with a corrupt file that passed the checksum
                raise RuntimeError("OpenCV could not load the Haar cascade")
            _CASCADE = cascade
    return _CASCADE


def haar_boxes(
    gray: np.ndarray, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Run the cascade on a gray image.

    Returns:
        Boxes (N, 4) as ``x1, y1, x2, y2`` and the cascade's level weights (N,), a
        rough confidence (about 0-10; higher is surer).
    """
    rects, _levels, weights = load_cascade().detectMultiScale3(
        gray,
        scaleFactor=scale_factor,
        minNeighbors=min_neighbors,
        minSize=(min_size, min_size),
        flags=cv2.CASCADE_SCALE_IMAGE,
        outputRejectLevels=True,
    )
    if len(rects) == 0:
        return np.zeros((0, 4)), np.zeros(0)
    r = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    boxes = np.stack([r[:, 0], r[:, 1], r[:, 0] + r[:, 2], r[:, 1] + r[:, 3]], axis=1)
    return boxes, np.asarray(weights, dtype=np.float64).ravel()


def weight_to_score(weight: np.ndarray) -> np.ndarray:
    """Map cascade level weights onto [0, 1] with a logistic curve centred on 2.

    On faces-dev, true faces have weights of about 2-10 and the false positives seen on
    face-free photos (scikit-image's coins) about 2-3.5, so this is a rank, not a
    calibrated probability.
    """
    return 1.0 / (1.0 + np.exp(-(np.asarray(weight, dtype=np.float64) - 2.0)))


class HaarDetector:
    """Haar cascade on the gray image (fast; misses turned and small faces, some false positives).

    Args:
        scale_factor: pyramid step of ``detectMultiScale``.
        min_neighbors: overlapping hits needed to accept a face (higher = fewer false positives).
        min_size: smallest face side in pixels.
    """

    name = "haar"

    def __init__(self, scale_factor: float = 1.1, min_neighbors: int = 5, min_size: int = 30) -> None:
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size

    def warmup(self) -> None:
        """Load the cascade."""
        load_cascade()

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces in an (H, W, 3) uint8 RGB image, unordered."""
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        boxes, weights = haar_boxes(gray, self.scale_factor, self.min_neighbors, self.min_size)
        scores = weight_to_score(weights)
        return [
            Detection(float(b[0]), float(b[1]), float(b[2]), float(b[3]), float(s), self.name)
            for b, s in zip(boxes, scores, strict=True)
        ]
