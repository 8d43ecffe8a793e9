"""The reference peer: fer 25.10.3's image pipeline, re-implemented in emotool's own code.

It follows fer's documented behaviour so that the evaluator can score emotool
against it on the same images:

1. a Haar frontal-face cascade on the gray image (``scaleFactor=1.1``,
   ``minNeighbors=5``, ``minSize=50x50``);
2. each box made square by growing its shorter side about the centre, then widened
   by 10 px on every side;
3. the gray image padded by 40 px on every side with the mean of its two bottom rows
   (so boxes near the border stay inside), the box cut from it and resized to 64x64
   (bilinear);
4. pixels scaled to [-1, 1] and classified by the same mini-Xception TFLite model,
   without mirroring, alignment or calibration;
5. when the cascade finds no face, the whole image is classified instead (reported
   as a single face covering the image, detector ``whole-image``).
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from ..schema import ModelInfo
from .expression import MiniXception, fer2013_to_emotions
from .haar import haar_boxes, load_cascade
from .types import Detection, FaceResult, FrameResult

PADDING = 40
OFFSET = 10
INPUT = 64


def _square(x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
    if h > w:
        x -= (h - w) // 2
        w = h
    elif w > h:
        y -= (w - h) // 2
        h = w
    return x, y, w, h


def fer_crop(padded: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Cut one face from the padded gray image the way fer does; returns 64x64 uint8."""
    x, y, w, h = _square(*box)
    x1, x2 = x - OFFSET + PADDING, x + w + OFFSET + PADDING
    y1, y2 = y - OFFSET + PADDING, y + h + OFFSET + PADDING
    crop = padded[max(0, y1) : y2, max(0, x1) : x2]
    return cv2.resize(crop, (INPUT, INPUT))


class FerBaselinePipeline:
    """fer's pipeline (Haar box + mini-Xception, whole image when no face), same contract as
    :class:`emotool.perception.pipeline.FacePipeline`."""

    detector_name = "fer-haar"
    classifier_name = "fer-mini-xception"

    def __init__(self) -> None:
        self._model = MiniXception(flip=False)

    def warmup(self) -> None:
        """Load the cascade and the model."""
        load_cascade()
        self.analyze(np.zeros((64, 64, 3), dtype=np.uint8))

    def model_infos(self) -> list[ModelInfo]:
        """The models this pipeline uses."""
        return [
            ModelInfo(name="haar-frontalface", role="detector", license="BSD-3-Clause"),
            ModelInfo(name="fer-mini-xception", role="classifier", license="MIT"),
        ]

    def analyze(self, rgb: np.ndarray) -> FrameResult:
        """Faces and expression probabilities of one (H, W, 3) uint8 RGB image."""
        h, w = rgb.shape[:2]
        t0 = time.perf_counter()
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        boxes, _ = haar_boxes(gray, scale_factor=1.1, min_neighbors=5, min_size=50)
        t1 = time.perf_counter()
        bottom_mean = float(gray[max(0, h - 2) :].mean())
        padded = cv2.copyMakeBorder(
            gray, PADDING, PADDING, PADDING, PADDING, cv2.BORDER_CONSTANT, value=bottom_mean
        )
        if len(boxes):
            rects = [(int(b[0]), int(b[1]), int(b[2] - b[0]), int(b[3] - b[1])) for b in boxes]
            crops = np.stack([fer_crop(padded, r) for r in rects])
            dets = [
                Detection(float(x), float(y), float(x + bw), float(y + bh), 1.0, "haar")
                for x, y, bw, bh in rects
            ]
        else:
            crops = cv2.resize(gray, (INPUT, INPUT))[None]
            dets = [Detection(0.0, 0.0, float(w), float(h), 0.0, "whole-image")]
        x = crops.astype(np.float32) / 255.0
        x = (x - 0.5) * 2.0
        probs = fer2013_to_emotions(self._model.raw(x))
        probs = probs / probs.sum(axis=1, keepdims=True)
        t2 = time.perf_counter()
        faces = [
            FaceResult(detection=d, probs=p, confidence=float(p.max()), per_model={"mini_xception": p})
            for d, p in zip(dets, probs, strict=True)
        ]
        # fer lists faces in cascade order; put the largest first like FacePipeline
        faces.sort(key=lambda f: -(f.detection.width * f.detection.height))
        return FrameResult(
            width=w,
            height=h,
            faces=faces,
            detect_ms=(t1 - t0) * 1e3,
            classify_ms=(t2 - t1) * 1e3,
            detector=self.detector_name,
            classifiers=["mini_xception"],
        )
