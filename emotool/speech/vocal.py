"""Vocal cues: pitch, loudness, speaking rate and pauses, and an arousal estimate from them.

The signal features are measured here with numpy alone:

* **pitch** (F0) with the YIN method (de Cheveigné & Kawahara, 2002): the
  cumulative-mean-normalised difference function of each 25 ms frame, computed
  for all frames at once through FFT cross-correlation; the first dip below a
  threshold, refined by parabolic interpolation, gives the period;
* **loudness** as the RMS level of 25 ms frames in dB relative to full scale,
  averaged over the frames that carry speech;
* **speaking rate** and **pauses** from the recogniser's word timestamps.

Features are gathered window by window (:class:`VocalAnalyzer`), so a long
recording never has to be in memory whole. The arousal estimate is a
transparent weighted sum of how far each feature is from typical conversational
speech; it is a heuristic, and recording level affects loudness, so the notes
say what was heard rather than claim more.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .audio import SAMPLE_RATE
from .schema import Transcript, VocalCues

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
FMIN, FMAX = 65.0, 420.0
YIN_THRESHOLD = 0.15
PAUSE_MIN_S = 0.4

# typical conversational speech, and how far counts as "one step" away (for arousal)
_TYPICAL = {"rate": (150.0, 40.0), "pitch_var": (3.0, 1.5), "loudness": (-24.0, 8.0), "pauses": (0.15, 0.15)}
_WEIGHTS = {"rate": 1.0, "pitch_var": 1.0, "loudness": 0.6, "pauses": 0.5}


def frame_levels_db(x: np.ndarray) -> np.ndarray:
    """RMS level in dBFS of each 30 ms frame, one every 10 ms (computed without copying the input)."""
    n = len(x) // HOP
    if n < 3:
        return np.zeros(0)
    hops = x[: n * HOP].reshape(n, HOP)
    energy = np.einsum("ij,ij->i", hops, hops, dtype=np.float64)  # per 10 ms
    window = energy[:-2] + energy[1:-1] + energy[2:]  # 30 ms
    return 10 * np.log10(window / (3 * HOP) + 1e-20)


def yin_pitch(
    x: np.ndarray,
    sr: int = SAMPLE_RATE,
    fmin: float = FMIN,
    fmax: float = FMAX,
    threshold: float = YIN_THRESHOLD,
    min_db: float = -45.0,
    block: int = 2048,
) -> np.ndarray:
    """F0 of each 10 ms hop in Hz (NaN where unvoiced or too quiet), by the YIN method.

    Args:
        x: Mono samples.
        sr: Sample rate.
        fmin, fmax: Pitch search range.
        threshold: Dip of the normalised difference below which a period is accepted.
        min_db: Frames quieter than this (dBFS) are not analysed.
        block: Frames processed per vectorised batch (bounds memory).
    """
    tau_min, tau_max = int(sr / fmax), math.ceil(sr / fmin)
    length = FRAME + tau_max
    if len(x) < length:
        return np.full(0, np.nan)
    all_frames = np.lib.stride_tricks.sliding_window_view(x, length)[::HOP]
    f0 = np.full(len(all_frames), np.nan)
    nfft = 1 << math.ceil(math.log2(length + FRAME))
    taus = np.arange(1, tau_max + 1)
    for b0 in range(0, len(all_frames), block):
        frames = all_frames[b0 : b0 + block].astype(np.float64)
        head = frames[:, :FRAME]
        loud = 10 * np.log10((head**2).mean(axis=1) + 1e-20) > min_db
        if not loud.any():
            continue
        frames, head = frames[loud], head[loud]
        corr = np.fft.irfft(np.conj(np.fft.rfft(head, nfft)) * np.fft.rfft(frames, nfft), nfft)[
            :, : tau_max + 1
        ]
        csum = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
        e0 = csum[:, FRAME]
        e_tau = csum[:, FRAME + np.arange(tau_max + 1)] - csum[:, np.arange(tau_max + 1)]
        diff = np.maximum(e0[:, None] + e_tau - 2 * corr, 0.0)[:, 1:]  # d(tau), tau = 1..tau_max
        cmnd = diff * taus / np.maximum(np.cumsum(diff, axis=1), 1e-12)
        search = cmnd[:, tau_min - 1 :]
        below = search < threshold
        has = below.any(axis=1)
        idx = np.argmax(below, axis=1)
        rows = np.arange(len(search))
        for _ in range(tau_max):  # walk down to the bottom of the dip
            nxt = np.minimum(idx + 1, search.shape[1] - 1)
            step = has & (search[rows, nxt] < search[rows, idx])
            if not step.any():
                break
            idx = np.where(step, nxt, idx)
        # parabolic interpolation around the minimum
        left = search[rows, np.maximum(idx - 1, 0)]
        mid = search[rows, idx]
        right = search[rows, np.minimum(idx + 1, search.shape[1] - 1)]
        denom = left - 2 * mid + right
        shift = np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
        period = idx + tau_min + np.clip(shift, -1, 1)
        est = np.where(has, sr / period, np.nan)
        est[(est < fmin) | (est > fmax)] = np.nan
        out = f0[b0 : b0 + block]
        out[np.flatnonzero(loud)] = est
    return f0


class VocalAnalyzer:
    """Gathers signal features window by window; :meth:`finish` turns them into :class:`VocalCues`."""

    def __init__(self) -> None:
        self._f0: list[np.ndarray] = []
        self._levels: list[np.ndarray] = []
        self._frames = 0

    def add(self, start: float, samples: np.ndarray) -> None:
        """Measure one window (``start`` is unused but matches ``transcribe``'s window hook)."""
        levels = frame_levels_db(samples)
        self._frames += len(levels)
        if len(levels) == 0 or levels.max() < -55:
            return  # silence: nothing to measure, keep memory small
        self._levels.append(levels.astype(np.float32))
        f0 = yin_pitch(samples)
        self._f0.append(f0[np.isfinite(f0)].astype(np.float32))

    def finish(self, transcript: Transcript) -> VocalCues:
        """Combine the measured features with the word timings of ``transcript``."""
        f0 = np.concatenate(self._f0) if self._f0 else np.zeros(0)
        levels = np.concatenate(self._levels) if self._levels else np.zeros(0)
        return vocal_cues(f0, levels, self._frames, transcript)


def _speech_levels(levels: np.ndarray) -> np.ndarray:
    if len(levels) == 0:
        return levels
    gate = max(-50.0, float(np.percentile(levels, 95)) - 30.0)
    return levels[levels > gate]


def _pauses(transcript: Transcript) -> tuple[list[float], float, int]:
    """Pauses between words (or segments without word timings), speaking time, word count."""
    spans: list[tuple[float, float, int]] = []
    for seg in transcript.segments:
        if seg.words:
            spans.extend((w.start, w.end, 1) for w in seg.words)
        else:
            spans.append((seg.start, seg.end, len(seg.text.split())))
    if not spans:
        return [], 0.0, 0
    spans.sort()
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
    pauses = [g for g in gaps if g >= PAUSE_MIN_S]
    span = spans[-1][1] - spans[0][0]
    speaking = max(span - sum(pauses), 1e-3)
    return pauses, speaking, sum(n for *_, n in spans)


def vocal_cues(f0: np.ndarray, levels: np.ndarray, n_frames: int, transcript: Transcript) -> VocalCues:
    """Vocal cues from voiced F0 values (Hz), frame levels (dBFS) and the transcript's timings."""
    speech = _speech_levels(levels)
    pitch = float(np.median(f0)) if len(f0) >= 10 else None
    pitch_var = None
    if pitch is not None:
        st = 12 * np.log2(f0 / pitch)
        lo, hi = np.percentile(st, [10, 90])
        pitch_var = float((hi - lo) / 2)
    loud = float(np.mean(speech)) if len(speech) else None
    loud_var = float(np.std(speech)) if len(speech) else None
    pauses, speaking, n_words = _pauses(transcript)
    rate = n_words / speaking * 60 if n_words >= 3 and speaking > 0.5 else None
    span = speaking + sum(pauses)
    pause_ratio = min(1.0, sum(pauses) / span) if n_words and span > 0 else None
    voiced = min(1.0, len(f0) / n_frames) if n_frames else 0.0
    features = {
        "rate": rate,
        "pitch_var": pitch_var,
        "loudness": loud,
        "pauses": None if pause_ratio is None else -pause_ratio,
    }
    arousal = _arousal(features) if (n_words or pitch is not None) and not transcript.is_empty else None
    cues = VocalCues(
        pitch_hz=_r(pitch, 1),
        pitch_variability_st=_r(pitch_var, 2),
        loudness_db=_r(loud, 1),
        loudness_variability_db=_r(loud_var, 1),
        speaking_rate_wpm=_r(rate, 0),
        pause_count=len(pauses),
        mean_pause_s=_r(float(np.mean(pauses)), 2) if pauses else None,
        longest_pause_s=_r(max(pauses), 2) if pauses else None,
        pause_ratio=_r(pause_ratio, 3),
        voiced_ratio=round(voiced, 3),
        arousal=_r(arousal, 3),
    )
    cues.notes = describe(cues, minutes=span / 60 if span else 0.0)
    return cues


def _arousal(features: dict[str, float | None]) -> float:
    total, weight = 0.0, 0.0
    for k, v in features.items():
        if v is None:
            continue
        mean, step = _TYPICAL[k]
        if k == "pauses":
            mean = -mean
        z = max(-2.5, min(2.5, (v - mean) / step))
        total += _WEIGHTS[k] * z
        weight += _WEIGHTS[k]
    score = total / weight if weight else 0.0
    return 1 / (1 + math.exp(-1.4 * score))


def describe(c: VocalCues, minutes: float = 0.0) -> list[str]:
    """Short plain-language notes on the vocal cues."""
    notes: list[str] = []
    fast = c.speaking_rate_wpm is not None and c.speaking_rate_wpm > 185
    slow = c.speaking_rate_wpm is not None and c.speaking_rate_wpm < 110
    loud = c.loudness_db is not None and c.loudness_db > -16
    quiet = c.loudness_db is not None and c.loudness_db < -36
    pace = (
        f"speaking fast ({c.speaking_rate_wpm:.0f} words/min)"
        if fast
        else f"speaking slowly ({c.speaking_rate_wpm:.0f} words/min)"
        if slow
        else ""
    )
    level = "loud" if loud else "quiet" if quiet else ""
    if pace and level:
        notes.append(f"{pace.replace(' (', f' and {level} (', 1)}")
    elif pace:
        notes.append(pace)
    elif level:
        notes.append(f"{level} voice ({c.loudness_db:.0f} dBFS)")
    if c.pitch_variability_st is not None:
        if c.pitch_variability_st < 1.5:
            notes.append("flat, monotone pitch")
        elif c.pitch_variability_st > 5.0:
            notes.append("lively, strongly varying pitch")
    if c.longest_pause_s is not None and c.longest_pause_s >= 2.0:
        notes.append(f"long pauses (longest {c.longest_pause_s:.1f} s)")
    elif minutes > 0.2 and c.pause_count / minutes > 12:
        notes.append(f"many short pauses ({c.pause_count} in {minutes * 60:.0f} s)")
    if c.arousal is not None and not notes:
        notes.append("even, conversational delivery")
    return notes


def _r(x: float | None, nd: int) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)
