"""Emotion readings of videos: sampled frames, face tracks, smoothed timelines.

The work is split in four steps, each a plain function of the one before:

1. every sampled frame goes through a frame analyser (``FacePipeline.analyze``
   in practice, any ``rgb -> FrameResult`` callable in tests);
2. :class:`Tracker` links the faces of successive frames into tracks with a
   stable id (box overlap, centre distance and size, optimal assignment,
   a few missed frames tolerated, one-frame tracks dropped as spurious, and
   expression similarity as a small tie-breaker when faces cross);
3. each track's scores are smoothed in time (a Gaussian kernel over the
   actual timestamps, so uneven gaps and missed frames are handled) and cut
   into segments of one dominant emotion (a switch needs a margin and a
   minimum duration, so noise does not flicker);
4. the tracks are summarised into a :class:`~emotool.schema.VideoReading`
   with an honest account of what it rests on.

This package imports only numpy and pydantic at import time; OpenCV, torch and
tqdm load when a video is actually opened or a progress bar is asked for.
"""

from __future__ import annotations

from .defaults import (
    DEFAULT_FPS,
    DEFAULT_HYSTERESIS,
    DEFAULT_MAX_MISSED,
    DEFAULT_MAX_SIDE,
    DEFAULT_MIN_SEGMENT_S,
    DEFAULT_SMOOTHING_S,
    FrameAnalyzer,
    ProgressCallback,
)
from .reading import analyze_frames, analyze_video
from .timeline import dominant_runs, smooth
from .tracking import Tracker, assign, iou, match_cost

__all__ = [
    "DEFAULT_FPS",
    "DEFAULT_HYSTERESIS",
    "DEFAULT_MAX_MISSED",
    "DEFAULT_MAX_SIDE",
    "DEFAULT_MIN_SEGMENT_S",
    "DEFAULT_SMOOTHING_S",
    "FrameAnalyzer",
    "ProgressCallback",
    "Tracker",
    "analyze_frames",
    "analyze_video",
    "assign",
    "dominant_runs",
    "iou",
    "match_cost",
    "smooth",
]
