"""From sampled frames to a :class:`~emotool.schema.VideoReading` (``analyze_frames``, ``analyze_video``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..labels import EMOTIONS
from ..schema import (
    Box,
    Cue,
    EmotionScores,
    FaceTrack,
    ModelInfo,
    Segment,
    Timings,
    TrackPoint,
    Transition,
    VideoReading,
)

if TYPE_CHECKING:
    from ..perception.types import FaceResult, FrameResult
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
from .timeline import _boundaries, dominant_runs, smooth
from .tracking import Tracker, _Track

# --------------------------------------------------------------------------- summaries


@dataclass
class _TrackSummary:
    track: FaceTrack
    n: int
    mean_conf: float
    smoothed: np.ndarray
    raw_labels: np.ndarray


def _build_track(
    tr: _Track,
    track_id: int,
    width: int,
    height: int,
    smoothing: float,
    min_segment_s: float,
    hysteresis: float,
) -> _TrackSummary:
    times = np.array([o.t for o in tr.obs], dtype=float)
    probs = np.stack([np.asarray(o.face.probs, dtype=float) for o in tr.obs])
    probs = np.clip(probs, 0, None)
    probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
    sm = smooth(times, probs, smoothing)
    end = float(times[-1])
    runs = dominant_runs(times, sm, min_segment_s=min_segment_s, hysteresis=hysteresis, end=end)
    edges = _boundaries(times, float(times[0]), end)
    segments = [
        Segment(
            start=round(float(edges[a]), 3),
            end=round(float(edges[b]), 3),
            label=EMOTIONS[k],
            mean_score=round(float(np.clip(sm[a:b, k].mean(), 0, 1)), 4),
        )
        for a, b, k in runs
    ]
    transitions = [
        Transition(t=segments[i + 1].start, from_label=segments[i].label, to_label=segments[i + 1].label)
        for i in range(len(segments) - 1)
    ]
    points = []
    for o, s in zip(tr.obs, sm, strict=True):
        sm_scores = EmotionScores.from_probs(s)
        points.append(
            TrackPoint(
                t=round(o.t, 4),
                frame_index=o.frame_index,
                box=Box.from_xyxy(*o.xyxy, width, height),
                detector_score=round(float(np.clip(o.face.detection.score, 0, 1)), 4),
                scores=EmotionScores.from_probs(o.face.probs),
                smoothed=sm_scores,
                label=sm_scores.top(),
            )
        )
    mean = EmotionScores.from_probs(probs.mean(axis=0))
    valence, arousal = mean.affect()
    track = FaceTrack(
        track_id=track_id,
        first_seen=round(float(times[0]), 4),
        last_seen=round(float(times[-1]), 4),
        points=points,
        scores=mean,
        label=mean.top(),
        valence=round(valence, 4),
        arousal=round(arousal, 4),
        segments=segments,
        transitions=transitions,
    )
    conf = float(np.mean([np.clip(o.face.confidence, 0, 1) for o in tr.obs]))
    return _TrackSummary(track, len(tr.obs), conf, sm, probs.argmax(axis=1))


def _fit(rgb: np.ndarray, max_side: int | None) -> tuple[np.ndarray, float]:
    """Downscale so the longer side is at most ``max_side``; returns the image and the factor used."""
    h, w = rgb.shape[:2]
    if not max_side or max(h, w) <= max_side:
        return rgb, 1.0
    import cv2

    s = max_side / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return small, s


def _rescale(face: FaceResult, scale: float) -> FaceResult:
    """The face with its box (and landmarks) mapped from a downscaled frame back to full size."""
    if scale == 1.0:
        return face
    d = face.detection
    lm = None if d.landmarks is None else np.asarray(d.landmarks, dtype=float) / scale
    det = replace(d, x1=d.x1 / scale, y1=d.y1 / scale, x2=d.x2 / scale, y2=d.y2 / scale, landmarks=lm)
    return replace(face, detection=det)


def _fmt_segments(segments: list[Segment], limit: int = 6) -> str:
    parts = [f"{s.label} {s.start:.1f}-{s.end:.1f} s" for s in segments[:limit]]
    if len(segments) > limit:
        parts.append(f"and {len(segments) - limit} more")
    return ", then ".join(parts)


def _models(results: list[FrameResult]) -> list[ModelInfo]:
    seen: dict[str, ModelInfo] = {}
    for r in results:
        if r.detector:
            for name in r.detector.split("+"):
                seen.setdefault(f"d:{name}", ModelInfo(name=name, role="detector"))
        for name in r.classifiers:
            seen.setdefault(f"c:{name}", ModelInfo(name=name, role="classifier"))
    return list(seen.values())


def _progress(progress: bool | ProgressCallback, total: int | None) -> tuple[Callable[[int], None], Any]:
    """A per-frame tick function and an object to close at the end (or None)."""
    if callable(progress):
        cb = progress
        return (lambda done: cb(done, total)), None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="frame", desc="analysing video", leave=False)
        return (lambda done: bar.update(1)), bar
    return (lambda done: None), None


def analyze_frames(
    frames: Iterable[tuple[int, float, np.ndarray]],
    analyze_frame: Callable[[np.ndarray], FrameResult],
    *,
    source: str,
    width: int,
    height: int,
    duration_s: float,
    native_fps: float,
    sample_fps: float,
    smoothing: float = DEFAULT_SMOOTHING_S,
    min_segment_s: float = DEFAULT_MIN_SEGMENT_S,
    hysteresis: float = DEFAULT_HYSTERESIS,
    max_missed: int = DEFAULT_MAX_MISSED,
    max_side: int | None = DEFAULT_MAX_SIDE,
    progress: bool | ProgressCallback = False,
    models: list[ModelInfo] | None = None,
    notes: list[str] | None = None,
) -> VideoReading:
    """Analyse already-sampled frames and build an explained video reading.

    Args:
        frames: ``(frame_index, t_seconds, rgb_uint8)`` in time order, already
            sampled (e.g. ``VideoSource.frames(sample_fps)``).
        analyze_frame: ``rgb -> FrameResult``, e.g. ``FacePipeline().analyze``.
        source: name of the input, for the reading.
        width: frame width in pixels.
        height: frame height in pixels.
        duration_s: duration of the video in seconds.
        native_fps: the video's own frame rate.
        sample_fps: frames analysed per second (for the reading and the
            progress bar's total).
        smoothing: standard deviation in seconds of the temporal smoothing
            (0 turns it off).
        min_segment_s: shortest segment of one dominant emotion; shorter
            changes are treated as noise and merged into a neighbour.
        hysteresis: margin (in smoothed probability) a new emotion needs over
            the current one before the dominant label switches.
        max_missed: consecutive sampled frames a face may be missed before its
            track ends.
        max_side: frames whose longer side is larger are downscaled to it
            before ``analyze_frame`` sees them (``None``: full resolution); the
            boxes in the reading are in the video's own pixels either way.
        progress: ``True`` for a tqdm bar, or a callback
            ``callback(frames_done, frames_expected)``.
        models: the models behind ``analyze_frame``, for the reading; when
            ``None`` they are taken from the frames' detector and classifier names.
        notes: what the decoder had to assume about the video (e.g. a missing
            frame rate); each becomes a quality cue.

    Returns:
        A :class:`VideoReading`; a video without faces gives a valid reading
        with ``face_found=False``.
    """
    t_start = time.perf_counter()
    expected = max(1, math.ceil(duration_s * sample_fps)) if duration_s > 0 else None
    tick, bar = _progress(progress, expected)
    tracker = Tracker(max_missed=max_missed)
    results: list[FrameResult] = []
    decode_s = 0.0
    n_frames = 0
    last_t = 0.0
    analysed_size: tuple[int, int] | None = None
    it: Iterator[tuple[int, float, np.ndarray]] = iter(frames)
    try:
        while True:
            t0 = time.perf_counter()
            try:
                frame_index, t, rgb = next(it)
            except StopIteration:
                decode_s += time.perf_counter() - t0
                break
            rgb, scale = _fit(rgb, max_side)
            analysed_size = (rgb.shape[1], rgb.shape[0])
            decode_s += time.perf_counter() - t0
            res = analyze_frame(rgb)
            results.append(res)
            n_frames += 1
            tracker.update(int(frame_index), float(t), [_rescale(f, scale) for f in res.faces])
            last_t = float(t)
            tick(n_frames)
    finally:
        if bar is not None:
            bar.close()

    if results:  # a container may under-declare its length
        duration_s = max(float(duration_s), last_t)
    all_tracks = tracker.tracks()
    min_points = 2 if n_frames >= 4 else 1
    kept = [tr for tr in all_tracks if len(tr.obs) >= min_points]
    dropped = [tr for tr in all_tracks if len(tr.obs) < min_points]
    summaries = [
        _build_track(tr, new_id, width, height, smoothing, min_segment_s, hysteresis)
        for new_id, tr in enumerate(kept)
    ]
    summaries.sort(key=lambda s: (-s.n, s.track.track_id))
    face_frames = len({o.frame_index for tr in kept for o in tr.obs})

    timings = Timings(
        decode_ms=round(decode_s * 1000, 2),
        detect_ms=round(sum(r.detect_ms for r in results), 2),
        classify_ms=round(sum(r.classify_ms for r in results), 2),
        total_ms=round((time.perf_counter() - t_start) * 1000, 2),
    )
    common: dict[str, Any] = dict(
        source=source,
        width=int(width),
        height=int(height),
        duration_s=round(max(0.0, float(duration_s)), 4),
        native_fps=round(max(0.0, float(native_fps)), 4),
        sample_fps=float(sample_fps),
        frames_analyzed=n_frames,
        frames_with_faces=face_frames,
        models=list(models) if models is not None else _models(results),
        timings=timings,
    )
    sampling = (
        f"Analysed {n_frames} frame{'s' if n_frames != 1 else ''} of {duration_s:.1f} s "
        f"of video ({sample_fps:g} per second)"
    )
    cues: list[Cue] = [Cue(kind="quality", text=f"video: {note}") for note in notes or []]
    if dropped:
        cues.append(
            Cue(
                kind="quality",
                text=f"{len(dropped)} face detection(s) seen in a single frame only were discarded "
                "as likely false positives.",
            )
        )
    if not summaries:
        reason = f"{sampling}; no face was found in any of them"
        if dropped:
            reason += " (only isolated one-frame detections, discarded as spurious)"
        reason += ", so there is no emotion reading."
        cues.insert(0, Cue(kind="video", text=f"{n_frames} frames analysed, none with a tracked face."))
        return VideoReading(
            **common,
            face_found=False,
            label=None,
            scores=None,
            valence=None,
            arousal=None,
            confidence=0.0,
            reasoning=reason,
            cues=cues,
        )

    # overall: track means weighted by track length
    weights = np.array([s.n for s in summaries], dtype=float)
    mean = np.stack([np.array(s.track.scores.as_list()) for s in summaries])
    overall = EmotionScores.from_probs(weights @ mean / weights.sum())
    label = overall.top()
    k = EMOTIONS.index(label)
    # confidence: how sure the classifier was, times how much of the footage agrees
    agree = np.array([float(np.mean(s.smoothed.argmax(axis=1) == k)) for s in summaries])
    confs = np.array([s.mean_conf for s in summaries])
    confidence = float(np.clip((weights * confs * agree).sum() / weights.sum(), 0, 1))
    valence, arousal = overall.affect()
    main = summaries[0].track
    coverage = face_frames / n_frames if n_frames else 0.0

    cues.insert(
        0,
        Cue(
            kind="video",
            text=f"{n_frames} frames sampled at {sample_fps:g} fps; {face_frames} "
            f"({coverage:.0%}) had a tracked face.",
            weight=round(coverage, 3),
        ),
    )
    for s in summaries:
        tk = s.track
        stable = float(np.mean(s.smoothed.argmax(axis=1) == EMOTIONS.index(tk.label)))
        cues.append(
            Cue(
                kind="face",
                face_id=tk.track_id,
                text=f"face {tk.track_id}: {s.n} frames from {tk.first_seen:.1f} to {tk.last_seen:.1f} s, "
                f"mostly {tk.label} ({tk.scores.as_dict()[tk.label]:.0%} mean score), "
                f"{len(tk.transitions)} change(s): {_fmt_segments(tk.segments, 4)}.",
                weight=round(s.n / weights.sum(), 3),
            )
        )
        cues.append(
            Cue(
                kind="agreement",
                face_id=tk.track_id,
                text=f"face {tk.track_id}: the smoothed reading is {tk.label} in {stable:.0%} of its frames; "
                f"mean classifier confidence {s.mean_conf:.0%}.",
                weight=round(stable, 3),
            )
        )
    for tr_ in main.transitions:
        cues.append(
            Cue(
                kind="video",
                face_id=main.track_id,
                text=f"face {main.track_id} changes from {tr_.from_label} to {tr_.to_label} "
                f"at {tr_.t:.1f} s.",
            )
        )
    if coverage < 0.5:
        cues.append(
            Cue(
                kind="quality",
                text=f"a face was tracked in only {coverage:.0%} of the sampled frames; "
                "the reading covers part of the video.",
            )
        )
    if analysed_size is not None and analysed_size != (width, height):
        cues.append(
            Cue(
                kind="video",
                text=f"frames were analysed at {analysed_size[0]}x{analysed_size[1]} "
                f"(downscaled from {width}x{height} for speed); boxes are in the video's pixels.",
            )
        )
    if smoothing > 0:
        cues.append(
            Cue(
                kind="video",
                text=f"scores smoothed over about ±{smoothing:g} s; changes shorter than "
                f"{min_segment_s:g} s are treated as noise.",
            )
        )

    n_tracks = len(summaries)
    faces_txt = (
        f"one face was followed over {main.last_seen - main.first_seen:.1f} s"
        if n_tracks == 1
        else f"{n_tracks} faces were followed (the main one over {main.last_seen - main.first_seen:.1f} s)"
    )
    if main.transitions:
        story = f"The main face reads {_fmt_segments(main.segments)}"
    else:
        story = f"The main face reads {main.label} throughout"
    reasoning = (
        f"{sampling}; a face was tracked in {face_frames} of them ({coverage:.0%}), and {faces_txt}. "
        f"{story}. Overall {label} ({overall.as_dict()[label]:.0%}), averaging the faces by how long each "
        f"was seen; confidence {confidence:.0%} combines the classifier's own confidence "
        f"({float((weights * confs).sum() / weights.sum()):.0%}) with the share of frames that agree "
        f"({float((weights * agree).sum() / weights.sum()):.0%})."
    )
    return VideoReading(
        **common,
        face_found=True,
        tracks=[s.track for s in summaries],
        label=label,
        scores=overall,
        valence=round(valence, 4),
        arousal=round(arousal, 4),
        confidence=round(confidence, 4),
        segments=list(main.segments),
        transitions=list(main.transitions),
        reasoning=reasoning,
        cues=cues,
    )


def analyze_video(
    src: Any,
    pipeline: FrameAnalyzer | Callable[[np.ndarray], FrameResult] | None = None,
    *,
    policy: Any = None,
    fps: float = DEFAULT_FPS,
    smoothing: float = DEFAULT_SMOOTHING_S,
    min_segment_s: float = DEFAULT_MIN_SEGMENT_S,
    max_side: int | None = DEFAULT_MAX_SIDE,
    progress: bool | ProgressCallback = False,
    models: list[ModelInfo] | None = None,
) -> VideoReading:
    """Open a video, sample it at ``fps`` and read the emotions of every face.

    Args:
        src: a path (or anything ``emotool.media.open_video`` accepts).
        pipeline: a ``FacePipeline`` (or any object with ``analyze(rgb)``, or a
            plain callable); a new ``FacePipeline()`` when ``None``.
        policy: the media access policy passed to ``open_video``.
        fps: frames analysed per second of video (capped at the video's own rate).
        smoothing: temporal smoothing, seconds (see :func:`analyze_frames`).
        min_segment_s: shortest segment of one dominant emotion, seconds.
        max_side: longest side, in pixels, frames are analysed at (``None``:
            full resolution; see :data:`DEFAULT_MAX_SIDE`).
        progress: ``True`` for a tqdm progress bar, or a callback.
        models: the models behind ``pipeline``, for the reading (default: the
            names the frames report, or ``pipeline.model_infos()`` if it has one).

    Returns:
        The :class:`VideoReading`.

    Raises:
        ValueError: ``fps`` is not positive.
        emotool.errors.MediaError: the video cannot be read.
    """
    if not fps or fps <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    from ..media import open_video

    if pipeline is None:
        from ..perception.pipeline import FacePipeline

        pipeline = FacePipeline()
    analyze_frame = pipeline.analyze if hasattr(pipeline, "analyze") else pipeline
    if models is None and hasattr(pipeline, "model_infos"):
        models = list(pipeline.model_infos())
    with open_video(src, policy) as video:
        native = float(video.native_fps or 0.0)
        sample_fps = min(float(fps), native) if native > 0 else float(fps)
        return analyze_frames(
            video.frames(sample_fps),
            analyze_frame,
            source=str(video.source),
            width=int(video.width),
            height=int(video.height),
            duration_s=float(video.duration_s or 0.0),
            native_fps=native,
            sample_fps=sample_fps,
            smoothing=smoothing,
            min_segment_s=min_segment_s,
            max_side=max_side,
            progress=progress,
            models=models,
            notes=video.notes,  # the live list: notes added while decoding are read at the end
        )
