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

This module imports only numpy and pydantic at import time; OpenCV, torch and
tqdm load when a video is actually opened or a progress bar is asked for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .labels import EMOTIONS
from .schema import (
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
    from .perception.types import FaceResult, FrameResult

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


# --------------------------------------------------------------------------- tracking


@dataclass
class _Obs:
    """One face seen in one sampled frame."""

    frame_index: int
    t: float
    xyxy: tuple[float, float, float, float]
    face: FaceResult


@dataclass
class _Track:
    track_id: int
    obs: list[_Obs] = field(default_factory=list)
    missed: int = 0

    @property
    def last(self) -> _Obs:
        return self.obs[-1]

    def predict(self, t: float) -> tuple[float, float, float, float]:
        """The box expected at time ``t`` (constant velocity from the last two points, damped)."""
        x1, y1, x2, y2 = self.last.xyxy
        if len(self.obs) < 2:
            return x1, y1, x2, y2
        a, b = self.obs[-2], self.obs[-1]
        dt_prev = b.t - a.t
        if dt_prev <= 0:
            return x1, y1, x2, y2
        vx = ((b.xyxy[0] + b.xyxy[2]) - (a.xyxy[0] + a.xyxy[2])) / 2 / dt_prev
        vy = ((b.xyxy[1] + b.xyxy[3]) - (a.xyxy[1] + a.xyxy[3])) / 2 / dt_prev
        dt = min(t - b.t, 2.0)  # extrapolate at most two seconds
        dx, dy = 0.8 * vx * dt, 0.8 * vy * dt
        return x1 + dx, y1 + dy, x2 + dx, y2 + dy


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two ``(x1, y1, x2, y2)`` boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _tv(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance between two distributions, in [0, 1]."""
    return 0.5 * float(np.abs(np.asarray(p, float) - np.asarray(q, float)).sum())


def match_cost(pred: tuple[float, ...], det: tuple[float, ...], missed: int = 0) -> float:
    """Cost of linking a predicted track box to a detection; ``inf`` when implausible.

    The cost adds (1 - IoU), the centre distance in units of the face size and
    the log size ratio. A detection farther than 1.5 face sizes from the
    prediction (a bit more for each missed frame), or more than 2.5 times
    larger or smaller, is never the same face.
    """
    pw, ph = pred[2] - pred[0], pred[3] - pred[1]
    dw, dh = det[2] - det[0], det[3] - det[1]
    if min(pw, ph, dw, dh) <= 0:
        return math.inf
    scale = math.sqrt(pw * ph)
    dist = math.hypot((pred[0] + pred[2] - det[0] - det[2]) / 2, (pred[1] + pred[3] - det[1] - det[3]) / 2)
    dist /= scale
    size = abs(math.log((dw * dh) / (pw * ph))) / 2  # log of the linear size ratio
    if dist > 1.5 + 0.5 * missed or size > math.log(2.5):
        return math.inf
    return (1.0 - iou(pred, det)) + dist + size


def assign(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost assignment of rows to columns (Hungarian algorithm).

    Entries that are ``inf`` are never assigned. Rows or columns may be left
    unassigned; the result lists the ``(row, col)`` pairs with finite cost.
    """
    n_rows, n_cols = cost.shape
    if n_rows == 0 or n_cols == 0:
        return []
    finite = np.isfinite(cost)
    if not finite.any():
        return []
    big = float(cost[finite].max()) * 2 + 1e6
    c = np.where(finite, cost, big)
    transposed = n_rows > n_cols
    if transposed:
        c = c.T
    n, m = c.shape  # n <= m
    # Shortest augmenting path with potentials (Kuhn-Munkres), 1-based helper arrays.
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=int)  # p[j]: row matched to column j (1-based, 0 = none)
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            cur = c[i0 - 1] - u[i0] - v[1:]
            free = ~used[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            cand = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(cand)) + 1
            delta = cand[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, m + 1):
        if p[j]:
            r, col = p[j] - 1, j - 1
            if transposed:
                r, col = col, r
            if finite[r, col]:
                pairs.append((r, col))
    return sorted(pairs)


class Tracker:
    """Links the faces of successive sampled frames into tracks.

    Args:
        max_missed: consecutive sampled frames a face may go undetected before
            its track ends; a face seen again later gets a new id.
    """

    def __init__(self, max_missed: int = DEFAULT_MAX_MISSED) -> None:
        self.max_missed = max_missed
        self._active: list[_Track] = []
        self._done: list[_Track] = []
        self._next_id = 0

    def update(self, frame_index: int, t: float, faces: list[FaceResult]) -> list[int]:
        """Add one frame's faces; returns the track id given to each face, in order."""
        dets = [(f.detection.x1, f.detection.y1, f.detection.x2, f.detection.y2) for f in faces]
        cost = np.full((len(self._active), len(dets)), np.inf)
        for i, tr in enumerate(self._active):
            pred = tr.predict(t)
            for j, d in enumerate(dets):
                geo = min(match_cost(pred, d, tr.missed), match_cost(tr.last.xyxy, d, tr.missed))
                # expressions change slowly: a small term that breaks geometric ties (faces crossing)
                cost[i, j] = geo + 0.2 * _tv(tr.last.face.probs, faces[j].probs)
        ids = [-1] * len(dets)
        matched_tracks = set()
        for i, j in assign(cost):
            tr = self._active[i]
            tr.obs.append(_Obs(frame_index, t, dets[j], faces[j]))
            tr.missed = 0
            ids[j] = tr.track_id
            matched_tracks.add(i)
        still: list[_Track] = []
        for i, tr in enumerate(self._active):
            if i not in matched_tracks:
                tr.missed += 1
                if tr.missed > self.max_missed:
                    self._done.append(tr)
                    continue
            still.append(tr)
        for j, d in enumerate(dets):
            if ids[j] < 0:
                tr = _Track(self._next_id, [_Obs(frame_index, t, d, faces[j])])
                self._next_id += 1
                still.append(tr)
                ids[j] = tr.track_id
        self._active = still
        return ids

    def tracks(self) -> list[_Track]:
        """Every track so far (ended and active), in order of first appearance."""
        return sorted(self._done + self._active, key=lambda tr: tr.track_id)


# --------------------------------------------------------------------------- timelines


def smooth(times: np.ndarray, probs: np.ndarray, sigma_s: float) -> np.ndarray:
    """Smooth per-frame probabilities along time with a Gaussian kernel.

    The kernel is evaluated on the real timestamps, so uneven sampling and gaps
    from missed frames weigh each neighbour by how close in time it is. It is
    centred (no lag), which keeps the times of changes where they happened.

    Args:
        times: shape (n,), seconds, non-decreasing.
        probs: shape (n, k), each row a distribution.
        sigma_s: standard deviation of the kernel in seconds; 0 disables smoothing.

    Returns:
        Shape (n, k), each row a distribution.
    """
    probs = np.asarray(probs, dtype=float)
    if sigma_s <= 0 or len(times) < 2:
        return probs.copy()
    times = np.asarray(times, dtype=float)
    out = np.empty_like(probs)
    lo = np.searchsorted(times, times - 3 * sigma_s, side="left")
    hi = np.searchsorted(times, times + 3 * sigma_s, side="right")
    for i in range(len(times)):
        w = np.exp(-0.5 * ((times[lo[i] : hi[i]] - times[i]) / sigma_s) ** 2)
        out[i] = w @ probs[lo[i] : hi[i]] / w.sum()
    return out / out.sum(axis=1, keepdims=True)


def _boundaries(times: np.ndarray, start: float, end: float) -> np.ndarray:
    """Edges of the time span each point stands for: midpoints between neighbours."""
    mids = (times[1:] + times[:-1]) / 2
    return np.concatenate([[start], mids, [end]])


def dominant_runs(
    times: np.ndarray,
    smoothed: np.ndarray,
    *,
    min_segment_s: float = DEFAULT_MIN_SEGMENT_S,
    hysteresis: float = DEFAULT_HYSTERESIS,
    end: float | None = None,
) -> list[tuple[int, int, int]]:
    """Cut a smoothed timeline into runs of one dominant class.

    The dominant class switches only when another class beats it by
    ``hysteresis``; runs shorter than ``min_segment_s`` are then merged into
    the neighbour whose class scores higher over the run, shortest first.

    Args:
        times: shape (n,), seconds.
        smoothed: shape (n, k), smoothed probabilities.
        min_segment_s: shortest run kept, in seconds.
        hysteresis: margin a new class needs over the current one.
        end: when the last point's span ends (defaults to the last time).

    Returns:
        ``(first_point, last_point_exclusive, class_index)`` per run, in order.
    """
    n = len(times)
    if n == 0:
        return []
    labels = np.empty(n, dtype=int)
    cur = int(np.argmax(smoothed[0]))
    for i in range(n):
        best = int(np.argmax(smoothed[i]))
        if best != cur and smoothed[i, best] - smoothed[i, cur] > hysteresis:
            cur = best
        labels[i] = cur
    runs: list[list[int]] = []
    for i, lab in enumerate(labels):
        if runs and runs[-1][2] == lab:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, int(lab)])
    edges = _boundaries(np.asarray(times, float), float(times[0]), float(times[-1] if end is None else end))

    def dur(r: list[int]) -> float:
        return float(edges[r[1]] - edges[r[0]])

    while len(runs) > 1:
        k = min(range(len(runs)), key=lambda i: (dur(runs[i]), i))
        if dur(runs[k]) >= min_segment_s:
            break
        left = runs[k - 1] if k > 0 else None
        right = runs[k + 1] if k + 1 < len(runs) else None
        seg = smoothed[runs[k][0] : runs[k][1]]

        def score(r: list[int] | None, seg: np.ndarray = seg) -> float:
            return -1.0 if r is None else float(seg[:, r[2]].mean())

        target = left if score(left) >= score(right) else right
        assert target is not None
        target[0], target[1] = min(target[0], runs[k][0]), max(target[1], runs[k][1])
        del runs[k]
        merged: list[list[int]] = []
        for r in runs:
            if merged and merged[-1][2] == r[2]:
                merged[-1][1] = r[1]
            else:
                merged.append(r)
        runs = merged
    return [(r[0], r[1], r[2]) for r in runs]


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
    from .media import open_video

    if pipeline is None:
        from .perception.pipeline import FacePipeline

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
