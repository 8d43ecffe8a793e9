"""emotool: explained emotion readings for empathetic assistants.

``import emotool`` is cheap: torch, OpenCV and LangChain load only when the
part that needs them is used.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# Native libraries print to stderr on their own (FFmpeg on a damaged video, the
# TFLite runtime on start-up); emotool reports those cases as typed errors, so
# keep their chatter down unless the user asked for it.
for _var, _level in (
    ("OPENCV_LOG_LEVEL", "ERROR"),
    ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
    ("TF_CPP_MIN_LOG_LEVEL", "2"),
):
    os.environ.setdefault(_var, _level)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .analyzer import Analyzer
    from .schema import EmotionReading, FaceReading, VideoReading
    from .tool import EmotionTool

__all__ = ["Analyzer", "EmotionReading", "EmotionTool", "FaceReading", "VideoReading", "__version__"]

_LAZY = {
    "EmotionTool": ("tool", "EmotionTool"),
    "Analyzer": ("analyzer", "Analyzer"),
    "EmotionReading": ("schema", "EmotionReading"),
    "FaceReading": ("schema", "FaceReading"),
    "VideoReading": ("schema", "VideoReading"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    raise AttributeError(f"module 'emotool' has no attribute {name!r}")
