"""A track's scores smoothed in time and cut into segments of one dominant emotion."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from .defaults import DEFAULT_HYSTERESIS, DEFAULT_MIN_SEGMENT_S

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
