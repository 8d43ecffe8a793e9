"""The analyzer: one entry point for images and videos, shared by the tool and the CLI.

A pipeline (detector + classifiers) is loaded once per process and reused by
every ``Analyzer`` that asks for the same configuration. Calls into one
pipeline are serialised with a lock, so the tool can be used from threads and
from ``asyncio`` (through a worker thread) safely.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import EmotoolError, ProcessingError
from .schema import EmotionReading, VideoReading

if TYPE_CHECKING:
    from .media import MediaPolicy
    from .perception.types import FrameResult

#: Frames analysed per second of video by default.
DEFAULT_FPS = 2.0

_PIPELINES: dict[tuple[str, str], Any] = {}
_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_pipeline(detector: str = "auto", classifier: str = "ensemble") -> tuple[Any, threading.Lock]:
    """The process-wide pipeline for this configuration, and the lock that guards it."""
    key = (detector, classifier)
    with _REGISTRY_LOCK:
        if key not in _PIPELINES:
            from .perception.pipeline import FacePipeline

            _PIPELINES[key] = FacePipeline(detector=detector, classifier=classifier)
            _LOCKS[key] = threading.Lock()
        return _PIPELINES[key], _LOCKS[key]


def _accepts_thorough(pipe: Any) -> bool:
    import inspect

    try:
        return "thorough" in inspect.signature(pipe.analyze).parameters
    except (TypeError, ValueError):
        return False


class Analyzer:
    """Analyse images and videos into explained readings.

    Args:
        detector: Face detector name (``auto``, ``mtcnn`` or ``haar``).
        classifier: Expression classifier name (``ensemble``, ``mini_xception`` or ``cnn48``).
        policy: Which paths and URLs may be opened, and size caps. Default:
            files under the current directory only, no URLs.
        fps: Frames analysed per second of video (default ``DEFAULT_FPS``).
        pipeline: A ready pipeline object with ``analyze(rgb) -> FrameResult``
            and ``model_infos()``; for tests and custom models.
        backend: The reasoning backend: a name (``classic``, ``hf``, ``openai``;
            default ``$EMOTOOL_BACKEND`` or ``classic``) or a backend object.
        backend_options: Options of a backend given by name (e.g. ``model=``, ``base_url=``).
        read_options: The task and views (``emotool.backends.ReadOptions``); default close-set.

    Example:
        >>> from emotool import Analyzer
        >>> reading = Analyzer().analyze("face.jpg")  # doctest: +SKIP
        >>> reading.label, reading.confidence  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        detector: str = "auto",
        classifier: str = "ensemble",
        policy: MediaPolicy | None = None,
        fps: float | None = None,
        pipeline: Any | None = None,
        backend: Any = None,
        backend_options: dict[str, Any] | None = None,
        read_options: Any = None,
    ) -> None:
        from .backends import get_backend
        from .media import MediaPolicy

        if fps is not None and not (0 < fps <= 120):
            raise EmotoolError(f"fps must be between 0 and 120 frames per second, got {fps}")
        self.detector = detector
        self.classifier = classifier
        self.policy = policy or MediaPolicy.default()
        self.fps = fps or DEFAULT_FPS
        self._pipeline = pipeline
        self._lock = threading.Lock() if pipeline is not None else None
        if backend is None or isinstance(backend, str):
            self.backend = get_backend(backend, **(backend_options or {}))
        else:
            self.backend = backend
        self.read_options = read_options

    def _pipe(self) -> tuple[Any, threading.Lock]:
        if self._pipeline is not None:
            assert self._lock is not None
            return self._pipeline, self._lock
        return shared_pipeline(self.detector, self.classifier)

    def warmup(self) -> None:
        """Load the models now rather than on the first call."""
        pipe, lock = self._pipe()
        with lock:
            if hasattr(pipe, "warmup"):
                pipe.warmup()

    def analyze_frame(self, rgb: Any, thorough: bool = True) -> FrameResult:
        """Run detection and classification on one decoded RGB frame.

        ``thorough=False`` skips the rotated re-search for tilted heads on frames
        where no upright face is found (used for video frames).
        """
        pipe, lock = self._pipe()
        with lock:
            if thorough or not _accepts_thorough(pipe):
                return pipe.analyze(rgb)
            return pipe.analyze(rgb, thorough=False)

    def analyze_image(self, src: Any) -> EmotionReading:
        """Read the faces in one image (path, URL, bytes, array or PIL image)."""
        from .media import load_image

        t0 = time.perf_counter()
        img = load_image(src, self.policy)
        pipe, _ = self._pipe()
        frame = self.analyze_frame(img.rgb)
        reading = self.backend.read_image(img, frame, self.read_options, models=pipe.model_infos())
        reading.timings.total_ms = round((time.perf_counter() - t0) * 1000, 2)
        return reading

    def analyze_video(self, src: Any, *, fps: float | None = None, progress: bool = False) -> VideoReading:
        """Read the faces of a video over time, at ``fps`` sampled frames per second."""
        rate = fps or self.fps
        if not (0 < rate <= 120):
            raise EmotoolError(f"fps must be between 0 and 120 frames per second, got {rate}")
        pipe, _ = self._pipe()
        from .backends import analyze_video_with

        return analyze_video_with(
            self.backend,
            src,
            lambda rgb: self.analyze_frame(rgb, thorough=False),
            policy=self.policy,
            fps=rate,
            options=self.read_options,
            models=pipe.model_infos(),
            progress=progress,
        )

    def analyze(
        self, src: Any, *, fps: float | None = None, progress: bool = False
    ) -> EmotionReading | VideoReading:
        """Analyse an image or a video, chosen by the input's type.

        Raises:
            EmotoolError: every expected failure; a failure inside OpenCV, PyAV/FFmpeg,
                Pillow, torch or TFLite becomes :class:`~emotool.errors.ProcessingError`.
        """
        try:
            return self._analyze(src, fps=fps, progress=progress)
        except EmotoolError:
            raise
        except Exception as exc:
            if not _native_failure(exc):
                raise
            from .media.decode import why

            raise ProcessingError(
                f"reading this input failed inside {type(exc).__module__.split('.')[0]} ({why(exc)}); "
                "check that the file is a valid image or video, or try a smaller or re-encoded copy"
            ) from exc

    def _analyze(
        self, src: Any, *, fps: float | None = None, progress: bool = False
    ) -> EmotionReading | VideoReading:
        from .media import media_kind

        kind = "image" if not isinstance(src, (str, Path)) else media_kind(src, self.policy)
        if kind == "video":
            return self.analyze_video(src, fps=fps, progress=progress)
        if kind == "audio":
            raise EmotoolError(
                f"{Path(str(src)).name} is audio; emotool reads faces in images and video "
                "(speech support is a separate module)"
            )
        return self.analyze_image(src)


_NATIVE = ("cv2", "av", "PIL", "torch", "ai_edge_litert", "tflite_runtime", "ctranslate2", "numpy")


def _native_failure(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a native library or is a resource failure (not a bug of ours)."""
    if isinstance(exc, (MemoryError, OSError)):
        return True
    return type(exc).__module__.split(".")[0] in _NATIVE
