"""Sampled video frames kept compactly (downscaled, JPEG) until the keyframes are chosen."""

from __future__ import annotations

import dataclasses
import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..perception.types import FrameResult


class FrameStore:
    """Keeps each sampled frame as a downscaled JPEG and rescales its face boxes on the way out."""

    def __init__(self, max_side: int = 768, quality: int = 90) -> None:
        self.max_side, self.quality = max_side, quality
        self.times: list[float] = []
        self.results: list[FrameResult] = []
        self._jpegs: list[bytes] = []
        self._scales: list[float] = []

    def add(self, t: float, rgb: np.ndarray, result: FrameResult) -> None:
        from PIL import Image

        h, w = rgb.shape[:2]
        s = min(1.0, self.max_side / max(h, w))
        im = Image.fromarray(rgb)
        if s < 1:
            im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.BILINEAR)
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=self.quality)
        self.times.append(float(t))
        self.results.append(result)
        self._jpegs.append(buf.getvalue())
        self._scales.append(s)

    def get(self, i: int, t: float | None = None) -> tuple[float, np.ndarray, FrameResult]:
        """Frame ``i`` as ``(t, rgb, result)`` with the result's boxes scaled to the stored picture."""
        from PIL import Image

        rgb = np.asarray(Image.open(io.BytesIO(self._jpegs[i])).convert("RGB"))
        s = self._scales[i]
        res = self.results[i]
        if s != 1:
            faces = [
                dataclasses.replace(
                    f,
                    detection=dataclasses.replace(
                        f.detection,
                        x1=f.detection.x1 * s,
                        y1=f.detection.y1 * s,
                        x2=f.detection.x2 * s,
                        y2=f.detection.y2 * s,
                        landmarks=None if f.detection.landmarks is None else f.detection.landmarks * s,
                    ),
                )
                for f in res.faces
            ]
            res = dataclasses.replace(res, width=rgb.shape[1], height=rgb.shape[0], faces=faces)
        return (self.times[i] if t is None else t), rgb, res
