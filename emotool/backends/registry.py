"""The backend registry: names, factories and lookup (re-exported by :mod:`emotool.backends`)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import EmotoolError, UnknownName
from .base import Backend, ReadOptions

if TYPE_CHECKING:
    import numpy as np

    from ..perception.types import FrameResult
    from ..schema import ModelInfo, VideoReading


#: The environment variable that chooses the default backend.
ENV_VAR = "EMOTOOL_BACKEND"
DEFAULT_BACKEND = "classic"

#: name -> "module:Class" (imported on first use) or a factory callable.
BACKENDS: dict[str, str | Callable[..., Backend]] = {
    "classic": "emotool.backends.classic:ClassicBackend",
    "hf": "emotool.backends.hf:HFBackend",
    "openai": "emotool.backends.openai:OpenAIBackend",
}


def available_backends() -> list[str]:
    """The registered backend names."""
    return sorted(BACKENDS)


def register_backend(name: str, factory: str | Callable[..., Backend]) -> None:
    """Add a backend: a callable returning a :class:`Backend`, or a ``"module:Class"`` string."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"backend names are short identifiers, got {name!r}")
    BACKENDS[name] = factory


def resolve_name(name: str | None = None) -> str:
    """``name``, else ``$EMOTOOL_BACKEND``, else ``classic``; checked against the registry.

    Raises:
        UnknownName: Not a registered backend; the message lists the valid ones.
    """
    chosen = (name or os.environ.get(ENV_VAR) or DEFAULT_BACKEND).strip().lower()
    if chosen not in BACKENDS:
        raise UnknownName("backend", chosen, list(BACKENDS))
    return chosen


def get_backend(name: str | None = None, **options: Any) -> Backend:
    """Create a backend by name.

    Args:
        name: ``classic``, ``hf``, ``openai`` or a registered name; default
            ``$EMOTOOL_BACKEND`` or ``classic``.
        **options: The backend's own options (e.g. ``model=``, ``base_url=``);
            unknown options are an error.

    Raises:
        UnknownName: No such backend.
        EmotoolError: An option is wrong (the message names it).
        BackendUnavailable: The backend's optional packages are missing (the
            message names the ``pip install 'emotool[...]'`` extra).
    """
    key = resolve_name(name)
    factory = BACKENDS[key]
    if isinstance(factory, str):
        mod, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(mod), attr)
    try:
        return factory(**options)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'options'}: {e['msg']}" for e in exc.errors()
        )
        raise EmotoolError(f"invalid options for backend {key!r}: {problems}") from None


def analyze_video_with(
    backend: Backend,
    src: Any,
    analyze_frame: Callable[[np.ndarray], FrameResult],
    *,
    policy: Any = None,
    fps: float = 2.0,
    options: ReadOptions | None = None,
    models: list[ModelInfo] | None = None,
    progress: Any = False,
) -> VideoReading:
    """Analyse a video with the face pipeline, then let ``backend`` read its keyframes.

    The face pipeline builds the timeline (tracks, segments, transitions) through
    :func:`emotool.video.analyze_video` as usual; meanwhile each sampled frame
    (as the pipeline saw it) is kept JPEG-encoded with its result, so that the
    keyframes where the main face's expression changes can be shown to a
    vision-language backend afterwards (see :mod:`emotool.views`).

    Args:
        backend: Any backend (``classic`` keeps no frames and only adds the task answer).
        src: The video (anything :func:`emotool.media.open_video` accepts).
        analyze_frame: ``rgb -> FrameResult`` (e.g. ``Analyzer.analyze_frame``).
        policy: The media policy.
        fps: Frames sampled per second.
        options: The task and views; ``None`` for the defaults (and no task answer from classic).
        models: The face pipeline's models, for the reading.
        progress: ``True`` for a progress bar, or a callback (see :mod:`emotool.video`).
    """
    from ..video import analyze_video
    from ..views import select_keyframes
    from ._frames import FrameStore

    keep = getattr(backend, "name", "") != "classic"
    store = FrameStore(max_side=(options or ReadOptions()).views.max_side)

    def analyze(rgb: np.ndarray) -> FrameResult:
        result = analyze_frame(rgb)
        if keep:
            store.add(len(store.times), rgb, result)
        return result

    reading = analyze_video(src, analyze, policy=policy, fps=fps, progress=progress, models=models)
    if not keep:
        return reading if options is None else backend.read_video(reading, [], options)
    opts = options or ReadOptions()
    times = _frame_times(reading, len(store.times))
    picks = select_keyframes(times, store.results, opts.views.keyframes, opts.views.keyframe_change)
    return backend.read_video(reading, [store.get(i, times[i]) for i in picks], opts)


def _frame_times(reading: VideoReading, n: int) -> list[float]:
    """The time of each sampled frame.

    Frames are sampled at a steady rate from t=0, so frame ``k`` is at about
    ``k / sample_fps`` (within one frame of the video's own rate); where a face
    track saw a frame near that time, its exact time is used.
    """
    import bisect

    times = [k / reading.sample_fps for k in range(n)]
    seen = sorted({p.t for tr in reading.tracks for p in tr.points})
    if seen:
        for k, t in enumerate(times):
            j = bisect.bisect_left(seen, t)
            best = min((seen[i] for i in (j - 1, j) if 0 <= i < len(seen)), key=lambda x: abs(x - t))
            if abs(best - t) < 0.5 / reading.sample_fps:
                times[k] = best
    return times
