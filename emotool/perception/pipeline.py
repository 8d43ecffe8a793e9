"""The perception stage end to end: detect faces, cut aligned chips, classify expressions."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import cv2
import numpy as np

from .. import assets
from ..errors import EmotoolError, MediaError, ProcessingError
from ..media.decode import why
from ..schema import ModelInfo
from .detect import AutoDetector, get_detector, order_faces
from .expression import classify_faces, get_classifier
from .types import Detection, FaceResult, FrameResult

#: Detection runs on a working copy of the image whose long side and pixel count are at
#: most these (faces smaller than ``min_face_size`` in the working copy are not found:
#: in a 6000x4000 photo, faces under about 100 px). Measured on a 2-core CPU, the
#: ``auto`` detector costs at most about 1.5 s on a face-free image of this size
#: (upright MTCNN, Haar, two rotated passes).
DETECT_MAX_SIDE = 1280
DETECT_MAX_PIXELS = 1_000_000
#: A working copy whose short side is below this holds no face any detector can find.
DETECT_MIN_SIDE = 12

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
        detect_max_side: long side of the working copy the detector sees.
        detect_max_pixels: pixel count of that working copy.

    Raises:
        UnknownName: an unknown detector or classifier name (the message lists valid ones).
    """

    def __init__(
        self,
        detector: str = "auto",
        classifier: str = "ensemble",
        max_faces: int = 10,
        detect_max_side: int = DETECT_MAX_SIDE,
        detect_max_pixels: int = DETECT_MAX_PIXELS,
    ) -> None:
        if max_faces < 1:
            raise ValueError("max_faces must be at least 1")
        self.detect_max_side = detect_max_side
        self.detect_max_pixels = detect_max_pixels
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
            ProcessingError: OpenCV, torch or TFLite failed on it (e.g. out of memory).
        """
        if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            shape = getattr(rgb, "shape", None)
            dtype = getattr(rgb, "dtype", type(rgb).__name__)
            raise MediaError(f"expected an (H, W, 3) uint8 RGB array, got shape {shape} dtype {dtype}")
        h, w = rgb.shape[:2]
        try:
            return self._analyze(np.ascontiguousarray(rgb), thorough)
        except EmotoolError:
            raise
        except (cv2.error, MemoryError, RuntimeError, ValueError) as exc:
            raise ProcessingError(
                f"face analysis failed on this {w}x{h} image ({why(exc)}); try a smaller or re-encoded image"
            ) from exc

    def detect(self, rgb: np.ndarray, thorough: bool = True) -> list[Detection]:
        """Faces in ``rgb``, found on a working copy no larger than the caps, in ``rgb``'s coordinates."""
        small, (fx, fy) = working_copy(rgb, self.detect_max_side, self.detect_max_pixels)
        if min(small.shape[:2]) < DETECT_MIN_SIDE:
            return []
        if isinstance(self.detector, AutoDetector):
            found = self.detector.detect(small, rotations=thorough)
        else:
            found = self.detector.detect(small)
        if small is rgb:
            return found
        return [scale_detection(d, fx, fy) for d in found]

    def _analyze(self, rgb: np.ndarray, thorough: bool) -> FrameResult:
        h, w = rgb.shape[:2]
        t0 = time.perf_counter()
        dets = order_faces(self.detect(rgb, thorough), w, h)[: self.max_faces]
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


def working_copy(rgb: np.ndarray, max_side: int, max_pixels: int) -> tuple[np.ndarray, tuple[float, float]]:
    """``rgb`` shrunk (area interpolation) so that its long side and pixel count fit.

    Returns:
        The copy (``rgb`` itself when it fits) and the factors ``(fx, fy)`` that map the
        copy's coordinates back onto ``rgb``'s.
    """
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / max(h, w), math.sqrt(max_pixels / (h * w)))
    if scale >= 1.0:
        return rgb, (1.0, 1.0)
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    return cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA), (w / sw, h / sh)


def scale_detection(d: Detection, fx: float, fy: float) -> Detection:
    """A detection with its x coordinates multiplied by ``fx`` and its y coordinates by ``fy``."""
    marks = None
    if d.landmarks is not None:
        marks = np.asarray(d.landmarks, dtype=np.float64) * np.array([fx, fy])
    return replace(d, x1=d.x1 * fx, y1=d.y1 * fy, x2=d.x2 * fx, y2=d.y2 * fy, landmarks=marks)
