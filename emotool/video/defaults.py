"""The video reading's defaults and the shape of a frame analyser."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..perception.types import FrameResult


#: Frames analysed per second of video by default. Two a second resolves
#: expression changes that last a second or more (shorter ones are merged as
#: noise anyway) and keeps a minute of 640x480 video well under 15 s on a
#: 2-core CPU: 120 frames at ~75 ms plus ~1 s of decoding (see
#: ``benchmarks/bench_video.py``).
DEFAULT_FPS = 2.0
#: Frames whose longer side exceeds this are downscaled before analysis (boxes
#: are mapped back to the video's pixels). Face detection costs grow with the
#: pixel count: at 400 px a 640x480 frame costs ~75 ms instead of ~130 ms,
#: and faces that fill a tenth of the frame height are still 30 px high.
DEFAULT_MAX_SIDE = 400
#: Standard deviation, in seconds, of the Gaussian used to smooth scores in time.
DEFAULT_SMOOTHING_S = 0.5
#: Shortest segment of one dominant emotion, in seconds; shorter runs are merged.
DEFAULT_MIN_SEGMENT_S = 1.0
#: A new emotion must beat the current one by this much (smoothed probability)
#: before the dominant label switches.
DEFAULT_HYSTERESIS = 0.08
#: Consecutive sampled frames a face may be missed before its track ends.
DEFAULT_MAX_MISSED = 3

ProgressCallback = Callable[[int, "int | None"], None]
"""Called as ``callback(frames_done, frames_expected_or_None)`` after each frame."""


class FrameAnalyzer(Protocol):
    """Anything with ``analyze(rgb) -> FrameResult`` (e.g. ``FacePipeline``)."""

    def analyze(self, rgb: np.ndarray) -> FrameResult: ...
