"""Linking the faces of successive frames into tracks with stable ids."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..perception.types import FaceResult
from .defaults import DEFAULT_MAX_MISSED

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
