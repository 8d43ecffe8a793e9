"""Face detectors behind one Protocol and a registry keyed by name.

* ``haar``: OpenCV's Haar cascade (fast, frontal faces only, some false positives);
* ``mtcnn``: our torch implementation of the MTCNN cascade (finds small and turned
  faces, gives five landmarks used to align faces before classification);
* ``auto`` (default): MTCNN, plus Haar proposals that MTCNN missed, each confirmed by
  MTCNN's O-Net before it is kept. Two detectors that fail differently raise recall,
  and the O-Net check keeps Haar's false positives (textures, coins) out.

Detectors return faces unordered; :func:`order_faces` puts the most prominent
(largest, most central) first. torch is imported only when an MTCNN-based detector
is first used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from .haar import HaarDetector, haar_boxes
from .registry import Registry
from .types import Detection


@runtime_checkable
class FaceDetector(Protocol):
    """What every face detector offers."""

    name: str

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces in an (H, W, 3) uint8 RGB image, in any order."""
        ...

    def warmup(self) -> None:
        """Load the model(s) so that the first real call is fast."""
        ...


def _to_detections(result: object, name: str) -> list[Detection]:
    boxes, scores, marks = result.boxes, result.scores, result.landmarks  # type: ignore[attr-defined]
    return [
        Detection(float(b[0]), float(b[1]), float(b[2]), float(b[3]), float(s), name, landmarks=lm.copy())
        for b, s, lm in zip(boxes, scores, marks, strict=True)
    ]


class MTCNNDetector:
    """MTCNN (P-Net, R-Net, O-Net) with landmarks.

    Args:
        min_face_size: smallest face side in pixels searched for.
        thresholds: face-probability thresholds of the three stages.
    """

    name = "mtcnn"

    def __init__(self, min_face_size: int = 20, thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7)):
        from .mtcnn import MTCNN

        self._mtcnn = MTCNN(min_face_size=min_face_size, thresholds=thresholds)

    def warmup(self) -> None:
        """Load the three networks and run them once."""
        self._mtcnn.detect(np.zeros((64, 64, 3), dtype=np.uint8))

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces with five landmarks each."""
        return _to_detections(self._mtcnn.detect(rgb), self.name)


class AutoDetector:
    """MTCNN plus O-Net-verified Haar proposals (the default).

    Haar boxes that overlap no MTCNN face are re-scored by O-Net, which also refines the
    box and supplies landmarks. A proposal backed by the cascade needs a lower O-Net
    probability (``verify_threshold``) than a face found by MTCNN alone, because two
    independent detectors agree on it; a Haar box O-Net does not accept is dropped.

    The cascade costs more than MTCNN on a 2-core CPU, so by default it runs only when
    MTCNN found no face (``haar_always=False``); set ``haar_always=True`` to also look
    for extra faces MTCNN missed in crowded pictures, at about twice the cost.

    MTCNN and the cascade both miss heads tilted by more than about 25 degrees. When the
    upright pass finds nothing, the image is searched again rotated by each angle of
    ``tilt_angles`` (MTCNN only) and the faces found are mapped back. This costs time only
    on images where no face was found.

    Args:
        min_face_size: smallest face side in pixels searched for by MTCNN.
        verify_threshold: O-Net probability a Haar proposal needs.
        haar_min_neighbors: the cascade's ``minNeighbors``; lenient, since O-Net verifies.
        haar_always: run the cascade on every image, not only when MTCNN finds nothing.
        tilt_angles: in-plane rotations (degrees) tried when the upright pass finds no face.
        tilt_threshold: O-Net probability a face from a rotated pass needs. Stricter than
            the upright pass (0.7): every extra pass is another chance to invent a face, and
            on scikit-image's cat and deep-field photos rotated passes gave 0.76-0.82, while
            tilted faces from faces-dev mostly score above 0.95.
        tilt_max_pixels: the rotated canvas is shrunk to at most this many pixels (a
            rotated image's bounding canvas is up to twice the image's area).
    """

    name = "auto"

    def __init__(
        self,
        min_face_size: int = 20,
        verify_threshold: float = 0.5,
        haar_min_neighbors: int = 3,
        tilt_angles: tuple[float, ...] = (35.0, -35.0),
        tilt_threshold: float = 0.9,
        haar_always: bool = False,
        tilt_max_pixels: int = 1_000_000,
    ):
        from .mtcnn import MTCNN

        self._mtcnn = MTCNN(min_face_size=min_face_size)
        self.verify_threshold = verify_threshold
        self.haar_min_neighbors = haar_min_neighbors
        self.tilt_angles = tilt_angles
        self.tilt_threshold = tilt_threshold
        self.haar_always = haar_always
        self.tilt_max_pixels = tilt_max_pixels

    def warmup(self) -> None:
        """Load MTCNN and the cascade and run them once."""
        HaarDetector().warmup()
        self.detect(np.zeros((64, 64, 3), dtype=np.uint8))

    def detect(self, rgb: np.ndarray, rotations: bool = True) -> list[Detection]:
        """Faces from MTCNN, plus confirmed Haar-only faces (named ``haar+mtcnn``).

        Args:
            rgb: the image.
            rotations: search rotated copies when the upright pass finds nothing.
        """
        from .mtcnn import iou_matrix, nms, square

        main = self._mtcnn.detect(rgb)
        faces = _to_detections(main, "mtcnn")
        if faces and not self.haar_always:
            return faces
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        hboxes, _ = haar_boxes(gray, 1.1, self.haar_min_neighbors, 20)
        if len(hboxes) and len(main.boxes):
            covered = _overlap_min(hboxes, main.boxes).max(axis=1) > 0.4
            hboxes = hboxes[~covered]
        if len(hboxes):
            extra = self._mtcnn.output_stage(rgb, square(hboxes), threshold=self.verify_threshold)
            if len(extra.boxes) and len(main.boxes):
                fresh = iou_matrix(extra.boxes, main.boxes).max(axis=1) < 0.3
                extra.boxes, extra.scores = extra.boxes[fresh], extra.scores[fresh]
                extra.landmarks = extra.landmarks[fresh]
            if len(extra.boxes):
                keep = nms(extra.boxes, extra.scores, 0.5, mode="min")
                extra.boxes, extra.scores, extra.landmarks = (
                    extra.boxes[keep],
                    extra.scores[keep],
                    extra.landmarks[keep],
                )
                faces += _to_detections(extra, "haar+mtcnn")
        if not faces and rotations:
            for angle in self.tilt_angles:
                faces = self._detect_rotated(rgb, angle)
                if faces:
                    break
        return faces

    def _detect_rotated(self, rgb: np.ndarray, angle: float) -> list[Detection]:
        """MTCNN on the image rotated by ``angle`` degrees; boxes and landmarks mapped back."""
        h, w = rgb.shape[:2]
        rad = math.radians(angle)
        cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
        bw, bh = w * cos + h * sin, w * sin + h * cos  # the rotated image's bounding canvas
        shrink = min(1.0, math.sqrt(self.tilt_max_pixels / (bw * bh)))
        nw, nh = max(1, math.ceil(bw * shrink)), max(1, math.ceil(bh * shrink))
        fwd = cv2.getRotationMatrix2D((w / 2, h / 2), angle, shrink)
        fwd[0, 2] += nw / 2 - w / 2
        fwd[1, 2] += nh / 2 - h / 2
        rotated = cv2.warpAffine(rgb, fwd, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        res = self._mtcnn.detect(rotated)
        back = cv2.invertAffineTransform(fwd)
        out = []
        for b, s, lm in zip(res.boxes, res.scores, res.landmarks, strict=True):
            c = back @ np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, 1.0])
            half = max(b[2] - b[0], b[3] - b[1]) / 2 / shrink
            pts = np.c_[lm, np.ones(len(lm))] @ back.T
            x1, y1 = max(0.0, c[0] - half), max(0.0, c[1] - half)
            x2, y2 = min(float(w), c[0] + half), min(float(h), c[1] + half)
            if s >= self.tilt_threshold and x2 - x1 > 4 and y2 - y1 > 4:
                out.append(Detection(x1, y1, x2, y2, float(s), "mtcnn-tilted", landmarks=pts))
        return out


def _overlap_min(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the smaller area, every box of ``a`` against every box of ``b``."""
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return ix * iy / np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-9)


#: The registry: name -> factory.
DETECTORS: dict[str, Callable[[], FaceDetector]] = {
    "auto": AutoDetector,
    "mtcnn": MTCNNDetector,
    "haar": HaarDetector,
}

_REGISTRY: Registry[FaceDetector] = Registry("face detector", DETECTORS)


def get_detector(name: str = "auto") -> FaceDetector:
    """The detector registered as ``name``, created once per process.

    Raises:
        UnknownName: no such detector; the message lists the valid names.
    """
    return _REGISTRY.get(name)


def prominence(det: Detection, width: int, height: int) -> float:
    """How much a face stands out: its area, discounted by its distance from the image centre.

    A face at the centre counts fully; one at a corner counts a quarter. This puts the
    subject of a portrait before a larger face cut off at the edge of the frame.
    """
    cx, cy = (det.x1 + det.x2) / 2, (det.y1 + det.y2) / 2
    half_diag = math.hypot(width, height) / 2 or 1.0
    d = min(1.0, math.hypot(cx - width / 2, cy - height / 2) / half_diag)
    return max(det.width, 0.0) * max(det.height, 0.0) * (1.0 - 0.75 * d)


def order_faces(dets: list[Detection], width: int, height: int) -> list[Detection]:
    """Faces sorted most prominent first (see :func:`prominence`)."""
    return sorted(dets, key=lambda d: -prominence(d, width, height))
