"""emotool: explained emotion readings for empathetic assistants.

``import emotool`` is cheap: torch, OpenCV and LangChain load only when the
part that needs them is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
