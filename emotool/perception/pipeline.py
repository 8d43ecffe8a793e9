"""The perception stage end to end: detect faces, cut aligned chips, classify expressions."""

from __future__ import annotations

import time

import cv2
import numpy as np

from .. import assets
from ..errors import MediaError
from ..schema import ModelInfo
from .detect import AutoDetector, get_detector, order_faces
from .expression import classify_faces, get_classifier
from .types import FaceResult, FrameResult

_DETECTOR_ASSETS = {
    "haar": ("haar-frontalface",),
    "mtcnn": ("mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet"),
    "auto": ("mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "haar-frontalface"),
}


class FacePipeline:
    """Find the faces in an image and read their expressions.

    Example:
        >>> pipe = FacePipeline()
        >>> result = pipe.analyze(rgb)          # (H, W, 3) uint8 RGB
        >>> result.faces[0].probs               # EMOTIONS order, sums to 1

    Args:
        detector: a name from ``emotool.perception.detect.DETECTORS`` (default ``auto``).
        classifier: a name from ``emotool.perception.expression.CLASSIFIERS``
            (default ``ensemble``).
        max_faces: at most this many faces, the most prominent, are classified and returned.

    Raises:
        UnknownName: an unknown detector or classifier name (the message lists valid ones).
    """

    def __init__(self, detector: str = "auto", classifier: str = "ensemble", max_faces: int = 10) -> None:
        if max_faces < 1:
            raise ValueError("max_faces must be at least 1")
        self.detector_name = detector
        self.classifier_name = classifier
        self.detector = get_detector(detector)
        self.classifier = get_classifier(classifier)
        self.max_faces = max_faces

    def warmup(self) -> None:
        """Load every model and run the whole pipeline once, so the next call is fast."""
        self.detector.warmup()
        self.classifier.warmup()
        self.analyze(np.zeros((64, 64, 3), dtype=np.uint8))

    def model_infos(self) -> list[ModelInfo]:
        """The models this pipeline uses, with their roles and licenses."""
        out = [
            ModelInfo(name=a, role="detector", license=assets.get(a).license)
            for a in _DETECTOR_ASSETS.get(self.detector_name, ())
        ]
        out += [
            ModelInfo(name=a, role="classifier", license=assets.get(a).license)
            for a in self.classifier.assets
        ]
        return out

    def analyze(self, rgb: np.ndarray, thorough: bool = True) -> FrameResult:
        """Faces (most prominent first) and their expression probabilities.

        Args:
            rgb: an upright (H, W, 3) uint8 RGB image.
            thorough: when no face is found upright, let the ``auto`` detector search
                again with the image rotated (costs several passes on face-free images;
                video turns it off, where a tilted head is usually upright a frame later).

        Returns:
            A FrameResult; ``faces`` is empty when no face was found.

        Raises:
            MediaError: the array is not an (H, W, 3) uint8 image.
        """
        if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            shape = getattr(rgb, "shape", None)
            dtype = getattr(rgb, "dtype", type(rgb).__name__)
            raise MediaError(f"expected an (H, W, 3) uint8 RGB array, got shape {shape} dtype {dtype}")
        h, w = rgb.shape[:2]
        rgb = np.ascontiguousarray(rgb)
        t0 = time.perf_counter()
        if isinstance(self.detector, AutoDetector):
            found = self.detector.detect(rgb, rotations=thorough)
        else:
            found = self.detector.detect(rgb)
        dets = order_faces(found, w, h)[: self.max_faces]
        t1 = time.perf_counter()
        faces: list[FaceResult] = []
        if dets:
            gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            probs, per = classify_faces(self.classifier, gray, dets)
            for i, d in enumerate(dets):
                p = probs[i] / probs[i].sum()
                faces.append(
                    FaceResult(
                        detection=d,
                        probs=p,
                        confidence=float(p.max()),
                        per_model={k: v[i] for k, v in per.items()},
                    )
                )
        t2 = time.perf_counter()
        return FrameResult(
            width=w,
            height=h,
            faces=faces,
            detect_ms=(t1 - t0) * 1e3,
            classify_ms=(t2 - t1) * 1e3,
            detector=self.detector_name,
            classifiers=[m.name for m in getattr(self.classifier, "members", [self.classifier])],
        )
